"""Pages: the health check, signing in and out, and the read-only overview."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from ..accounts.queries import managed_plan_ids
from ..extensions import db
from ..notify.queries import backlog
from . import auth, language, queries, work

bp = Blueprint("web", __name__)
bp.add_url_rule("/login", "login", auth.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", auth.logout, methods=["POST"])
bp.add_url_rule("/language", "language", language.switch_language, methods=["POST"])


@bp.get("/health")
def health():
    """Answer ok when the database answers, with the outbox's backlog and its oldest wait."""
    try:
        db.session.execute(text("SELECT 1"))
        waiting = backlog()
    except Exception as exc:  # any driver error means "not healthy", reported, never raised
        return jsonify(status="error", error=type(exc).__name__), 503
    outbox = {"waiting": waiting.waiting, "oldest_age_seconds": waiting.oldest_age_seconds}
    return jsonify(status="ok", outbox=outbox)


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
    return render_template(
        "web/index.html", index=found, plans=found.plans, managed=managed_plan_ids(user)
    )


@bp.get("/commitments/<int:commitment_id>")
def commitment(commitment_id: int):
    """Show one commitment: its stage, the visitor's actions, review, vote, reports, history."""
    return work.show_commitment(commitment_id)
