"""When progress reports fall due: one per commitment in implementation per reporting period."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..definitions.commitment import IMPLEMENTATION_STATE
from ..extensions import db
from ..plans.models import ActionPlan, Commitment
from .models import ProgressReport

CYCLE_MONTHS = {"quarterly": 3, "biannual": 6, "annual": 12}
# A report in one of these states has been handed in for its period.
HANDED_IN = ("submitted", "accepted")


@dataclass(frozen=True)
class ReportDue:
    """A commitment's progress report for one period, not handed in yet."""

    commitment: Commitment
    period_start: date
    period_end: date
    due_at: datetime


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def last_period(plan: ActionPlan, on: date) -> tuple[date, date] | None:
    """Return the plan's latest reporting period that ended before `on`, counted from its start."""
    months = CYCLE_MONTHS.get(plan.reporting_cycle, 3)
    start, found = plan.period_start, None
    while True:
        end = add_months(start, months) - timedelta(days=1)
        if end >= on or start > plan.period_end:
            return found
        found = (start, min(end, plan.period_end))
        start = end + timedelta(days=1)


def reports_due(at: datetime, due_days: int) -> Iterator[ReportDue]:
    """Yield each commitment in implementation whose last period's report is not handed in.

    A period counts once the commitment was in implementation before it ended.
    """
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.state == IMPLEMENTATION_STATE)
        .order_by(Commitment.plan_id, Commitment.id)
    ).all()
    for commitment in commitments:
        period = last_period(commitment.plan, at.date())
        if period is None or commitment.state_changed_at.date() > period[1]:
            continue
        start, end = period
        handed_in = db.session.scalar(
            select(ProgressReport.id)
            .where(
                ProgressReport.commitment_id == commitment.id,
                ProgressReport.period_end >= end,
                ProgressReport.period_start <= end,
                ProgressReport.state.in_(HANDED_IN),
            )
            .limit(1)
        )
        if handed_in is None:
            due = datetime.combine(end + timedelta(days=due_days), datetime.min.time())
            yield ReportDue(commitment, start, end, due)
