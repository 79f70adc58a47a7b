"""Reads of the outbox for the administrators' page and the health check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..engine.audit import utcnow
from ..extensions import db
from .models import PENDING, SENDING, STATUSES, OutboxMessage


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
