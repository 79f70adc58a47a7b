"""The notification outbox: one small row per recipient, written in the transition's transaction.

A row holds what is needed to compose its message later (the log entry, the recipient, the
template and the roles the recipient is addressed in), never the rendered text: the dispatcher
renders each message when it sends it, in the recipient's language, from the append-only log.
A sent row keeps what proves it went out: recipient, template, log entry, time and Message-ID.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..engine.audit import utcnow
from ..extensions import db
from ..models_util import one_of

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# Never sent, on purpose (e.g. the demo's scripted history); last_error says why.
SUPPRESSED = "suppressed"
STATUSES = (PENDING, SENDING, SENT, FAILED, SUPPRESSED)

# The one template a transition's message is rendered from (templates/email/transition.*).
TRANSITION = "transition"


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        one_of("status", STATUSES, "status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(60), default=TRANSITION)
    # The roles the recipient is addressed in, comma-separated: they choose the next step.
    audience: Mapped[str] = mapped_column(String(200), default="")
    log_entry_id: Mapped[int | None] = mapped_column(ForeignKey("transition_log.id"))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(250))

    @property
    def roles(self) -> set[str]:
        """Return the roles the recipient is addressed in."""
        return {r for r in self.audience.split(",") if r}


class Installation(db.Model):
    """One row: a random id made once per database, so Message-IDs differ between installations."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32))
