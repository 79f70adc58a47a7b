"""Reads for progress reports, in a few fixed queries each."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..plans.models import Commitment
from .models import ProgressReport


def commitment_reports(commitment: Commitment) -> list[ProgressReport]:
    """Return a commitment's progress reports by period, with their milestone statuses."""
    return list(
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.commitment_id == commitment.id)
            .options(
                joinedload(ProgressReport.created_by),
                selectinload(ProgressReport.milestone_progress),
            )
            .order_by(ProgressReport.period_start, ProgressReport.id)
        )
    )


def get_report(report_id: int) -> ProgressReport | None:
    """Return a report with its commitment, plan and milestone statuses, or None."""
    return db.session.scalar(
        select(ProgressReport)
        .where(ProgressReport.id == report_id)
        .options(
            joinedload(ProgressReport.commitment).joinedload(Commitment.plan),
            joinedload(ProgressReport.created_by),
            selectinload(ProgressReport.milestone_progress),
        )
    )
