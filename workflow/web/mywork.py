"""My work: what waits on a person now across the plans they belong to, oldest first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
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
SHOWN = 100  # items on the page, the most pressing first
# Where each role may have something to do (what exactly is decided per commitment below).
ROLE_STATES = {
    DRAFTER: DRAFTING_STATES,
    POC: DRAFTING_STATES,
    CSO_REVIEWER: (REVIEW_STATE,),
    MSF_MEMBER: (VOTING_STATE,),
    SIGNATORY: (SIGNOFF_STATE,),
    IMPLEMENTER: (IMPLEMENTATION_STATE,),
}


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
    # Only the states in which some role of the visitor has something to do, and only the
    # columns the list shows: on a large instance most commitments wait on nobody here.
    held = set().union(*roles.values())
    states = {
        state for role, role_states in ROLE_STATES.items() if role in held for state in role_states
    }
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.plan_id.in_(list(roles)), Commitment.state.in_(sorted(states)))
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
        .order_by(Commitment.state_changed_at)
    ).all()
    voted = _voted_in_current_round(
        [c.id for c in commitments if c.state == VOTING_STATE and MSF_MEMBER in roles[c.plan_id]],
        user,
    )
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
        if MSF_MEMBER in mine and c.state == VOTING_STATE and c.id not in voted:
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


def _voted_in_current_round(ids: list[int], user: User) -> set[int]:
    """Return which of these commitments the user has voted on in the current round: 2 queries."""
    if not ids:
        return set()
    rounds = dict(
        db.session.execute(
            select(LogEntry.record_id, func.count())
            .where(
                LogEntry.record_type == Commitment.record_type,
                LogEntry.record_id.in_(ids),
                LogEntry.to_state == VOTING_STATE,
            )
            .group_by(LogEntry.record_id)
        ).all()
    )
    return {
        commitment_id
        for commitment_id, round_ in db.session.execute(
            select(Vote.commitment_id, Vote.round).where(
                Vote.commitment_id.in_(ids), Vote.user_id == user.id
            )
        )
        if rounds.get(commitment_id) == round_
    }
