"""My work: what waits on a person now across the plans they belong to, oldest first.

A point of contact of many plans may have thousands of drafts waiting: the database counts each
kind of work and picks the oldest few of each (a window over an indexed scan), so the page costs
the same few queries and renders the same few rows whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, cast, exists, func, literal, null, select, union_all
from sqlalchemy.orm import joinedload, load_only

from ..accounts.models import PlanMembership, User
from ..accounts.roles import CSO_REVIEWER, DRAFTER, IMPLEMENTER, MSF_MEMBER, POC, SIGNATORY
from ..definitions.commitment import (
    DRAFTING_STATES,
    EDITABLE_STATE,
    IMPLEMENTATION_STATE,
    REVIEW_STATE,
    VOTING_STATE,
)
from ..definitions.registry import engine
from ..engine.audit import LogEntry
from ..extensions import db
from ..plans.models import Commitment
from ..reporting.models import ProgressReport
from ..review.models import Comment, Vote

SIGNOFF_STATE = "government_signoff"
SHOWN = 10  # items of each kind on the page, the oldest first
PAGE = 50  # items on a page that lists one kind
KINDS = (
    "revise",
    "answer",
    "review",
    "vote",
    "sign_off",
    "report",
    "report_draft",
    "report_submitted",
)


@dataclass(frozen=True)
class Item:
    """One thing to do: what, on which commitment, since when and by when."""

    kind: str
    commitment: Commitment
    since: datetime
    due: datetime | None
    report: ProgressReport | None = None


@dataclass
class Work:
    """The items shown, the most pressing first, and how many of each kind wait in all."""

    items: list[Item]
    totals: dict[str, int] = field(default_factory=dict)

    def more(self) -> dict[str, int]:
        """Return, per kind, how many items wait that are not shown."""
        shown: dict[str, int] = defaultdict(int)
        for item in self.items:
            shown[item.kind] += 1
        return {k: self.totals[k] - shown[k] for k in KINDS if self.totals.get(k, 0) > shown[k]}


def work_for(user: User, kind: str | None = None, page: int = 1) -> Work:
    """Return what waits on the visitor: the oldest SHOWN of each kind, or one page of `kind`.

    Four queries whatever the size: memberships, the counted and ranked ids, the commitments
    and the reports shown.
    """
    roles: dict[int, set[str]] = defaultdict(set)
    for plan_id, role in db.session.execute(
        select(PlanMembership.plan_id, PlanMembership.role).where(PlanMembership.user_id == user.id)
    ):
        roles[plan_id].add(role)
    selects = _kind_selects(user, roles, [kind] if kind else list(KINDS))
    if not selects:
        return Work([])
    first, last = (PAGE * (page - 1), PAGE * page) if kind else (0, SHOWN)
    ranked = union_all(*selects).subquery()
    rows = db.session.execute(
        select(ranked.c.kind, ranked.c.commitment_id, ranked.c.report_id, ranked.c.total).where(
            ranked.c.rank > first, ranked.c.rank <= last
        )
    ).all()
    totals = {row.kind: row.total for row in rows}
    commitments = {
        c.id: c
        for c in db.session.scalars(
            select(Commitment)
            .where(Commitment.id.in_({row.commitment_id for row in rows}))
            .options(
                load_only(
                    Commitment.id,
                    Commitment.plan_id,
                    Commitment.number,
                    Commitment.title,
                    Commitment.state,
                    Commitment.state_changed_at,
                    Commitment.workflow_key,
                    Commitment.workflow_version,
                    Commitment.version,
                ),
                joinedload(Commitment.plan),
            )
        )
    }
    reports = {
        r.id: r
        for r in db.session.scalars(
            select(ProgressReport).where(
                ProgressReport.id.in_({row.report_id for row in rows if row.report_id})
            )
        )
    }
    items = []
    for row in rows:
        c = commitments[row.commitment_id]
        if row.report_id:
            r = reports[row.report_id]
            items.append(Item(row.kind, c, r.state_changed_at, engine.due_at(r), report=r))
        else:
            items.append(Item(row.kind, c, c.state_changed_at, engine.due_at(c)))
    far = datetime.max
    if kind:
        items.sort(key=lambda i: (i.since, i.commitment.id))
    else:
        items.sort(key=lambda i: (i.due or far, i.since))
    return Work(items, totals)


def _kind_selects(user: User, roles: dict[int, set[str]], kinds: list[str]) -> list[Any]:
    """Return, per kind of work the visitor may have, a select of its items ranked oldest first."""

    def plans(*held: str) -> list[int]:
        return sorted(p for p, mine in roles.items() if mine & set(held))

    unanswered = (
        exists()
        .where(Comment.commitment_id == Commitment.id, Comment.responded_at.is_(None))
        .correlate(Commitment)
    )
    # The current round is the number of times the commitment entered the vote.
    current_round = (
        select(func.count())
        .where(
            LogEntry.record_type == Commitment.record_type,
            LogEntry.record_id == Commitment.id,
            LogEntry.to_state == VOTING_STATE,
        )
        .correlate(Commitment)
        .scalar_subquery()
    )
    voted = (
        exists()
        .where(
            Vote.commitment_id == Commitment.id,
            Vote.user_id == user.id,
            Vote.round == current_round,
        )
        .correlate(Commitment)
    )
    on_commitments = {
        "revise": (plans(DRAFTER, POC), Commitment.state == EDITABLE_STATE),
        "answer": (plans(DRAFTER, POC), and_(Commitment.state.in_(DRAFTING_STATES), unanswered)),
        "review": (plans(CSO_REVIEWER), Commitment.state == REVIEW_STATE),
        "vote": (plans(MSF_MEMBER), and_(Commitment.state == VOTING_STATE, ~voted)),
        "sign_off": (plans(SIGNATORY), Commitment.state == SIGNOFF_STATE),
        "report": (plans(IMPLEMENTER), Commitment.state == IMPLEMENTATION_STATE),
    }
    on_reports = {
        "report_draft": (plans(IMPLEMENTER), "draft"),
        "report_submitted": (plans(POC), "submitted"),
    }
    selects = []
    for kind in kinds:
        if kind in on_commitments:
            plan_ids, condition = on_commitments[kind]
            if plan_ids:
                order = (Commitment.state_changed_at, Commitment.id)
                selects.append(
                    select(
                        literal(kind, String).label("kind"),
                        Commitment.id.label("commitment_id"),
                        cast(null(), Integer).label("report_id"),
                        func.row_number().over(order_by=order).label("rank"),
                        func.count().over().label("total"),
                    ).where(Commitment.plan_id.in_(plan_ids), condition)
                )
        elif kind in on_reports:
            plan_ids, state = on_reports[kind]
            if plan_ids:
                order = (ProgressReport.state_changed_at, ProgressReport.id)
                selects.append(
                    select(
                        literal(kind, String).label("kind"),
                        ProgressReport.commitment_id.label("commitment_id"),
                        ProgressReport.id.label("report_id"),
                        func.row_number().over(order_by=order).label("rank"),
                        func.count().over().label("total"),
                    )
                    .join(Commitment, Commitment.id == ProgressReport.commitment_id)
                    .where(Commitment.plan_id.in_(plan_ids), ProgressReport.state == state)
                )
    return selects
