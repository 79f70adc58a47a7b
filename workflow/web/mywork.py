"""My work: what waits on a person now across the plans they belong to, oldest first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
from ..engine.audit import times_entered
from ..extensions import db
from ..plans.models import Commitment
from ..reporting.models import ProgressReport
from ..review.models import Comment, Vote

SIGNOFF_STATE = "government_signoff"


@dataclass(frozen=True)
class Item:
    """One thing to do: what, on which commitment, since when and by when."""

    kind: str
    commitment: Commitment
    since: datetime
    due: datetime | None
    report: ProgressReport | None = None


def items_for(user: User) -> list[Item]:
    """Return the visitor's pending work across plans, the oldest due first."""
    roles: dict[int, set[str]] = defaultdict(set)
    for plan_id, role in db.session.execute(
        select(PlanMembership.plan_id, PlanMembership.role).where(PlanMembership.user_id == user.id)
    ):
        roles[plan_id].add(role)
    if not roles:
        return []
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.plan_id.in_(list(roles)))
        .options(joinedload(Commitment.plan))
        .order_by(Commitment.state_changed_at)
    ).all()
    unanswered = set(
        db.session.scalars(
            select(Comment.commitment_id).where(
                Comment.response.is_(None),
                Comment.commitment_id.in_([c.id for c in commitments]),
            )
        )
    )
    items: list[Item] = []
    for c in commitments:
        mine = roles[c.plan_id]
        due = engine.due_at(c)

        def add(kind: str, commitment: Commitment = c, when: datetime | None = due) -> None:
            items.append(Item(kind, commitment, commitment.state_changed_at, when))

        if mine & {DRAFTER, POC}:
            if c.state == EDITABLE_STATE:
                add("revise")
            if c.state in DRAFTING_STATES and c.id in unanswered:
                add("answer")
        if CSO_REVIEWER in mine and c.state == REVIEW_STATE:
            add("review")
        if MSF_MEMBER in mine and c.state == VOTING_STATE and not _voted(c, user):
            add("vote")
        if SIGNATORY in mine and c.state == SIGNOFF_STATE:
            add("sign_off")
        if IMPLEMENTER in mine and c.state == IMPLEMENTATION_STATE:
            add("report")
    reports = db.session.scalars(
        select(ProgressReport)
        .join(Commitment, Commitment.id == ProgressReport.commitment_id)
        .where(
            Commitment.plan_id.in_(list(roles)), ProgressReport.state.in_(("draft", "submitted"))
        )
        .options(joinedload(ProgressReport.commitment).joinedload(Commitment.plan))
    ).all()
    for r in reports:
        mine = roles[r.commitment.plan_id]
        kind = {"draft": IMPLEMENTER, "submitted": POC}[r.state]
        if kind in mine:
            items.append(
                Item(
                    "report_" + r.state,
                    r.commitment,
                    r.state_changed_at,
                    engine.due_at(r),
                    report=r,
                )
            )
    far = datetime.max
    return sorted(items, key=lambda i: (i.due or far, i.since))


def _voted(commitment: Commitment, user: User) -> bool:
    round_ = times_entered(commitment, VOTING_STATE)
    return (
        db.session.scalar(
            select(Vote.id).where(
                Vote.commitment_id == commitment.id, Vote.round == round_, Vote.user_id == user.id
            )
        )
        is not None
    )
