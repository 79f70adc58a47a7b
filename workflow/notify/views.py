"""The administrators' outbox page: what waits, what went out, what failed; retry a failure."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.permissions import can_retry_outbox_message, can_view_outbox
from ..extensions import db
from . import queries
from .models import FAILED, PENDING, SENDING, SENT, STATUSES, SUPPRESSED, OutboxMessage
from .operations import retry_failed

bp = Blueprint("notify", __name__)

STATUS_LABELS = {
    PENDING: _l("Pending"),
    SENDING: _l("Being sent"),
    SENT: _l("Sent"),
    FAILED: _l("Failed"),
    SUPPRESSED: _l("Not sent, on purpose"),
}


@bp.get("/admin/outbox")
def outbox():
    """List the outbox by status, with attempts and last errors."""
    if not can_view_outbox(current_user):
        abort(404)
    status = request.args.get("status", FAILED)
    if status not in STATUSES:
        abort(404)
    return render_template(
        "notify/outbox.html",
        status=status,
        counts=queries.status_counts(),
        rows=queries.outbox_rows(status),
        backlog=queries.backlog(),
        statuses={code: str(name) for code, name in STATUS_LABELS.items()},
        can_retry=lambda row: can_retry_outbox_message(current_user, row),
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
def retry(message_id: int):
    """Send a failed message again."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or not can_view_outbox(current_user):
        abort(404)
    if not can_retry_outbox_message(current_user, message):
        abort(409)
    retry_failed(message)
    db.session.commit()
    flash(_("Message %(id)s will be sent again.", id=message_id))
    return redirect(url_for("notify.outbox", status=FAILED))
