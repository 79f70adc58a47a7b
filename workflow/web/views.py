"""Pages: the health check, signing in and out, and the read-only overview."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
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
    """List the plans the visitor may see (the public ones, and their own) and their commitments."""
    user = current_user if current_user.is_authenticated else None
    return render_template(
        "web/index.html", plans=queries.visible_plans(user), managed=managed_plan_ids(user)
    )


@bp.get("/commitments/<int:commitment_id>")
def commitment(commitment_id: int):
    """Show one commitment: its stage, the visitor's actions, review, vote, reports, history."""
    return work.show_commitment(commitment_id)
