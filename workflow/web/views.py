"""Pages: the health check, signing in and out, and the read-only overview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text

from ..accounts.permissions import can_view_plan
from ..extensions import db
from ..labels import label
from . import auth, queries

bp = Blueprint("web", __name__)
bp.add_url_rule("/login", "login", auth.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", auth.logout, methods=["POST"])
bp.register_error_handler(CSRFError, auth.csrf_refused)


@bp.context_processor
def _page_context() -> dict[str, Any]:
    return {"lang": str(get_locale() or "en"), "label": label}


@bp.get("/health")
def health():
    """Answer ok when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy", reported, never raised
        return jsonify(status="error", error=type(exc).__name__), 503
    return jsonify(status="ok")


@bp.get("/")
def index():
    """List the plans the visitor may see, a page at a time, or one plan's commitments (?plan=)."""
    user = current_user if current_user.is_authenticated else None
    page = request.args.get("page", 1, type=int)
    scope = request.args.get("plan") or None
    state = request.args.get("state") or None
    found = queries.index_page(user, page=page, plan_slug=scope, state=state)
    if scope and found.scoped is None:
        abort(404, description=_("There is no public plan with this name."))
    return render_template("web/index.html", index=found, plans=found.plans)


@bp.get("/commitments/<int:commitment_id>")
def commitment(commitment_id: int):
    """Show one commitment: its text, milestones, history and progress reports."""
    page = queries.commitment_page(commitment_id)
    if page is None or not can_view_plan(current_user, page.commitment.plan):
        # A plan that is not public is not admitted to exist.
        abort(404, description=_("There is no public commitment with this number."))
    return render_template("web/commitment.html", page=page, commitment=page.commitment)
