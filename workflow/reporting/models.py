"""Progress reports on a commitment's implementation, per period and per milestone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..definitions.progress_report import STATES as REPORT_STATES
from ..engine.audit import utcnow
from ..engine.record import WorkflowRecord
from ..extensions import db
from ..models_util import one_of
from ..plans.models import MILESTONE_STATUSES, Commitment, Milestone
from .scales import COMPLETION


class ProgressReport(WorkflowRecord, db.Model):
    __tablename__ = "progress_reports"
    __table_args__ = (
        one_of("state", REPORT_STATES, "state"),
        one_of("completion", COMPLETION, "completion", nullable=True),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )
    record_type = "progress_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    period_label: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[date]
    period_end: Mapped[date]
    completion: Mapped[str | None] = mapped_column(String(20))
    narrative: Mapped[str] = mapped_column(Text, default="")
    evidence_links: Mapped[list[str]] = mapped_column(JSON, default=list)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    commitment: Mapped[Commitment] = relationship()
    created_by: Mapped[User | None] = relationship()
    milestone_progress: Mapped[list[MilestoneProgress]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )

    @property
    def plan(self):
        return self.commitment.plan

    @property
    def plan_id(self) -> int:
        return self.commitment.plan_id

    def display_title(self) -> str:
        """Return the name a person knows the report by: its period and its commitment."""
        return f"{self.period_label}: {self.commitment.display_title()}"

    def page_path(self) -> str:
        """Return the path of the page that shows the report."""
        return f"/commitments/{self.commitment_id}#report-{self.id}"

    def short_name(self) -> str:
        """Return a short name for subject lines, in the current locale."""
        from flask_babel import gettext

        return gettext(
            "Report %(period)s on commitment %(number)s",
            period=self.period_label,
            number=self.commitment.number,
        )


class MilestoneProgress(db.Model):
    __tablename__ = "milestone_progress"
    __table_args__ = (
        UniqueConstraint("report_id", "milestone_id"),
        one_of("status", MILESTONE_STATUSES, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[ProgressReport] = relationship(back_populates="milestone_progress")
    milestone: Mapped[Milestone] = relationship()


class Attachment(db.Model):
    """A file uploaded as evidence for a report, kept outside the web root under a random name."""

    __tablename__ = "report_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
