"""Who may do what: every rule in one place, asked by views, templates, the API and operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from sqlalchemy import ColumnElement, bindparam, exists, or_, select, true

from ..definitions.commitment import (
    DRAFTING_STATES,
    EDITABLE_STATE,
    IMPLEMENTATION_STATE,
    VOTING_STATE,
)
from ..definitions.progress_report import EDITABLE_STATE as REPORT_EDITABLE_STATE
from ..engine import Actor, NotAllowed
from ..errors import Conflict
from ..extensions import db
from .models import PlanMembership, User
from .roles import CSO_REVIEWER, DRAFTER, IMPLEMENTER, MSF_MEMBER, POC

if TYPE_CHECKING:
    from ..plans.models import ActionPlan, Commitment
    from ..reporting.models import ProgressReport


# Built once: every firing asks it, and a statement object keeps its cache key.
_ROLES = select(PlanMembership.role).where(
    PlanMembership.plan_id == bindparam("plan_id"), PlanMembership.user_id == bindparam("user_id")
)


def plan_roles(user: User | None, plan: ActionPlan) -> frozenset[str]:
    """Return the roles an active user holds on the plan."""
    return roles_on_plan(user, plan.id)


def roles_on_plan(user: User | None, plan_id: int) -> frozenset[str]:
    """Return the roles an active user holds on the plan with this id (the plan is not loaded)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return frozenset()
    # A page asks several predicates of one plan; a reading request cannot change roles, so it
    # reads them once (kept on the request, never across requests, never while writing).
    remembered = _read_cache()
    key = (user.id, plan_id)
    if remembered is not None and key in remembered:
        return remembered[key]
    roles = frozenset(db.session.scalars(_ROLES, {"plan_id": plan_id, "user_id": user.id}))
    if remembered is not None:
        remembered[key] = roles
    return roles


def _read_cache() -> dict | None:
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return None
    if not hasattr(request, "plan_roles_read"):
        request.plan_roles_read = {}
    return request.plan_roles_read


def actor_for(user: User, plan: ActionPlan) -> Actor:
    """Return the engine's view of a user acting on a plan."""
    return actor_on_plan(user, plan.id)


def actor_on_plan(user: User, plan_id: int) -> Actor:
    """Return the engine's view of a user acting on the plan with this id."""
    return Actor(user_id=user.id, label=user.name, roles=roles_on_plan(user, plan_id))


def plan_id_of(record: Any) -> int:
    """Return the id of the plan a record belongs to, from its column where it has one."""
    plan_id = getattr(record, "plan_id", None)
    return plan_id if plan_id is not None else record.plan.id


def visible_plans_rule(user: User | None) -> ColumnElement[bool]:
    """Who may see a plan, as SQL: public plans to all, others to members and administrators.

    The one statement of the rule: lists filter by it and can_view_plan asks it of one plan.
    """
    from ..plans.models import ActionPlan  # plans' models import this package's models

    public = ActionPlan.is_public.is_(True)
    if _is_admin(user) and user.active:
        return true()
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return public
    member_of = select(PlanMembership.plan_id).where(PlanMembership.user_id == user.id)
    return or_(public, ActionPlan.id.in_(member_of))


def can_view_plan(user: User | None, plan: ActionPlan) -> bool:
    """Public plans are open to all; others to their members and administrators."""
    from ..plans.models import ActionPlan

    remembered = _read_cache()
    key = ("view", getattr(user, "id", None), plan.id)
    if remembered is not None and key in remembered:
        return remembered[key]
    visible = bool(
        db.session.scalar(
            select(exists().where(ActionPlan.id == plan.id, visible_plans_rule(user)))
        )
    )
    if remembered is not None:
        remembered[key] = visible
    return visible


CREATING_ROLES = frozenset({DRAFTER, POC})


def can_create_commitment(user: User | None, plan: ActionPlan) -> bool:
    """Drafters and the point of contact add commitments to a plan."""
    return bool(plan_roles(user, plan) & CREATING_ROLES)


def can_edit_commitment(
    user: User | None, commitment: Commitment, check_state: bool = True
) -> bool:
    """Drafters and the point of contact change the text while it is a draft."""
    if check_state and commitment.state != EDITABLE_STATE:
        return False
    return bool(plan_roles(user, commitment.plan) & {DRAFTER, POC})


def can_comment(user: User | None, commitment: Commitment, check_state: bool = True) -> bool:
    """Reviewers, drafters, forum members and the POC comment while the text is being drafted."""
    if check_state and commitment.state not in DRAFTING_STATES:
        return False
    return bool(plan_roles(user, commitment.plan) & {CSO_REVIEWER, DRAFTER, POC, MSF_MEMBER})


def can_respond(user: User | None, commitment: Commitment, check_state: bool = True) -> bool:
    """The drafting side answers comments while the text can still change."""
    if check_state and commitment.state not in DRAFTING_STATES:
        return False
    return bool(plan_roles(user, commitment.plan) & {DRAFTER, POC})


def can_vote(user: User | None, commitment: Commitment, check_state: bool = True) -> bool:
    """MSF members vote while the commitment awaits the forum's approval."""
    if check_state and commitment.state != VOTING_STATE:
        return False
    return MSF_MEMBER in plan_roles(user, commitment.plan)


def can_create_report(user: User | None, commitment: Commitment, check_state: bool = True) -> bool:
    """Implementers report progress during implementation (the POC then accepts or not)."""
    if check_state and commitment.state != IMPLEMENTATION_STATE:
        return False
    return IMPLEMENTER in plan_roles(user, commitment.plan)


def can_edit_report(user: User | None, report: ProgressReport, check_state: bool = True) -> bool:
    """Implementers change a report while it is a draft."""
    if check_state and report.state != REPORT_EDITABLE_STATE:
        return False
    return IMPLEMENTER in plan_roles(user, report.commitment.plan)


def authorize(predicate: Callable[..., bool], *args: Any, forbidden: str, closed: str) -> None:
    """Ask a `can_*` predicate twice: roles first (NotAllowed), then the state (Conflict)."""
    require(predicate(*args, check_state=False), forbidden)
    if not predicate(*args):
        raise Conflict(closed)


def require(allowed: bool, message: str) -> None:
    """Raise NotAllowed with a message a person can act on unless `allowed`."""
    if not allowed:
        raise NotAllowed(message)


def _is_admin(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def can_view_outbox(user: Any) -> bool:
    """Administrators see the outbox: every message, its attempts and errors."""
    return _is_admin(user)


def can_retry_outbox_message(user: Any, message: Any) -> bool:
    """Administrators send a message that failed for good again."""
    return _is_admin(user) and message.status == "failed"


def can_manage_accounts(user: User | None) -> bool:
    """Administrators create, invite and deactivate accounts and keep the organisations."""
    return _is_admin(user) and bool(user.active)


def can_manage_members(user: User | None, plan: ActionPlan) -> bool:
    """The plan's point of contact (and administrators) invite people and give or take roles."""
    return can_manage_accounts(user) or POC in plan_roles(user, plan)


def can_read_notifications(user: Any) -> bool:
    """Anyone signed in has notifications and preferences of their own."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.active)


def can_open_notification(user: Any, notification: Any) -> bool:
    """A notification is opened only by the person it was written for."""
    return can_read_notifications(user) and notification.user_id == user.id


def can_follow(user: Any, commitment: Commitment) -> bool:
    """Anyone signed in who can see a commitment may follow it or stop following it."""
    return can_read_notifications(user) and can_view_plan(user, commitment.plan)


def can_create_plan(user: User | None) -> bool:
    """Administrators and anyone who is already a point of contact set up a new plan."""
    if _is_admin(user) and user.active:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return (
        db.session.scalar(
            select(PlanMembership.id).where(
                PlanMembership.user_id == user.id, PlanMembership.role == POC
            )
        )
        is not None
    )


def can_configure_plan(user: User | None, plan: ActionPlan) -> bool:
    """The plan's point of contact (and administrators) change its period, rule and visibility."""
    return (_is_admin(user) and bool(user.active)) or POC in plan_roles(user, plan)


def can_monitor_plan(user: User | None, plan: ActionPlan) -> bool:
    """The point of contact and administrators watch the board and figures; MSF members read."""
    return _is_admin(user) or bool(plan_roles(user, plan) & {POC, MSF_MEMBER})


def can_import_plans(user: User | None) -> bool:
    """Administrators and the point of contact of any plan import OGP's commitment data."""
    if _is_admin(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return bool(
        db.session.scalar(
            select(PlanMembership.id)
            .where(PlanMembership.user_id == user.id, PlanMembership.role == POC)
            .limit(1)
        )
    )
