"""Reads for the board and the figures: a fixed number of queries each, scoped to one plan.

Nothing here loads a row per vote, comment or log entry elsewhere; counts come from aggregate
queries over the indexes declared in models.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Date, Integer, Select, func, null, select, union_all
from sqlalchemy.orm import load_only, selectinload

from ..accounts.models import PlanMembership, User
from ..accounts.roles import CIVIL_SOCIETY, GOVERNMENT, MSF_MEMBER, POC
from ..definitions.commitment import IMPLEMENTATION_STATE, STATES, VOTING_STATE
from ..definitions.registry import engine
from ..engine.audit import LogEntry, utcnow
from ..extensions import db
from ..plans.models import ActionPlan, Commitment, Milestone
from ..reporting.deadlines import CYCLE_MONTHS
from ..reporting.models import MilestoneProgress, ProgressReport
from ..review.models import Comment, Vote
from .models import Rating
from .stages import TERMINAL, StageTime, stage_times


def report_grace_days() -> int:
    """Return how many days after its period a report is due: the reminders' setting."""
    return int(current_app.config.get("NOTIFY_REPORT_DUE_DAYS", 30))


@dataclass
class Period:
    label: str
    start: date
    end: date

    @property
    def due(self) -> date:
        return self.end + timedelta(days=report_grace_days())


def period_of(day: date, cycle: str) -> Period:
    """Return the reporting period (quarter, half or year) that contains `day`."""
    months = CYCLE_MONTHS.get(cycle, 3)
    index = (day.month - 1) // months
    start = date(day.year, index * months + 1, 1)
    end_month = start.month + months
    end = (
        date(day.year + 1, 1, 1) if end_month > 12 else date(day.year, end_month, 1)
    ) - timedelta(days=1)
    if months == 3:
        name = f"{day.year} Q{index + 1}"
    elif months == 6:
        name = f"{day.year} H{index + 1}"
    else:
        name = str(day.year)
    return Period(name, start, end)


@dataclass
class Card:
    commitment: Commitment
    days_in_stage: int
    due: date | None
    overdue: bool
    # What it waits on, as data; the page words it (see waiting.py).
    votes_cast: int = 0
    voters: int = 0
    sides_not_voted: list[str] = field(default_factory=list)
    voted_by: set[int] = field(default_factory=set)  # members who voted in the current round
    unanswered: int = 0
    report_period: str | None = None
    report_due: date | None = None
    report_waiting_acceptance: str | None = None


@dataclass
class Board:
    plan: ActionPlan
    cards: list[Card]
    columns: dict[str, list[Card]]
    lead_agencies: list[str]
    today: date
    # The plan's active MSF members (id, name, side) by name, read when a vote is open.
    members: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class ReadAlready:
    """Rows the figures read for themselves, which the board then need not read again."""

    rounds: dict[int, int]  # commitment id: times it entered the vote
    reports: list[Any]  # the plan's reports, see plan_reports()


def board(
    plan: ActionPlan,
    filters: dict[str, str] | None = None,
    now: datetime | None = None,
    read: ReadAlready | None = None,
) -> Board:
    """Return the plan's cards grouped by state, filtered, with whom each waits on."""
    filters = filters or {}
    now = now or utcnow()
    today = now.date()
    commitments = list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.plan_id == plan.id)
            .options(
                load_only(
                    Commitment.id,
                    Commitment.number,
                    Commitment.title,
                    Commitment.lead_agency,
                    Commitment.state,
                    Commitment.state_changed_at,
                    Commitment.ogp_values,
                    Commitment.plan_id,
                    Commitment.workflow_key,
                    Commitment.workflow_version,
                    Commitment.version,
                )
            )
            .order_by(Commitment.number)
        )
    )
    agencies = sorted({c.lead_agency for c in commitments if c.lead_agency})
    cards = [_card(c, now) for c in commitments]
    members = _add_waiting(plan, cards, today, read)
    shown = [c for c in cards if _matches(c, filters)]
    columns: dict[str, list[Card]] = {state: [] for state in STATES}
    for card in shown:
        columns[card.commitment.state].append(card)
    return Board(plan, shown, columns, agencies, today, members)


def _card(c: Commitment, now: datetime) -> Card:
    due_at = engine.due_at(c)
    return Card(
        commitment=c,
        days_in_stage=max((now - c.state_changed_at).days, 0),
        due=due_at.date() if due_at else None,
        overdue=bool(due_at and due_at < now),
    )


def _matches(card: Card, filters: dict[str, str]) -> bool:
    c = card.commitment
    if filters.get("agency") and c.lead_agency != filters["agency"]:
        return False
    if filters.get("value") and filters["value"] not in (c.ogp_values or []):
        return False
    if filters.get("state") and c.state != filters["state"]:
        return False
    return not (filters.get("overdue") and not card.overdue)


def plan_commitment_ids(plan: ActionPlan, *where: Any) -> Select:
    """Return the SELECT of the plan's commitment ids (those matching `where`).

    Related rows are read by this subquery rather than by a list of ids: the statement stays the
    same whatever the plan's size, so SQLAlchemy compiles it once and nothing binds 100 ids anew
    on each request (psycopg neither caches nor converts such long statements cheaply).
    """
    return select(Commitment.id).where(Commitment.plan_id == plan.id, *where)


def _add_waiting(
    plan: ActionPlan, cards: list[Card], today: date, read: ReadAlready | None = None
) -> list[tuple[int, str, str]]:
    """Fill in votes, unanswered comments and reports due: at most five queries, whatever the
    size (three when the figures pass what they read already).

    Return the plan's MSF members if a vote is open (read for it), else an empty list.
    """
    by_id = {card.commitment.id: card for card in cards}
    voting = [i for i, card in by_id.items() if card.commitment.state == VOTING_STATE]
    members_named: list[tuple[int, str, str]] = []
    if voting:
        voting_ids = plan_commitment_ids(plan, Commitment.state == VOTING_STATE)
        rounds = read.rounds if read else _rounds(voting_ids)
        members_named = msf_members(plan)
        members = {user_id: side for user_id, _name, side in members_named}
        cast: dict[int, set[int]] = defaultdict(set)
        for commitment_id, round_, user_id in db.session.execute(
            select(Vote.commitment_id, Vote.round, Vote.user_id).where(
                Vote.commitment_id.in_(voting_ids)
            )
        ):
            if commitment_id in by_id and round_ == rounds.get(commitment_id):
                cast[commitment_id].add(user_id)
        for commitment_id in voting:
            card = by_id[commitment_id]
            voted = cast[commitment_id] & set(members)
            card.voted_by = voted
            card.voters = len(members)
            card.votes_cast = len(voted)
            card.sides_not_voted = [
                side
                for side in (GOVERNMENT, CIVIL_SOCIETY)
                if any(s == side for s in members.values())
                and not any(members[u] == side for u in voted)
            ]
    drafting = [i for i, card in by_id.items() if card.commitment.state not in TERMINAL]
    if drafting:
        for commitment_id, n in db.session.execute(
            select(Comment.commitment_id, func.count())
            .where(
                Comment.commitment_id.in_(
                    plan_commitment_ids(plan, Commitment.state.not_in(TERMINAL))
                ),
                Comment.responded_at.is_(None),
            )
            .group_by(Comment.commitment_id)
        ):
            if commitment_id in by_id:
                by_id[commitment_id].unanswered = n
    implementing = [i for i, card in by_id.items() if card.commitment.state == IMPLEMENTATION_STATE]
    if implementing:
        last: dict[int, tuple[date, str, str]] = {}
        reports = (
            read.reports if read else plan_reports(plan, Commitment.state == IMPLEMENTATION_STATE)
        )
        for report in reports:
            last[report.commitment_id] = (report.period_end, report.period_label, report.state)
        for commitment_id in implementing:
            card = by_id[commitment_id]
            if commitment_id in last:
                end, label, state = last[commitment_id]
                if state == "submitted":
                    card.report_waiting_acceptance = label
                period = period_of(end + timedelta(days=1), plan.reporting_cycle)
            else:
                period = period_of(card.commitment.state_changed_at.date(), plan.reporting_cycle)
            card.report_period, card.report_due = period.label, period.due
            card.due = period.due
            card.overdue = period.due < today
    return members_named


def _rounds(voting_ids: Select) -> dict[int, int]:
    """Return how often each commitment in a vote has entered it: its current round."""
    return dict(
        db.session.execute(
            select(LogEntry.record_id, func.count())
            .where(
                LogEntry.record_type == Commitment.record_type,
                LogEntry.record_id.in_(voting_ids),
                LogEntry.to_state == VOTING_STATE,
            )
            .group_by(LogEntry.record_id)
        ).all()
    )


def plan_reports(plan: ActionPlan, *where: Any) -> list[Any]:
    """Return the reports of the plan's commitments (those matching `where`), by period."""
    return list(
        db.session.execute(
            select(
                ProgressReport.commitment_id,
                ProgressReport.state,
                ProgressReport.completion,
                ProgressReport.period_end,
                ProgressReport.period_label,
            )
            .where(ProgressReport.commitment_id.in_(plan_commitment_ids(plan, *where)))
            .order_by(ProgressReport.period_end, ProgressReport.id)
        )
    )


def msf_members(plan: ActionPlan) -> list[tuple[int, str, str]]:
    """Return the plan's active MSF members, (id, name, side of the forum), by name."""
    return [
        (user_id, name, sector)
        for user_id, name, sector in db.session.execute(
            select(User.id, User.name, PlanMembership.sector)
            .join(PlanMembership, PlanMembership.user_id == User.id)
            .where(
                PlanMembership.plan_id == plan.id,
                PlanMembership.role == MSF_MEMBER,
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    ]


@dataclass
class Figures:
    plan: ActionPlan
    board: Board
    per_state: dict[str, int]
    funnel: list[tuple[str, int]]
    stage_times: list[StageTime]
    overdue: list[Card]
    outstanding_votes: list[tuple[str, str, int]]
    unanswered: list[Card]
    reports: dict[str, int]
    progress: list[dict[str, Any]]
    completion_levels: dict[str, int]
    completion_over_time: list[tuple[str, dict[str, int]]]


def figures(plan: ActionPlan, now: datetime | None = None) -> Figures:
    """Return every figure of one plan, in a fixed number of queries."""
    now = now or utcnow()
    scan = stage_times(plan.id, now)
    report_rows = plan_reports(plan)
    the_board = board(plan, now=now, read=ReadAlready(scan.rounds, report_rows))
    cards = the_board.cards
    per_state = Counter(card.commitment.state for card in cards)
    reports, completion_by_commitment, over_time = _reports(the_board, report_rows, now.date())
    progress = _progress(the_board, completion_by_commitment)
    levels = Counter(p["completion"] for p in progress if p["completion"])
    return Figures(
        plan=plan,
        board=the_board,
        per_state={s: per_state.get(s, 0) for s in STATES},
        funnel=scan.funnel,
        stage_times=scan.times,
        overdue=[c for c in cards if c.overdue],
        outstanding_votes=_outstanding_votes(the_board),
        unanswered=[c for c in cards if c.unanswered],
        reports=reports,
        progress=progress,
        completion_levels=dict(levels),
        completion_over_time=over_time,
    )


def _outstanding_votes(the_board: Board) -> list[tuple[str, str, int]]:
    """Return (member, side, votes not yet cast) for the plan's open rounds."""
    # The board has read the members and the current round's votes (Card.voted_by) already.
    open_rounds = [c for c in the_board.cards if c.commitment.state == VOTING_STATE]
    found = []
    for user_id, name, sector in the_board.members if open_rounds else []:
        missing = sum(1 for card in open_rounds if user_id not in card.voted_by)
        if missing:
            found.append((name, sector, missing))
    return found


def _reports(
    the_board: Board, rows: list[Any], today: date
) -> tuple[dict[str, int], dict[int, str], list[tuple[str, dict[str, int]]]]:
    """Count reports due, late, waiting and accepted; the latest completion of each commitment."""
    counts = {"due": 0, "late": 0, "submitted": 0, "accepted": 0}
    for card in the_board.cards:
        if card.report_due:
            counts["late" if card.report_due < today else "due"] += 1
    completion: dict[int, str] = {}
    over_time: dict[tuple[date, str], Counter] = defaultdict(Counter)
    if the_board.cards:
        ids = plan_commitment_ids(the_board.plan)
        for commitment_id, state, level, end, label in rows:
            if state in counts:
                counts[state] += 1
            if state == "accepted" and level:
                completion[commitment_id] = level
                over_time[(end, label)][level] += 1
        for commitment_id, value in db.session.execute(
            select(Rating.commitment_id, Rating.value).where(
                Rating.commitment_id.in_(ids), Rating.measure == "completion"
            )
        ):
            completion.setdefault(commitment_id, value)
    series = [(label, dict(c)) for (_end, label), c in sorted(over_time.items())]
    return counts, completion, series


def _progress(the_board: Board, completion: dict[int, str]) -> list[dict[str, Any]]:
    """Return each commitment's share of milestones complete and its completion level."""
    cards = the_board.cards
    totals: Counter = Counter()
    done: Counter = Counter()
    if cards:
        ids = plan_commitment_ids(the_board.plan)
        statuses: dict[int, tuple[int, str]] = {}
        reported: dict[int, tuple[tuple[date, int], str]] = {}
        # The milestones, then what accepted reports say of them: one statement, one round trip.
        milestones = select(
            Milestone.id,
            Milestone.commitment_id,
            Milestone.status,
            null().cast(Date),
            null().cast(Integer),
        ).where(Milestone.commitment_id.in_(ids))
        progress = (
            select(
                MilestoneProgress.milestone_id,
                null().cast(Integer),
                MilestoneProgress.status,
                ProgressReport.period_end,
                ProgressReport.id,
            )
            .join(ProgressReport, ProgressReport.id == MilestoneProgress.report_id)
            .where(ProgressReport.commitment_id.in_(ids), ProgressReport.state == "accepted")
        )
        for milestone_id, commitment_id, status, end, report_id in db.session.execute(
            union_all(milestones, progress)
        ):
            if report_id is None:
                statuses[milestone_id] = (commitment_id, status)
            elif (end, report_id) > reported.get(milestone_id, ((end, -1), ""))[0]:
                reported[milestone_id] = ((end, report_id), status)
        # The latest accepted report says where each milestone stands, where there is one.
        for milestone_id, (_when, status) in reported.items():
            if milestone_id in statuses:
                statuses[milestone_id] = (statuses[milestone_id][0], status)
        for commitment_id, status in statuses.values():
            totals[commitment_id] += 1
            done[commitment_id] += status == "completed"
    return [
        {
            "commitment": card.commitment,
            "milestones": totals[card.commitment.id],
            "done": done[card.commitment.id],
            "share": round(100 * done[card.commitment.id] / totals[card.commitment.id])
            if totals[card.commitment.id]
            else None,
            "completion": completion.get(card.commitment.id),
        }
        for card in cards
    ]


def compare(plans: list[ActionPlan], now: datetime | None = None) -> list[Figures]:
    """Return the figures of several plans, to read side by side."""
    return [figures(plan, now) for plan in plans]


def plan_by_slug(slug: str) -> ActionPlan | None:
    """Return a plan by its slug, or None."""
    return db.session.scalar(select(ActionPlan).where(ActionPlan.slug == slug))


def printable_plan(plan: ActionPlan) -> list[Commitment]:
    """Return the plan's commitments with their milestones, for the printed plan."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.plan_id == plan.id)
            .options(selectinload(Commitment.milestones))
            .order_by(Commitment.number)
        )
    )


def monitored_plans(user: User) -> list[ActionPlan]:
    """Return the plans whose board `user` may see (can_monitor_plan), newest first."""
    stmt = select(ActionPlan).order_by(ActionPlan.period_start.desc(), ActionPlan.id)
    if not user.is_admin:
        watching = select(PlanMembership.plan_id).where(
            PlanMembership.user_id == user.id, PlanMembership.role.in_((POC, MSF_MEMBER))
        )
        stmt = stmt.where(ActionPlan.id.in_(watching))
    return list(db.session.scalars(stmt))
