"""Changes people make: retry a failed message, follow, read, choose how to be told."""

from __future__ import annotations

from sqlalchemy import select

from ..engine.audit import utcnow
from ..extensions import db
from .models import FAILED, KINDS, MODES, PENDING, Notification, OutboxMessage, Preference


def retry_failed(message: OutboxMessage) -> None:
    """Put a failed message back in the queue, due now, with its attempts counted afresh; flush."""
    if message.status != FAILED:
        raise ValueError(f"outbox message {message.id} has not failed; it is {message.status}")
    message.status = PENDING
    message.attempts = 0
    message.claimed_at = None
    message.next_attempt_at = utcnow()
    db.session.flush()


def set_following(user_id: int, commitment_id: int, following: bool) -> None:
    """Record a person's own choice to follow a commitment or stop following it; flush."""
    from .models import Follow

    row = db.session.scalar(
        select(Follow).where(Follow.user_id == user_id, Follow.commitment_id == commitment_id)
    )
    if row is None:
        db.session.add(Follow(user_id=user_id, commitment_id=commitment_id, following=following))
    else:
        row.following = following
    db.session.flush()


def mark_read(notification: Notification) -> None:
    """Mark an in-app notification read, once; flush."""
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def set_preferences(user_id: int, modes: dict[str, str]) -> None:
    """Store how a person receives each kind of notification; flush."""
    existing = {
        p.kind: p
        for p in db.session.scalars(select(Preference).where(Preference.user_id == user_id))
    }
    for kind, mode in modes.items():
        if kind not in KINDS or mode not in MODES:
            raise ValueError(f"unknown kind or mode: {kind}={mode}")
        if kind in existing:
            existing[kind].mode = mode
        else:
            db.session.add(Preference(user_id=user_id, kind=kind, mode=mode))
    db.session.flush()
