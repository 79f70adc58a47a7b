"""Reads for the pages, each in a fixed, small number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
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


PLANS_PER_PAGE = 10
COMMITMENTS_PER_PLAN = 10  # on the index; a plan's own listing pages through the rest
COMMITMENTS_PER_PAGE = 50


@dataclass
class IndexPage:
    plans: list[ActionPlan]
    commitments: dict[int, list[Commitment]]
    totals: dict[int, int]
    page: int
    pages: int  # scoped to a plan: how many pages; else this page, plus one if there are more
    scoped: ActionPlan | None = None
    state: str | None = None


def index_page(
    user: User | None, page: int = 1, plan_slug: str | None = None, state: str | None = None
) -> IndexPage:
    """Return one page of the index in two queries whatever the size: plans, then rows.

    Unscoped, it lists PLANS_PER_PAGE plans with their first commitments each; scoped to one
    plan (and optionally one state), it pages through that plan's commitments.
    """
    plans_stmt = _visible(user)
    if plan_slug:
        plans_stmt = plans_stmt.where(ActionPlan.slug == plan_slug)
    per_page = COMMITMENTS_PER_PAGE if plan_slug else PLANS_PER_PAGE
    page = max(page, 1)
    if plan_slug:
        plans = list(db.session.scalars(plans_stmt))
    else:
        # One more than a page tells whether there is a next page without counting them all.
        plans = list(
            db.session.scalars(plans_stmt.limit(per_page + 1).offset((page - 1) * per_page))
        )
        pages = page + 1 if len(plans) > per_page else page
        plans = plans[:per_page]
    ids = [p.id for p in plans]
    totals: dict[int, int] = defaultdict(int)
    rows: dict[int, list[Commitment]] = defaultdict(list)
    if ids:
        columns = load_only(
            Commitment.number,
            Commitment.title,
            Commitment.lead_agency,
            Commitment.state,
            Commitment.plan_id,
        )
        # Each row carries its plan's total (a window count), so no separate count query.
        total = func.count().over(partition_by=Commitment.plan_id).label("total")
        if plan_slug:
            stmt = select(Commitment, total).where(Commitment.plan_id == ids[0])
            if state:
                stmt = stmt.where(Commitment.state == state)
            stmt = stmt.order_by(Commitment.number).limit(per_page).offset((page - 1) * per_page)
        else:
            # The first few of each plan, in one query: rank within the plan, keep the top.
            ranked = (
                select(
                    Commitment.id,
                    func.row_number()
                    .over(partition_by=Commitment.plan_id, order_by=Commitment.number)
                    .label("rank"),
                    total,
                )
                .where(Commitment.plan_id.in_(ids))
                .subquery()
            )
            stmt = (
                select(Commitment, ranked.c.total)
                .join(ranked, ranked.c.id == Commitment.id)
                .where(ranked.c.rank <= COMMITMENTS_PER_PLAN)
                .order_by(Commitment.plan_id, Commitment.number)
            )
        for c, count in db.session.execute(stmt.options(columns)):
            rows[c.plan_id].append(c)
            totals[c.plan_id] = count
        if plan_slug:
            pages = max(1, page if not rows else -(-totals[ids[0]] // per_page))
    elif plan_slug:
        pages = 1
    return IndexPage(
        plans,
        dict(rows),
        dict(totals),
        page,
        pages,
        plans[0] if plan_slug and plans else None,
        state,
    )


def _visible(user: User | None):
    stmt = select(ActionPlan).order_by(ActionPlan.period_start.desc(), ActionPlan.id)
    return stmt.where(visible_plans_rule(user))


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
