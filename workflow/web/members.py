"""A plan's members: who holds which role; the point of contact invites people and takes roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..accounts.invitations import invite_to_plan
from ..accounts.models import PlanMembership
from ..accounts.operations import revoke_role
from ..accounts.permissions import can_manage_members, can_view_plan
from ..accounts.queries import plan_members
from ..errors import InvalidInput
from ..extensions import db
from ..labels import label
from ..plans.models import ActionPlan
from .people_forms import InviteForm

bp = Blueprint("members", __name__)


def managed_plan(slug: str) -> ActionPlan:
    """Return the plan whose members the user may manage: 404 if unseen, 403 if not theirs."""
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == slug))
    if plan is None or not can_view_plan(current_user, plan):
        abort(404)
    if not can_manage_members(current_user, plan):
        abort(403)
    return plan


@bp.route("/plans/<slug>/members", methods=["GET", "POST"])
@login_required
def members(slug: str) -> Response | str:
    """List the plan's members; invite someone, giving them roles."""
    plan = managed_plan(slug)
    form = InviteForm(language=str(get_locale() or "en"))
    if form.validate_on_submit():
        try:
            invited = invite_to_plan(
                plan,
                current_user._get_current_object(),
                form.email.data or "",
                form.roles.data or [],
                name=form.name.data or "",
                sector=form.sector.data or None,
                language=form.language.data or "en",
            )
        except InvalidInput as exc:
            form.email.errors.append(
                _("This account is deactivated; an administrator can open it again.")
                if exc.errors.get("email") == "deactivated"
                else _("This is not a valid email address.")
            )
        else:
            db.session.commit()
            roles = ", ".join(label("role_name", r) for r in invited.granted)
            if invited.granted:
                flash(_("%(email)s now holds: %(roles)s.", email=invited.user.email, roles=roles))
            else:
                flash(_("%(email)s holds these roles already.", email=invited.user.email))
            if invited.created:
                flash(_("An invitation to choose a password is on its way to them."))
            return redirect(url_for("members.members", slug=plan.slug))
    return render_template(
        "members/list.html",
        plan=plan,
        members=plan_members(plan),
        form=form,
        button_form=FlaskForm(),
    )


@bp.post("/plans/<slug>/members/<int:membership_id>/revoke")
@login_required
def revoke(slug: str, membership_id: int) -> Response:
    """Take one role on the plan away from its holder."""
    plan = managed_plan(slug)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    membership = db.session.get(PlanMembership, membership_id)
    if membership is None or membership.plan_id != plan.id:
        # Pressed twice, or someone else was quicker: the role is gone, which was the point.
        flash(_("That role had been taken away already."))
        return redirect(url_for("members.members", slug=plan.slug))
    user, role = membership.user, membership.role
    revoke_role(plan, user, role)
    db.session.commit()
    flash(
        _(
            "%(name)s no longer holds the role %(role)s.",
            name=user.name,
            role=label("role_name", role),
        )
    )
    return redirect(url_for("members.members", slug=plan.slug))
