"""Changes to the outbox made by people: retrying a message that failed for good."""

from __future__ import annotations

from ..engine.audit import utcnow
from ..extensions import db
from .models import FAILED, PENDING, OutboxMessage


def retry_failed(message: OutboxMessage) -> None:
    """Put a failed message back in the queue, due now, with its attempts counted afresh; flush."""
    if message.status != FAILED:
        raise ValueError(f"outbox message {message.id} has not failed; it is {message.status}")
    message.status = PENDING
    message.attempts = 0
    message.claimed_at = None
    message.next_attempt_at = utcnow()
    db.session.flush()
