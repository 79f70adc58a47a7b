"""Action plans, commitments, milestones and the revision history of commitment text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import PlanMembership, User
from ..definitions.commitment import STATES as COMMITMENT_STATES
from ..engine.audit import utcnow
from ..engine.gate import MAJORITY_WITH_PARITY, RULES
from ..engine.record import WorkflowRecord
from ..extensions import db
from ..models_util import one_of

REPORTING_CYCLES = ("quarterly", "biannual", "annual")

# The values OGP tests each commitment against.
OGP_VALUES = (
    "access_to_information",
    "civic_participation",
    "public_accountability",
    "technology_and_innovation",
)

MILESTONE_STATUSES = ("not_started", "in_progress", "completed", "delayed", "cancelled")

# The OGP commitment template, in the order a person fills it in.
TEXT_FIELDS = (
    "title",
    "problem",
    "description",
    "how_it_solves",
    "lead_agency",
    "other_actors_government",
    "other_actors_civil_society",
    "expected_results",
)
REQUIRED_FIELDS = (
    "title",
    "problem",
    "description",
    "how_it_solves",
    "ogp_values",
    "lead_agency",
    "expected_results",
)
TEMPLATE_FIELDS = (*TEXT_FIELDS, "ogp_values")


class ActionPlan(db.Model):
    __tablename__ = "action_plans"
    __table_args__ = (
        one_of("reporting_cycle", REPORTING_CYCLES, "reporting_cycle"),
        one_of("approval_rule", RULES, "approval_rule"),
        CheckConstraint("period_end > period_start", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    country: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date]
    period_end: Mapped[date]
    reporting_cycle: Mapped[str] = mapped_column(String(20), default="quarterly")
    approval_rule: Mapped[str] = mapped_column(String(40), default=MAJORITY_WITH_PARITY)
    is_public: Mapped[bool] = mapped_column(default=True)
    # Days each commitment stage may take on this plan (state -> days), over the definition's.
    stage_days: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[PlanMembership]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="plan", order_by="Commitment.number"
    )


class Commitment(WorkflowRecord, db.Model):
    """A commitment of a plan; its `state` moves only through the workflow engine."""

    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        one_of("state", COMMITMENT_STATES, "state"),
    )
    record_type = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id"), index=True)
    number: Mapped[int]
    ogp_id: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    problem: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    how_it_solves: Mapped[str] = mapped_column(Text, default="")
    ogp_values: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_agency: Mapped[str] = mapped_column(String(300), default="")
    other_actors_government: Mapped[str] = mapped_column(Text, default="")
    other_actors_civil_society: Mapped[str] = mapped_column(Text, default="")
    expected_results: Mapped[str] = mapped_column(Text, default="")

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="commitments")
    created_by: Mapped[User | None] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment", order_by="Milestone.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="commitment", order_by="Revision.number"
    )

    def display_title(self) -> str:
        """Return the name a person knows the commitment by."""
        return f"{self.number}. {self.title}"

    def page_path(self) -> str:
        """Return the path of the commitment's page."""
        return f"/commitments/{self.id}"

    def short_name(self) -> str:
        """Return a short name for subject lines, in the current locale ("Commitment 4")."""
        from flask_babel import gettext

        return gettext("Commitment %(number)s", number=self.number)

    def stage_duration(self, state: str) -> int | None:
        """Return the days the plan gives `state`, if it sets its own."""
        return (self.plan.stage_days or {}).get(state)

    def snapshot(self) -> dict[str, Any]:
        """Return the commitment's text and milestones as plain data, for a revision."""
        data: dict[str, Any] = {name: getattr(self, name) for name in TEXT_FIELDS}
        data["ogp_values"] = list(self.ogp_values or [])
        data["milestones"] = [m.as_dict() for m in self.milestones]
        return data


class Milestone(db.Model):
    __tablename__ = "milestones"
    __table_args__ = (
        one_of("status", MILESTONE_STATUSES, "status"),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date > start_date", name="date_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="not_started")

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")

    def as_dict(self) -> dict[str, Any]:
        """Return the milestone as plain data, dates as ISO text."""
        return {
            "id": self.id,
            "position": self.position,
            "description": self.description,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "status": self.status,
        }


class Revision(db.Model):
    """A saved version of a commitment's text; numbered from 1 in the order they were made."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("commitment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    commitment: Mapped[Commitment] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()
