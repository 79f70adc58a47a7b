"""Write outbox rows for a transition, in the transition's own transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import insert, or_, select

from ..accounts.models import PlanMembership, User
from ..engine import Transition
from ..engine.audit import utcnow
from ..extensions import db
from .models import PENDING, TRANSITION, OutboxMessage


def recipients_for(
    plan_id: int, roles: frozenset[str], author_id: int | None, actor_id: int | None
) -> dict[tuple[int, str], set[str]]:
    """Return (user id, address) of active users to notify, with their roles; never the actor.

    One query: the plan's members in `roles`, and the author whatever their roles.
    """
    found: dict[tuple[int, str], set[str]] = defaultdict(set)
    conditions = []
    if roles:
        conditions.append(PlanMembership.role.in_(roles))
    if author_id is not None:
        conditions.append(User.id == author_id)
    if not conditions:
        return {}
    rows = db.session.execute(
        select(User.id, User.email, PlanMembership.role)
        .outerjoin(
            PlanMembership,
            (PlanMembership.user_id == User.id)
            & (PlanMembership.plan_id == plan_id)
            & PlanMembership.role.in_(roles or {""}),
        )
        .where(User.active.is_(True), or_(*conditions))
        .order_by(User.id)
    )
    for user_id, email, role in rows:
        if user_id == actor_id:
            continue
        if role is not None:
            found[(user_id, email)].add(role)
        if user_id == author_id:
            found[(user_id, email)].add("author")
    return dict(found)


def enqueue_transition(record: Any, transition: Transition) -> int:
    """Add one outbox row per recipient of the transition; rendering happens when it is sent.

    Plain INSERTs, not ORM objects: the transition's transaction writes the least it can.
    """
    event = transition.event
    author_id = record.created_by_id if event.notify_author else None
    plan_id = record.plan_id if hasattr(record, "plan_id") else record.plan.id
    now = utcnow()
    rows = [
        {
            "recipient_id": user_id,
            "to_address": email,
            "template": TRANSITION,
            "audience": ",".join(sorted(roles)),
            "log_entry_id": transition.entry.id,
            "status": PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for (user_id, email), roles in recipients_for(
            plan_id, event.notify, author_id, transition.actor.user_id
        ).items()
    ]
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
    return len(rows)
