"""Pages that act: drafting, commenting, answering, voting, events, reports and My work.

Each form is turned into the dict the JSON API takes and checked by the API's own parser; the
state changes only through the operations. A refusal re-renders the page with what was typed
and the message next to its field; a stale page gets the fresh state and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import PlanMembership
from ..accounts.permissions import (
    CREATING_ROLES,
    can_create_commitment,
    can_view_plan,
)
from ..accounts.roles import POC
from ..errors import Conflict, GuardFailed, InvalidEvent, InvalidInput, NotAllowed, StaleVersion
from ..extensions import db
from ..lifecycle import fire
from ..plans import queries as plan_queries
from ..plans.models import OGP_VALUES, TEXT_FIELDS, ActionPlan, Commitment
from ..plans.operations import create_commitment, update_commitment
from ..plans.schemas import parse_commitment
from ..review import queries as review_queries
from ..review.models import RESPONSE_OUTCOMES
from ..review.operations import add_comment, cast_vote, respond_to_comment
from . import commitment_data, formdata
from .messages import field_name

bp = Blueprint("work", __name__)


class Refused(Exception):
    """A form the page shows again: its errors by field, and the HTTP status to answer with."""

    def __init__(self, errors: dict[str, str], status: int = 400) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status = status


def attempt(action: Callable[[], Any]) -> Any:
    """Run an operation and commit; turn the workflow's refusals into a Refused (rolled back)."""
    try:
        result = action()
        db.session.commit()
        return result
    except InvalidInput as exc:
        db.session.rollback()
        raise Refused({k: str(v) for k, v in exc.errors.items()}, exc.status) from None
    except GuardFailed as exc:
        db.session.rollback()
        raise Refused({"_": "; ".join(str(r) for r in exc.reasons)}, 422) from None
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        raise Refused({"_stale": _stale_message()}, 409) from None
    except (Conflict, InvalidEvent):
        db.session.rollback()
        raise Refused({"_stale": _stale_message()}, 409) from None
    except NotAllowed:
        db.session.rollback()
        abort(403)


def _stale_message() -> str:
    return _(
        "Someone acted on this before you: the page now shows the current state. "
        "What you typed is kept below; check it and send it again if it still applies."
    )


def visible_commitment(commitment_id: int) -> Commitment:
    """Return a commitment the visitor may see, or answer 404."""
    commitment = plan_queries.get_commitment(commitment_id)
    if commitment is None or not can_view_plan(current_user, commitment.plan):
        abort(404)
    return commitment


def show_commitment(
    commitment_id: int,
    *,
    form: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """Render the commitment page, with one form's errors and typed values when it was refused."""
    user = current_user if current_user.is_authenticated else None
    page = commitment_data.build(commitment_id, user)
    if page is None or not can_view_plan(current_user, page.commitment.plan):
        abort(404, description=_("There is no public commitment with this number."))
    typed = request.form if form else {}
    return render_template(
        "web/commitment.html",
        page=page,
        commitment=page.commitment,
        refused=form,
        errors=errors or {},
        typed=typed,
        outcomes=RESPONSE_OUTCOMES,
        form_id=formdata.new_form_id(),
    ), status


def _field_name(name: str | None) -> str:
    return field_name(name) if name else _("the whole commitment")


@bp.app_context_processor
def _names() -> dict[str, Any]:
    return {
        "field_name": _field_name,
        "may_create_commitment": _may_create_commitment,
        "may_create_plan": _may_create_plan,
    }


def _my_plan_roles() -> list[tuple[int, str]]:
    # The index asks for every plan: one query for the visitor's roles, not one per plan. Kept
    # on the request, not on g: tests run several requests in one application context.
    if not hasattr(request, "my_plan_roles"):
        request.my_plan_roles = (
            list(
                db.session.execute(
                    select(PlanMembership.plan_id, PlanMembership.role).where(
                        PlanMembership.user_id == current_user.id
                    )
                )
            )
            if current_user.is_authenticated and current_user.active
            else []
        )
    return request.my_plan_roles


def _may_create_commitment(plan: ActionPlan) -> bool:
    """can_create_commitment's rule, answered from the visitor's roles read once."""
    return any(pid == plan.id and role in CREATING_ROLES for pid, role in _my_plan_roles())


def _may_create_plan() -> bool:
    """can_create_plan's rule, answered from the visitor's roles read once."""
    if current_user.is_authenticated and current_user.active and current_user.is_admin:
        return True
    return any(role == POC for _pid, role in _my_plan_roles())


def _act_on_commitment(commitment_id: int, form: str, action: Callable[[Commitment], Any], done):
    commitment = visible_commitment(commitment_id)
    if formdata.already_done(request.form):
        return redirect(url_for("web.commitment", commitment_id=commitment_id))
    try:
        attempt(lambda: action(commitment))
    except Refused as refused:
        db.session.expire_all()
        return show_commitment(
            commitment_id, form=form, errors=refused.errors, status=refused.status
        )
    formdata.mark_done(request.form)
    flash(done, "notice")
    return redirect(url_for("web.commitment", commitment_id=commitment_id))


@bp.post("/commitments/<int:commitment_id>/events")
@login_required
def commitment_event(commitment_id: int):
    """Fire a workflow event (submit, endorse, sign off, ...) from the commitment page."""

    def act(commitment: Commitment) -> None:
        wanted = formdata.check_event(formdata.event(request.form), commitment.workflow_key)
        fire(commitment, wanted.event, current_user, version=wanted.version, comment=wanted.comment)

    return _act_on_commitment(
        commitment_id, "event-" + request.form.get("event", ""), act, _("Done.")
    )


@bp.post("/commitments/<int:commitment_id>/comments")
@login_required
def comment(commitment_id: int):
    """Comment on the whole commitment or one field of it."""

    def act(commitment: Commitment) -> None:
        wanted = formdata.check_comment(formdata.comment(request.form))
        add_comment(commitment, current_user, wanted.body, wanted.field)

    return _act_on_commitment(commitment_id, "comment", act, _("Your comment is saved."))


@bp.post("/comments/<int:comment_id>/response")
@login_required
def respond(comment_id: int):
    """Give the reasoned response to one comment."""
    found = review_queries.get_comment(comment_id)
    if found is None:
        abort(404)

    def act(commitment: Commitment) -> None:
        wanted = formdata.check_response(formdata.response(request.form))
        respond_to_comment(found, commitment, current_user, wanted.response, wanted.outcome)

    return _act_on_commitment(
        found.commitment_id, f"response-{comment_id}", act, _("Your response is saved.")
    )


@bp.post("/commitments/<int:commitment_id>/votes")
@login_required
def vote(commitment_id: int):
    """Cast the visitor's vote in the current round."""

    def act(commitment: Commitment) -> None:
        wanted = formdata.check_vote(formdata.vote(request.form))
        cast_vote(commitment, current_user, wanted.decision, wanted.comment)

    return _act_on_commitment(commitment_id, "vote", act, _("Your vote is counted."))


# --- drafting ---------------------------------------------------------------------------------


def _plan(plan_id: int) -> ActionPlan:
    plan = plan_queries.get_plan(plan_id)
    if plan is None or not can_view_plan(current_user, plan):
        abort(404)
    return plan


def _rows_after_button(rows: list[dict[str, Any]], button: str) -> list[dict[str, Any]] | None:
    """Apply an "add", "move up/down" or "remove" button to the milestone rows; None for save."""
    rows = list(rows)
    if button == "add":
        return [*rows, {"description": "", "start_date": None, "end_date": None}]
    verb, _sep, index = button.partition("-")
    if not index.isdigit() or int(index) >= len(rows):
        return None
    i = int(index)
    if verb == "remove":
        del rows[i]
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i + 1 < len(rows):
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    else:
        return rows
    return rows


def _render_form(plan, commitment, data, errors, status=200, version=None):
    comments = review_queries.commitment_comments(commitment) if commitment else []
    blockers = []
    if commitment is not None:
        actor = commitment_data.actor_for(current_user, commitment.plan)
        blockers = [a for a in commitment_data.actions_for(commitment, actor) if a.blockers]
    return render_template(
        "web/commitment_form.html",
        plan=plan,
        commitment=commitment,
        data=data,
        errors=errors,
        fields=TEXT_FIELDS,
        ogp_values=OGP_VALUES,
        comments=comments,
        outcomes=RESPONSE_OUTCOMES,
        blockers=blockers,
        version=version if version is not None else (commitment.version if commitment else None),
        form_id=request.form.get("form_id") or formdata.new_form_id(),
    ), status


def _saved_data(commitment: Commitment) -> dict[str, Any]:
    data = commitment.snapshot()
    data["note"] = ""
    return data


@bp.route("/plans/<int:plan_id>/commitments/new", methods=["GET", "POST"])
@login_required
def new_commitment(plan_id: int):
    """Draft a new commitment on a plan with the OGP template fields and milestones."""
    plan = _plan(plan_id)
    if not can_create_commitment(current_user, plan):
        abort(403)
    if request.method == "GET":
        empty = {name: "" for name in TEXT_FIELDS} | {"ogp_values": [], "milestones": []}
        return _render_form(plan, None, empty, {})
    data = formdata.commitment(request.form, creating=True)
    rows = _rows_after_button(data["milestones"], request.form.get("do", "save"))
    if rows is not None:
        return _render_form(plan, None, data | {"milestones": rows}, {})
    if formdata.already_done(request.form):
        return redirect(url_for("web.index"))

    def act() -> Commitment:
        values = parse_commitment(data, creating=True)
        values.pop("note", None)
        return create_commitment(plan, current_user, values)

    try:
        created = attempt(act)
    except Refused as refused:
        return _render_form(plan, None, data, refused.errors, refused.status)
    formdata.mark_done(request.form)
    flash(_("The draft is saved. Come back to it at any time."), "notice")
    return redirect(url_for("work.edit_commitment", commitment_id=created.id))


@bp.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_commitment(commitment_id: int):
    """Revise a draft, answer the comments on it, and see what still blocks submitting it."""
    from ..accounts.permissions import can_edit_commitment

    commitment = visible_commitment(commitment_id)
    if not can_edit_commitment(current_user, commitment, check_state=False):
        abort(403)
    if request.method == "GET":
        return _render_form(commitment.plan, commitment, _saved_data(commitment), {})
    data = formdata.commitment(request.form, creating=False)
    rows = _rows_after_button(data["milestones"], request.form.get("do", "save"))
    if rows is not None:
        return _render_form(
            commitment.plan, commitment, data | {"milestones": rows}, {}, version=data["version"]
        )
    if formdata.already_done(request.form):  # the same save pressed twice: saved once
        return redirect(url_for("work.edit_commitment", commitment_id=commitment_id))
    comments = review_queries.commitment_comments(commitment)

    def act() -> None:
        values = parse_commitment(data, creating=False)
        note = values.pop("note", "")
        answers = []
        problems: dict[str, str] = {}
        for c in comments:
            prefix = f"response-{c.id}-"
            typed = formdata.response(request.form, prefix)
            if c.response is not None or not (typed["response"].strip() or typed["outcome"]):
                continue
            try:
                answers.append((c, formdata.check_response(typed)))
            except InvalidInput as exc:
                problems.update({prefix + k: v for k, v in exc.errors.items()})
        if problems:
            raise InvalidInput(problems)
        update_commitment(commitment, current_user, values, version=data["version"], note=note)
        for c, wanted in answers:
            respond_to_comment(c, commitment, current_user, wanted.response, wanted.outcome)

    try:
        attempt(act)
    except Refused as refused:
        db.session.expire_all()
        fresh = visible_commitment(commitment_id)
        version = fresh.version if "_stale" in refused.errors else data["version"]
        return _render_form(
            fresh.plan, fresh, data, refused.errors, refused.status, version=version
        )
    formdata.mark_done(request.form)
    flash(_("Saved."), "notice")
    return redirect(url_for("work.edit_commitment", commitment_id=commitment_id))


from . import plan_pages, reporting_pages  # noqa: E402,F401  (their routes join this blueprint)
