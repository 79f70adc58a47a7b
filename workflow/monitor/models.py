"""What an import brings that the commitment template has no place for, and IRM-style ratings.

The indexes at the end serve the board and figures: counts per plan and state, comments
without a response, reports per commitment and state, all as indexed aggregate queries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..engine.audit import utcnow
from ..extensions import db
from ..models_util import one_of
from ..plans.models import Commitment
from ..reporting.models import ProgressReport
from ..review.models import Comment

# What a rating measures; each rating also records the scale it was made on (see scales.py).
MEASURES = ("verifiability", "relevance", "potential", "completion", "early_results")


class CommitmentSource(db.Model):
    """Where an imported commitment came from, with the OGP fields the template lacks."""

    __tablename__ = "commitment_sources"

    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True
    )
    action_plan: Mapped[str] = mapped_column(String(300), default="")
    cycle_year: Mapped[int | None]
    # In full: a commitment's `lead_agency` holds 300 characters, OGP's data sometimes more.
    lead_institution: Mapped[str] = mapped_column(Text, default="")
    support_institutions: Mapped[str] = mapped_column(Text, default="")
    policy_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_url: Mapped[str] = mapped_column(String(500), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rating(db.Model):
    """One IRM-style rating of a commitment: what it measures, on which scale, which level."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("commitment_id", "measure"),
        one_of("measure", MEASURES, "measure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(20))
    scale: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_commitments_plan_state", Commitment.plan_id, Commitment.state)
Index("ix_commitments_ogp_id", Commitment.ogp_id, unique=True)
Index("ix_comments_commitment_responded", Comment.commitment_id, Comment.responded_at)
Index("ix_progress_reports_commitment_state", ProgressReport.commitment_id, ProgressReport.state)
