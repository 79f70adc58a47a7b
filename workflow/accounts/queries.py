"""Reads for the members and administration pages, each in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import Organisation, PlanMembership, User
from .roles import PLAN_ROLES, POC


def plan_members(plan) -> list[PlanMembership]:
    """Return the plan's memberships with their users, by role (in the roles' order) then name."""
    rows = db.session.scalars(
        select(PlanMembership)
        .join(PlanMembership.user)
        .where(PlanMembership.plan_id == plan.id)
        .options(joinedload(PlanMembership.user).joinedload(User.organisation))
        .order_by(User.name, User.email)
    ).all()
    order = {role: n for n, role in enumerate(PLAN_ROLES)}
    return sorted(rows, key=lambda m: order.get(m.role, len(order)))


def all_accounts() -> list[User]:
    """Return every account, active ones first, by name, with its organisation."""
    return list(
        db.session.scalars(
            select(User)
            .options(joinedload(User.organisation))
            .order_by(User.active.desc(), User.name, User.email)
        )
    )


def organisations() -> list[tuple[Organisation, int]]:
    """Return every organisation with how many accounts belong to it, by name."""
    members = (
        select(User.organisation_id, func.count().label("n"))
        .group_by(User.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )
    return [(org, n) for org, n in rows]


def managed_plan_ids(user: User | None) -> set[int] | None:
    """Return the ids of the plans whose members `user` manages; None meaning all (an admin)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return set()
    if user.is_admin:
        return None
    return set(
        db.session.scalars(
            select(PlanMembership.plan_id).where(
                PlanMembership.user_id == user.id, PlanMembership.role == POC
            )
        )
    )
