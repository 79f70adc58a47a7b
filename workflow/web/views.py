"""Pages: the health check and the read-only overview."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("web", __name__)


@bp.get("/health")
def health():
    """Answer ok when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not healthy", reported, never raised
        return jsonify(status="error", error=type(exc).__name__), 503
    return jsonify(status="ok")
