"""Forget sent rows after the retention period: the transition log keeps what happened."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete

from ..engine.audit import utcnow
from ..extensions import db
from .models import SENT, OutboxMessage


def prune_sent(days: int | None = None) -> int:
    """Delete sent rows older than `days` (default NOTIFY_RETENTION_DAYS; 0 keeps them); flush."""
    days = current_app.config["NOTIFY_RETENTION_DAYS"] if days is None else days
    if not days:
        return 0
    cutoff = utcnow() - timedelta(days=int(days))
    result = db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == SENT, OutboxMessage.sent_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount


def hourly_housekeeping(app: Flask) -> int:
    """Queue due reminders and the day's digests, prune sent rows: the background sender's hour."""
    from .digest import digest_due, queue_digests
    from .reminders import send_reminders

    with app.app_context():
        try:
            now = utcnow()
            send_reminders(now)
            db.session.commit()
            if digest_due(now, int(current_app.config["NOTIFY_DIGEST_HOUR"])):
                queue_digests()
                db.session.commit()
            removed = prune_sent()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return removed
