"""A person's pages: the bell, the list of notifications, following, and how to be told."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.permissions import can_follow, can_open_notification, can_read_notifications
from ..extensions import db
from ..plans.models import Commitment
from . import operations, queries
from .compose import CannotCompose, preloaded, summarize
from .models import DIGEST, FOLLOWED, IMMEDIATE, KINDS, MODES, OFF, UPDATES, Notification

bp = Blueprint("notifications", __name__)

KIND_LABELS = {
    UPDATES: _l("What happens where you hold a role"),
    FOLLOWED: _l("Outcomes of commitments you follow"),
}
MODE_LABELS = {
    IMMEDIATE: _l("By email at once"),
    DIGEST: _l("In a daily digest email"),
    OFF: _l("No email (in the list here only)"),
}


@bp.app_context_processor
def _bell() -> dict:
    def unread() -> int:
        if not can_read_notifications(current_user):
            return 0
        return queries.unread_count(current_user.id)

    return {
        "unread_notifications": unread,
        "can_follow": can_follow,
        "is_following": queries.is_following,
    }


@bp.get("/notifications")
@login_required
def index():
    """List the signed-in person's notifications, newest first."""
    if not can_read_notifications(current_user):
        abort(404)
    items = []
    notes = queries.notifications_of(current_user.id)
    with preloaded(notes):
        for note in notes:
            try:
                items.append((note, summarize(note.template, note.log_entry_id, note.notice_id)))
            except CannotCompose:
                continue  # what it told of is gone: nothing to show
    return render_template("notify/notifications.html", items=items)


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_(notification_id: int):
    """Mark a notification read and go to what it is about."""
    note = db.session.get(Notification, notification_id)
    if note is None or not can_open_notification(current_user, note):
        abort(404)
    summary = summarize(note.template, note.log_entry_id, note.notice_id)
    operations.mark_read(note)
    db.session.commit()
    return redirect(summary.path)


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Show and change how the signed-in person is told of each kind of notification."""
    if not can_read_notifications(current_user):
        abort(404)
    saved = False
    if request.method == "POST":
        modes = {kind: request.form.get(kind, IMMEDIATE) for kind in KINDS}
        if any(mode not in MODES for mode in modes.values()):
            abort(400)
        operations.set_preferences(current_user.id, modes)
        db.session.commit()
        saved = True
    return render_template(
        "notify/preferences.html",
        current=queries.preferences_of(current_user.id),
        kinds={k: str(v) for k, v in KIND_LABELS.items()},
        modes={k: str(v) for k, v in MODE_LABELS.items()},
        saved=saved,
    )


@bp.post("/commitments/<int:commitment_id>/follow")
@login_required
def follow(commitment_id: int):
    """Follow a commitment, or stop following it (`following=0`)."""
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None or not can_follow(current_user, commitment):
        abort(404)
    following = request.form.get("following", "1") == "1"
    operations.set_following(current_user.id, commitment.id, following)
    db.session.commit()
    return redirect(url_for("web.commitment", commitment_id=commitment.id))
