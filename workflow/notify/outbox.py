"""Write outbox rows and in-app notifications, in the transaction of what they tell of."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, insert, or_, select

from ..accounts.models import PlanMembership, User
from ..accounts.permissions import plan_id_of
from ..definitions.deadlines import waiting_role
from ..definitions.followers import followed_commitment, followers, is_decisive
from ..definitions.messages import FOLLOWER
from ..engine import Transition
from ..engine.audit import utcnow
from ..extensions import db
from .models import (
    DIGEST,
    ESCALATION,
    FOLLOWED,
    IMMEDIATE,
    PENDING,
    REMINDER,
    TRANSITION,
    UPDATES,
    Notification,
    OutboxMessage,
    Preference,
)

Recipients = dict[tuple[int, str], set[str]]
# (user id, kind) -> mode: the choices people made; a kind not chosen is sent at once.
Choices = dict[tuple[int, str], str]


# Built once, with parameters: a statement object keeps its cache key, so a firing does not
# build and hash it again. An empty `roles` matches no membership; a None author no user.
_RECIPIENTS = (
    select(User.id, User.email, PlanMembership.role, Preference.kind, Preference.mode)
    .outerjoin(
        PlanMembership,
        (PlanMembership.user_id == User.id)
        & (PlanMembership.plan_id == bindparam("plan_id"))
        & PlanMembership.role.in_(bindparam("roles", expanding=True)),
    )
    .outerjoin(Preference, Preference.user_id == User.id)
    .where(
        User.active.is_(True),
        or_(PlanMembership.role.is_not(None), User.id == bindparam("author_id")),
    )
    .order_by(User.id)
)


def recipients_for(
    plan_id: int, roles: frozenset[str], author_id: int | None, actor_id: int | None
) -> tuple[Recipients, Choices]:
    """Return (user id, address) of active users to notify, with their roles; never the actor.

    One query: the plan's members in `roles`, and the author whatever their roles, with the
    notification choices of each, joined: every round trip here is made holding the row lock.
    """
    if not roles and author_id is None:
        return {}, {}
    found: Recipients = defaultdict(set)
    chosen: Choices = {}
    rows = db.session.execute(
        _RECIPIENTS, {"plan_id": plan_id, "roles": list(roles), "author_id": author_id}
    )
    for user_id, email, role, kind, mode in rows:
        if user_id == actor_id:
            continue
        if role is not None:
            found[(user_id, email)].add(role)
        if user_id == author_id:
            found[(user_id, email)].add("author")
        if kind is not None:
            chosen[(user_id, kind)] = mode
    return dict(found), chosen


def choices_of(user_ids: list[int]) -> Choices:
    """Return the notification choices of these people."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Preference.user_id, Preference.kind, Preference.mode).where(
            Preference.user_id.in_(user_ids)
        )
    )
    return {(user_id, kind): mode for user_id, kind, mode in rows}


def enqueue_transition(record: Any, transition: Transition) -> int:
    """Tell everyone the transition concerns: by role, as author, and followers of an outcome.

    Plain INSERTs, not ORM objects: the transition's transaction writes the least it can.
    Returns the number of mails queued to go out at once.
    """
    event = transition.event
    actor_id = transition.actor.user_id
    author_id = record.created_by_id if event.notify_author else None
    recipients, chosen = recipients_for(plan_id_of(record), event.notify, author_id, actor_id)
    followed = followed_commitment(record)
    if followed is not None and is_decisive(record, event.name):
        added = []
        for person in followers(followed):
            if person[0] != actor_id and person not in recipients:
                recipients[person] = {FOLLOWER}
                added.append(person[0])
        chosen.update(choices_of(added))
    # Whoever the new stage waits on is asked to act by a deadline: told at once, always.
    urgent = {waiting_role(record)} - {None}
    return deliver(
        recipients, TRANSITION, log_entry_id=transition.entry.id, urgent=urgent, chosen=chosen
    )


def deliver(
    recipients: Recipients,
    template: str,
    *,
    log_entry_id: int | None = None,
    notice_id: int | None = None,
    urgent: set[str] | frozenset[str] = frozenset(),
    chosen: Choices | None = None,
) -> int:
    """Write an in-app notification for each recipient and a mail for those who want it now.

    A recipient's preference for the kind (updates, or outcomes of what they follow) decides:
    at once, in the daily digest, or no mail. Requests with a deadline go at once whatever it
    says. `chosen` are the recipients' choices when the caller has read them already. Returns
    the number of mails queued.
    """
    if not recipients:
        return 0
    if chosen is None:
        chosen = choices_of([user_id for user_id, _ in recipients])
    now = utcnow()
    mails, notes = [], []
    for (user_id, email), roles in recipients.items():
        kind = FOLLOWED if roles == {FOLLOWER} else UPDATES
        always = template in (REMINDER, ESCALATION) or bool(roles & urgent)
        mode = IMMEDIATE if always else chosen.get((user_id, kind), IMMEDIATE)
        audience = ",".join(sorted(roles))
        notes.append(
            {
                "user_id": user_id,
                "kind": kind,
                "template": template,
                "audience": audience,
                "log_entry_id": log_entry_id,
                "notice_id": notice_id,
                "created_at": now,
                "digest_pending": mode == DIGEST,
            }
        )
        if mode == IMMEDIATE:
            mails.append(
                {
                    "recipient_id": user_id,
                    "to_address": email,
                    "template": template,
                    "audience": audience,
                    "log_entry_id": log_entry_id,
                    "notice_id": notice_id,
                    "status": PENDING,
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
            )
    # The tables, not the entities: the rows are complete, and Core's executemany skips the
    # ORM's bulk-insert bookkeeping.
    db.session.execute(insert(Notification.__table__), notes)
    if mails:
        db.session.execute(insert(OutboxMessage.__table__), mails)
    return len(mails)
