"""The notification outbox: one small row per recipient, written in the transition's transaction.

A row holds what is needed to compose its message later (the log entry, the recipient, the
template and the roles the recipient is addressed in), never the rendered text: the dispatcher
renders each message when it sends it, in the recipient's language, from the append-only log.
A sent row keeps what proves it went out: recipient, template, log entry, time and Message-ID.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..engine.audit import utcnow
from ..extensions import db
from ..models_util import one_of

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# Never sent, on purpose (e.g. the demo's scripted history); last_error says why.
SUPPRESSED = "suppressed"
STATUSES = (PENDING, SENDING, SENT, FAILED, SUPPRESSED)

# The templates a message is rendered from (templates/email/<template>.*).
TRANSITION = "transition"
REMINDER, ESCALATION = "reminder", "escalation"


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
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_notices.id"))
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


class DeadlineNotice(db.Model):
    """A reminder or escalation about one deadline, written once however often reminders run.

    `key` names the deadline: the stage entry (state and the time it was entered) or the report
    period; the unique constraint is what makes a second run send nothing.
    """

    __tablename__ = "deadline_notices"
    __table_args__ = (UniqueConstraint("record_type", "record_id", "key", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # REMINDER or ESCALATION
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int]
    key: Mapped[str] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(60))  # the stage; None for a report period
    period_end: Mapped[date | None]  # the report period; None for a stage
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Kinds of notification a person chooses how to receive (requests with a deadline are always
# sent at once, whatever the choice).
UPDATES, FOLLOWED = "updates", "followed"
KINDS = (UPDATES, FOLLOWED)
IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
MODES = (IMMEDIATE, DIGEST, OFF)
DIGEST_TEMPLATE = "digest"


class Notification(db.Model):
    """One in-app notification: what the bell counts and the list shows, rendered when read."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_digest", "digest_pending", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    template: Mapped[str] = mapped_column(String(60))
    audience: Mapped[str] = mapped_column(String(200), default="")
    log_entry_id: Mapped[int | None] = mapped_column(ForeignKey("transition_log.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_notices.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Waiting for the recipient's daily digest mail.
    digest_pending: Mapped[bool] = mapped_column(default=False)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))


class Follow(db.Model):
    """A person's own choice about a commitment: follow it (True) or stop following it (False)."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "commitment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    following: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Preference(db.Model):
    """How a person receives one kind of notification: at once, in a daily digest, or not."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        one_of("kind", KINDS, "kind"),
        one_of("mode", MODES, "mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10))
