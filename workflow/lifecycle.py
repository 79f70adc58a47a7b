"""Fire a workflow event as a person: roles from the plan, the engine, then the outbox."""

from __future__ import annotations

from typing import Any

from .accounts.models import User
from .accounts.permissions import actor_on_plan, plan_id_of
from .definitions.registry import engine
from .engine import Actor, Transition
from .notify.outbox import enqueue_transition


def fire(
    record: Any,
    event: str,
    user: User,
    *,
    version: int | None = None,
    comment: str | None = None,
) -> Transition:
    """Fire `event` on a commitment or report for `user`; flush, never commit."""
    actor = actor_on_plan(user, plan_id_of(record))
    return fire_as(record, event, actor, version=version, comment=comment)


def fire_as(
    record: Any,
    event: str,
    actor: Actor,
    *,
    version: int | None = None,
    comment: str | None = None,
) -> Transition:
    """Fire `event` for any actor (a person or the vote gate) and queue its notifications."""
    transition = engine.fire(record, event, actor, expected_version=version, comment=comment)
    enqueue_transition(record, transition)
    return transition


def allowed_events(record: Any, user: User | None) -> list[str]:
    """Return the events `user` may fire on the record now (roles and state; guards apart)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return engine.allowed_events(record, actor_on_plan(user, plan_id_of(record)))
