"""Who follows a commitment, and which of its outcomes they hear of.

The author, every commenter, every voter and everyone who moved it follow it without asking;
anyone may follow or stop following it on its page (a Follow row, which wins).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select, union

from ..accounts.models import User
from ..engine.audit import LogEntry
from ..extensions import db
from ..plans.models import Commitment
from ..review.models import Comment, Vote

# record type -> the events followers hear of: the decisive outcomes.
DECISIVE_EVENTS: dict[str, frozenset[str]] = {
    "commitment": frozenset({"approve", "reject", "send_back", "sign_off", "complete", "withdraw"}),
}


def is_decisive(record: Any, event: str) -> bool:
    """Return whether followers of the record hear of this event."""
    return event in DECISIVE_EVENTS.get(record.record_type, frozenset())


def followed_commitment(record: Any) -> Commitment | None:
    """Return the commitment a record's followers follow, if it has followers."""
    return record if isinstance(record, Commitment) else None


def follower_ids(commitment: Commitment) -> set[int]:
    """Return the ids of everyone who follows the commitment now (2 queries)."""
    from ..notify.models import Follow

    implicit = union(
        select(Comment.author_id).where(Comment.commitment_id == commitment.id),
        select(Vote.user_id).where(Vote.commitment_id == commitment.id),
        select(LogEntry.actor_id).where(
            LogEntry.record_type == commitment.record_type,
            LogEntry.record_id == commitment.id,
            LogEntry.actor_id.is_not(None),
        ),
    )
    found = set(db.session.scalars(select(implicit.subquery().c[0])))
    if commitment.created_by_id is not None:
        found.add(commitment.created_by_id)
    for user_id, following in db.session.execute(
        select(Follow.user_id, Follow.following).where(Follow.commitment_id == commitment.id)
    ):
        (found.add if following else found.discard)(user_id)
    return found


def follows(user_id: int, commitment: Commitment) -> bool:
    """Return whether one person follows the commitment now (1 query)."""
    from ..notify.models import Follow

    chosen = (
        select(Follow.following)
        .where(Follow.user_id == user_id, Follow.commitment_id == commitment.id)
        .scalar_subquery()
    )
    took_part = or_(
        exists().where(Comment.commitment_id == commitment.id, Comment.author_id == user_id),
        exists().where(Vote.commitment_id == commitment.id, Vote.user_id == user_id),
        exists().where(
            LogEntry.record_type == commitment.record_type,
            LogEntry.record_id == commitment.id,
            LogEntry.actor_id == user_id,
        ),
    )
    explicit, implicit = db.session.execute(select(chosen, took_part)).one()
    if explicit is not None:
        return bool(explicit)
    return bool(implicit) or commitment.created_by_id == user_id


def followers(commitment: Commitment) -> list[tuple[int, str]]:
    """Return (id, address) of the active followers of a commitment."""
    ids = follower_ids(commitment)
    if not ids:
        return []
    rows = db.session.execute(
        select(User.id, User.email).where(User.id.in_(ids), User.active.is_(True)).order_by(User.id)
    )
    return [(user_id, email) for user_id, email in rows]
