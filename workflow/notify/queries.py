"""Reads: the outbox for administrators and /health; a person's notifications and choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..engine.audit import utcnow
from ..extensions import db
from .models import (
    IMMEDIATE,
    KINDS,
    PENDING,
    SENDING,
    STATUSES,
    Notification,
    OutboxMessage,
    Preference,
)


@dataclass(frozen=True)
class Backlog:
    """Messages waiting to go out, and how long the oldest of them has waited."""

    waiting: int
    oldest_created_at: datetime | None

    @property
    def oldest_age_seconds(self) -> float | None:
        """Return how long the oldest waiting message has waited, in seconds."""
        if self.oldest_created_at is None:
            return None
        return round((utcnow() - self.oldest_created_at).total_seconds(), 1)


def backlog() -> Backlog:
    """Return the number of pending and in-flight messages and the oldest one's time (1 query)."""
    waiting, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_((PENDING, SENDING))
        )
    ).one()
    return Backlog(waiting, oldest)


def status_counts() -> dict[str, int]:
    """Return how many messages are in each status, every status named (1 query)."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in STATUSES}


def outbox_rows(status: str, limit: int = 100) -> list[OutboxMessage]:
    """Return the newest messages in `status`, newest first (1 query)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == status)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    """Return how many in-app notifications a person has not opened (1 query)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def notifications_of(user_id: int, limit: int = 50) -> list[Notification]:
    """Return a person's newest notifications, newest first (1 query)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def preferences_of(user_id: int) -> dict[str, str]:
    """Return how a person receives each kind, at once unless they chose otherwise (1 query)."""
    chosen = dict(
        db.session.execute(
            select(Preference.kind, Preference.mode).where(Preference.user_id == user_id)
        ).all()
    )
    return {kind: chosen.get(kind, IMMEDIATE) for kind in KINDS}


def is_following(user_id: int, commitment: object) -> bool:
    """Return whether a person follows a commitment now (1 query)."""
    from ..definitions.followers import follows

    return follows(user_id, commitment)  # type: ignore[arg-type]
