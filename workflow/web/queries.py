"""Reads for the pages, each in a fixed, small number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only, selectinload

from ..accounts.models import User
from ..accounts.permissions import visible_plans_rule
from ..engine.audit import LogEntry
from ..extensions import db
from ..plans.models import ActionPlan, Commitment
from ..reporting.models import MilestoneProgress, ProgressReport


def public_plans() -> list[ActionPlan]:
    """Return the public plans, newest first, with the commitment columns the index shows."""
    return visible_plans(None)


def visible_plans(user: User | None) -> list[ActionPlan]:
    """Return the public plans plus those `user` belongs to (every plan for an admin)."""
    stmt = (
        select(ActionPlan)
        .order_by(ActionPlan.period_start.desc(), ActionPlan.id)
        .options(
            selectinload(ActionPlan.commitments).options(
                load_only(
                    Commitment.number,
                    Commitment.title,
                    Commitment.lead_agency,
                    Commitment.state,
                    Commitment.plan_id,
                )
            )
        )
    )
    return list(db.session.scalars(stmt.where(visible_plans_rule(user))))


@dataclass
class CommitmentPage:
    commitment: Commitment
    history: list[LogEntry]
    reports: list[ProgressReport]
    report_history: dict[int, list[LogEntry]] = field(default_factory=dict)


def commitment_page(commitment_id: int) -> CommitmentPage | None:
    """Return a commitment with its plan, milestones, log and reports; None when absent."""
    commitment = db.session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(joinedload(Commitment.plan), selectinload(Commitment.milestones))
    )
    if commitment is None:
        return None
    history = _log("commitment", [commitment.id])
    reports = list(
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.commitment_id == commitment.id)
            .order_by(ProgressReport.period_start, ProgressReport.id)
            .options(
                selectinload(ProgressReport.milestone_progress).joinedload(
                    MilestoneProgress.milestone
                )
            )
        )
    )
    report_history: dict[int, list[LogEntry]] = defaultdict(list)
    if reports:
        for entry in _log("progress_report", [r.id for r in reports]):
            report_history[entry.record_id].append(entry)
    return CommitmentPage(commitment, history, reports, dict(report_history))


def _log(record_type: str, record_ids: list[int]) -> list[LogEntry]:
    return list(
        db.session.scalars(
            select(LogEntry)
            .where(LogEntry.record_type == record_type, LogEntry.record_id.in_(record_ids))
            .order_by(LogEntry.record_id, LogEntry.seq)
        )
    )
