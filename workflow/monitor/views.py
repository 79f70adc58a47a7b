"""The point of contact's pages: board, figures, comparison, printed plan, open data in and out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.permissions import can_import_plans, can_monitor_plan, can_view_plan
from ..definitions.commitment import STATES
from ..extensions import db
from ..labels import label
from ..plans.models import OGP_VALUES, ActionPlan
from . import charts, export, queries
from .forms import ImportForm
from .importer import import_commitments
from .waiting import waits_on

bp = Blueprint("monitor", __name__)
FILTERS = ("agency", "value", "state", "overdue")


@bp.context_processor
def _page_context() -> dict[str, Any]:
    return {
        "lang": str(get_locale() or "en"),
        "label": _label_cache(),
        "waits_on": waits_on,
        "bars": charts.bars,
        "STATES": STATES,
        "OGP_VALUES": OGP_VALUES,
    }


def _label_cache():
    # A board or figures page names the same few states hundreds of times: translate each once.
    names: dict[tuple[str, str | None], str] = {}

    def cached(kind: str, code: str | None) -> str:
        if (kind, code) not in names:
            names[kind, code] = label(kind, code)
        return names[kind, code]

    return cached


@bp.app_context_processor
def _nav_context() -> dict[str, Any]:
    return {"can_import_plans": can_import_plans}


@bp.get("/pipeline")
@login_required
def pipeline():
    """List the plans whose board and figures the user may see, and a form to compare them."""
    return render_template("monitor/pipeline.html", plans=queries.monitored_plans(current_user))


def _plan(slug: str, allowed) -> ActionPlan:
    plan = queries.plan_by_slug(slug)
    if plan is None or not can_view_plan(current_user, plan):
        abort(404, description=_("There is no plan with this name."))
    if not allowed(current_user, plan):
        abort(403, description=_("Only the plan's point of contact and forum members see this."))
    return plan


@bp.get("/plans/<slug>/board")
@login_required
def board(slug: str):
    """Show the plan's board: a column per state, a card per commitment."""
    plan = _plan(slug, can_monitor_plan)
    filters = {k: request.args.get(k, "") for k in FILTERS if request.args.get(k)}
    return render_template(
        "monitor/board.html", plan=plan, board=queries.board(plan, filters), filters=filters
    )


@bp.get("/plans/<slug>/figures")
@login_required
def figures(slug: str):
    """Show the plan's figures and charts, each chart with its table."""
    plan = _plan(slug, can_monitor_plan)
    return render_template("monitor/figures.html", plan=plan, f=queries.figures(plan))


@bp.get("/figures")
@login_required
def compare():
    """Show the figures of the chosen plans side by side."""
    slugs = request.args.getlist("plan")[:6]
    plans = [queries.plan_by_slug(s) for s in slugs]
    if not all(p is not None and can_view_plan(current_user, p) for p in plans):
        abort(404, description=_("There is no plan with this name."))
    if not plans or not all(can_monitor_plan(current_user, p) for p in plans):
        abort(403, description=_("Choose plans on which you are point of contact or forum member."))
    return render_template("monitor/compare.html", figures=queries.compare(plans))


@bp.get("/plans/<slug>/print")
def printable(slug: str):
    """Show the plan laid out like an OGP action plan, with a print stylesheet."""
    plan = _plan(slug, can_view_plan)
    return render_template(
        "monitor/print.html", plan=plan, commitments=queries.printable_plan(plan)
    )


@bp.get("/plans/<slug>/plan.pdf")
def printable_pdf(slug: str):
    """Download the printed plan as PDF."""
    from .pdf import html_to_pdf

    plan = _plan(slug, can_view_plan)
    html = render_template(
        "monitor/print.html", plan=plan, commitments=queries.printable_plan(plan), pdf=True
    )
    return Response(
        html_to_pdf(html, current_app.static_folder or ""),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{plan.slug}.pdf"'},
    )


@bp.get("/plans/<slug>/export.<fmt>")
def export_plan(slug: str, fmt: str):
    """Download the plan's commitments as open data, CSV or JSON."""
    plan = _plan(slug, can_view_plan)
    if fmt == "csv":
        body, mimetype = export.to_csv(plan), "text/csv"  # Werkzeug adds the charset
    elif fmt == "json":
        body, mimetype = export.to_json(plan), "application/json"
    else:
        abort(404)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{plan.slug}.{fmt}"'},
    )


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_page():
    """Upload OGP's commitment data (CSV); report each rejected row by its line."""
    if not can_import_plans(current_user):
        abort(403, description=_("Only a point of contact or an administrator imports plans."))
    form = ImportForm()
    result = None
    error = None
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            error = _("The file is not UTF-8 text; save it as CSV (UTF-8) and try again.")
        else:
            result = import_commitments(text, skip_invalid=form.skip_invalid.data)
            if result.rejected and not form.skip_invalid.data:
                db.session.rollback()
            else:
                db.session.commit()
    return render_template(
        "monitor/import.html",
        form=form,
        result=result,
        error=error,
        board_url=lambda plan: url_for("monitor.board", slug=plan.slug),
    )
