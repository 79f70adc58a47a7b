"""Write outbox rows for a transition, in the transition's own transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from ..accounts.models import PlanMembership, User
from ..engine import Transition
from ..extensions import db
from .compose import compose_transition
from .models import OutboxMessage


def recipients_for(
    plan: Any, roles: frozenset[str], author: User | None, actor_id: int | None
) -> dict[User, set[str]]:
    """Return active users to notify with the roles they are notified for; never the actor."""
    found: dict[User, set[str]] = defaultdict(set)
    if roles:
        rows = db.session.execute(
            select(User, PlanMembership.role)
            .join(PlanMembership, PlanMembership.user_id == User.id)
            .where(PlanMembership.plan_id == plan.id, PlanMembership.role.in_(roles))
            .order_by(User.id)
        )
        for user, role in rows:
            found[user].add(role)
    if author is not None:
        found[author].add("author")
    return {u: r for u, r in found.items() if u.active and u.id != actor_id}


def enqueue_transition(record: Any, transition: Transition) -> list[OutboxMessage]:
    """Add one outbox row per recipient of the transition; sending happens after commit."""
    event = transition.event
    author = record.created_by if event.notify_author else None
    plan = record.plan
    messages = []
    for user, roles in recipients_for(plan, event.notify, author, transition.actor.user_id).items():
        email = compose_transition(user, roles, record, plan, transition)
        message = OutboxMessage(
            recipient_id=user.id,
            to_address=user.email,
            language=user.language,
            subject=email.subject,
            body_text=email.text,
            body_html=email.html,
            log_entry_id=transition.entry.id,
        )
        db.session.add(message)
        messages.append(message)
    db.session.flush()
    return messages
