"""Reads for plans, commitments, revisions and the transition log, in a few fixed queries each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import PlanMembership, User
from ..accounts.permissions import visible_plans_rule
from ..engine.audit import LogEntry
from ..extensions import db
from .models import ActionPlan, Commitment, Revision


def visible_plans(user: User) -> list[ActionPlan]:
    """Return the plans `user` may read: public ones, their own, and every plan for an admin."""
    stmt = (
        select(ActionPlan)
        .where(visible_plans_rule(user))
        .order_by(ActionPlan.period_start.desc(), ActionPlan.id)
    )
    return list(db.session.scalars(stmt))


def user_memberships(user: User) -> list[PlanMembership]:
    """Return the user's roles on every plan, with the plans loaded."""
    return list(
        db.session.scalars(
            select(PlanMembership)
            .where(PlanMembership.user_id == user.id)
            .options(joinedload(PlanMembership.plan))
            .order_by(PlanMembership.plan_id, PlanMembership.role)
        )
    )


def roles_by_plan(user: User, plan_ids: Iterable[int]) -> dict[int, list[str]]:
    """Return the roles `user` holds on each of the plans, sorted."""
    ids = list(plan_ids)
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.execute(
        select(PlanMembership.plan_id, PlanMembership.role)
        .where(PlanMembership.user_id == user.id, PlanMembership.plan_id.in_(ids))
        .order_by(PlanMembership.role)
    )
    for plan_id, role in rows:
        found[plan_id].append(role)
    return found


def commitment_counts(plan_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Return, for each plan, how many of its commitments are in each state."""
    ids = list(plan_ids)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return counts
    rows = db.session.execute(
        select(Commitment.plan_id, Commitment.state, func.count())
        .where(Commitment.plan_id.in_(ids))
        .group_by(Commitment.plan_id, Commitment.state)
    )
    for plan_id, state, n in rows:
        counts[plan_id][state] = n
    return counts


def get_plan(plan_id: int) -> ActionPlan | None:
    """Return a plan by id, or None."""
    return db.session.get(ActionPlan, plan_id)


def plan_commitments(plan: ActionPlan) -> list[Commitment]:
    """Return the plan's commitments in their numbered order."""
    return list(
        db.session.scalars(
            select(Commitment).where(Commitment.plan_id == plan.id).order_by(Commitment.number)
        )
    )


def get_commitment(commitment_id: int) -> Commitment | None:
    """Return a commitment with its plan and milestones, or None.

    Operations that change it lock its row themselves (engine.lock_record).
    """
    stmt = (
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(
            joinedload(Commitment.plan),
            joinedload(Commitment.created_by),
            selectinload(Commitment.milestones),
        )
    )
    return db.session.scalar(stmt)


def commitment_revisions(commitment: Commitment) -> list[Revision]:
    """Return the revisions of a commitment, oldest first, with their authors."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.commitment_id == commitment.id)
            .options(joinedload(Revision.author))
            .order_by(Revision.number)
        )
    )


def record_history(record: Any) -> list[LogEntry]:
    """Return the transition log of a commitment or report, in chain order."""
    return list(
        db.session.scalars(
            select(LogEntry)
            .where(LogEntry.record_type == record.record_type, LogEntry.record_id == record.id)
            .order_by(LogEntry.seq)
        )
    )
