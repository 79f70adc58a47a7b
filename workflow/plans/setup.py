"""Set up an action plan from untrusted input (the command line). Flush, never commit."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..engine.gate import MAJORITY_WITH_PARITY
from ..errors import Conflict
from ..extensions import db
from ..schema import validate
from .models import ActionPlan
from .schemas import PlanInput, StageDaysInput


def create_plan(
    *,
    slug: str,
    country: str,
    title: str,
    period_start: str | date,
    period_end: str | date,
    reporting_cycle: str = "quarterly",
    approval_rule: str = MAJORITY_WITH_PARITY,
    is_public: bool = True,
) -> ActionPlan:
    """Create a plan; raise InvalidInput naming every bad value, Conflict for a taken slug."""
    checked = validate(
        PlanInput,
        {
            "slug": slug,
            "country": country,
            "title": title,
            "period_start": _iso(period_start),
            "period_end": _iso(period_end),
            "reporting_cycle": reporting_cycle,
            "approval_rule": approval_rule,
            "is_public": bool(is_public),
        },
    )
    values = checked.model_dump()
    slug_ = checked.slug
    if db.session.scalar(select(ActionPlan.id).where(ActionPlan.slug == slug_)) is not None:
        raise Conflict(
            _l("a plan with the slug '%(slug)s' exists already; choose another slug", slug=slug_)
        )
    plan = ActionPlan(**values)
    db.session.add(plan)
    db.session.flush()
    return plan


def _iso(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else value


def configure_plan(plan: ActionPlan, values: dict, stage_days: dict | None = None) -> ActionPlan:
    """Change a plan's settings from a PlanInput body; recount open votes if the rule changed."""
    checked = validate(PlanInput, values)
    days = validate(StageDaysInput, {"stage_days": stage_days or {}}).stage_days
    taken = db.session.scalar(
        select(ActionPlan.id).where(ActionPlan.slug == checked.slug, ActionPlan.id != plan.id)
    )
    if taken is not None:
        raise Conflict(
            _l(
                "a plan with the slug '%(slug)s' exists already; choose another slug",
                slug=checked.slug,
            )
        )
    rule_changed = checked.approval_rule != plan.approval_rule
    for name, value in checked.model_dump().items():
        setattr(plan, name, value)
    plan.stage_days = dict(days)
    db.session.flush()
    if rule_changed:
        from ..review.operations import recount_open_votes  # review imports plans

        recount_open_votes([plan.id])
    return plan
