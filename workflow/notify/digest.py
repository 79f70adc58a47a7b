"""The daily digest: one mail per person gathering what they asked to hear of once a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from ..accounts.models import User
from ..engine.audit import utcnow
from ..extensions import db
from .models import DIGEST_TEMPLATE, PENDING, Notification, OutboxMessage


def queue_digests() -> tuple[int, int]:
    """Queue one digest mail per person with notifications waiting for it; flush.

    Returns (mails, notifications gathered). Running it twice in a day sends nothing new.
    """
    waiting = db.session.execute(
        select(Notification.user_id, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.digest_pending.is_(True), User.active.is_(True))
        .group_by(Notification.user_id, User.email)
        .order_by(Notification.user_id)
    ).all()
    gathered = 0
    for user_id, email in waiting:
        now = utcnow()
        row = OutboxMessage(
            recipient_id=user_id,
            to_address=email,
            template=DIGEST_TEMPLATE,
            audience="",
            status=PENDING,
            created_at=now,
            next_attempt_at=now,
        )
        db.session.add(row)
        db.session.flush()
        result = db.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.digest_pending.is_(True))
            .values(digest_pending=False, digest_id=row.id),
            execution_options={"synchronize_session": False},
        )
        gathered += result.rowcount
    return len(waiting), gathered


def digest_due(now: datetime, hour: int) -> bool:
    """Return whether today's digests are still to be queued: past `hour` (UTC), none yet.

    Asked every hour by the background sender, so a day gets one round of digests however
    often it asks, and a sender started late in the day still sends that day's.
    """
    start = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if now < start:
        return False
    last = db.session.scalar(
        select(func.max(OutboxMessage.created_at)).where(OutboxMessage.template == DIGEST_TEMPLATE)
    )
    return last is None or last < start
