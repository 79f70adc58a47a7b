"""Pages for the point of contact: set up a plan and change its settings."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.operations import grant_role
from ..accounts.permissions import can_configure_plan, can_create_plan
from ..accounts.roles import POC
from ..definitions.registry import engine
from ..engine.gate import RULES
from ..extensions import db
from ..plans.models import REPORTING_CYCLES, ActionPlan
from ..plans.setup import configure_plan, create_plan
from . import formdata
from .work import Refused, _plan, attempt, bp

FIELDS = (
    "slug",
    "country",
    "title",
    "period_start",
    "period_end",
    "reporting_cycle",
    "approval_rule",
)


def _stages() -> list[tuple[str, int | None]]:
    """Return the commitment stages a plan may time, with the workflow's own durations."""
    definition = engine.definition("commitment")
    return [(name, s.duration_days) for name, s in definition.states.items() if not s.terminal]


def _stage_days() -> dict[str, Any]:
    """Return the durations typed on the form, as the StageDaysInput body (blank: default)."""
    typed = {name: request.form.get(f"days-{name}", "").strip() for name, _days in _stages()}
    return {name: formdata.number(value) for name, value in typed.items() if value}


def _form_data() -> dict[str, Any]:
    """Return the plan form as the PlanInput body the command line and API use."""
    data: dict[str, Any] = {name: request.form.get(name, "").strip() for name in FIELDS}
    data["is_public"] = request.form.get("is_public") == "yes"
    return data


def _plan_data(plan: ActionPlan) -> dict[str, Any]:
    return {
        "slug": plan.slug,
        "country": plan.country,
        "title": plan.title,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "reporting_cycle": plan.reporting_cycle,
        "approval_rule": plan.approval_rule,
        "is_public": plan.is_public,
        "stage_days": dict(plan.stage_days or {}),
    }


def _render(plan: ActionPlan | None, data: dict[str, Any], errors: dict[str, str], status=200):
    return render_template(
        "web/plan_form.html",
        plan=plan,
        data=data,
        errors=errors,
        cycles=REPORTING_CYCLES,
        rules=RULES,
        stages=_stages(),
        form_id=request.form.get("form_id") or formdata.new_form_id(),
    ), status


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def new_plan():
    """Set up a new action plan; whoever sets it up becomes its point of contact."""
    if not can_create_plan(current_user):
        abort(403)
    if request.method == "GET":
        return _render(None, {"reporting_cycle": "quarterly", "is_public": True}, {})
    if formdata.already_done(request.form):
        return redirect(url_for("web.index"))
    data = _form_data()
    days = _stage_days()

    def act() -> ActionPlan:
        plan = create_plan(**data)
        configure_plan(plan, data, days)
        grant_role(plan, current_user, POC)
        return plan

    try:
        plan = attempt(act)
    except Refused as refused:
        return _render(None, data | {"stage_days": days}, _slug_conflict(refused), refused.status)
    formdata.mark_done(request.form)
    flash(_("The plan is set up. Invite its people from its members page."), "notice")
    return redirect(url_for("work.plan_settings", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/settings", methods=["GET", "POST"])
@login_required
def plan_settings(plan_id: int):
    """Change a plan's period, reporting cycle, approval rule and visibility."""
    plan = _plan(plan_id)
    if not can_configure_plan(current_user, plan):
        abort(403)
    if request.method == "GET":
        return _render(plan, _plan_data(plan), {})
    data = _form_data()
    days = _stage_days()
    try:
        attempt(lambda: configure_plan(plan, data, days))
    except Refused as refused:
        db.session.expire_all()
        typed = data | {"stage_days": days}
        return _render(_plan(plan_id), typed, _slug_conflict(refused), refused.status)
    flash(_("Saved."), "notice")
    return redirect(url_for("work.plan_settings", plan_id=plan_id))


def _slug_conflict(refused: Refused) -> dict[str, str]:
    # A taken slug comes back as a conflict; it belongs next to the slug field.
    errors = dict(refused.errors)
    if "_stale" in errors and refused.status == 409:
        errors.pop("_stale")
        errors["slug"] = _("This short name is taken; choose another.")
    return errors
