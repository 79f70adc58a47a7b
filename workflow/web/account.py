"""A person's own account: a new password, a forgotten one, an invitation accepted."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..accounts import throttle
from ..accounts.auth import user_by_email
from ..accounts.mail import send_password_reset
from ..accounts.models import User
from ..accounts.operations import change_password
from ..accounts.tokens import INVITATION, RESET, LinkProblem, user_for_link_token
from ..extensions import db
from .auth import start_session
from .forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from .security import no_store

bp = Blueprint("account", __name__)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings() -> Response | str:
    """Show the account and change its password; every other session ends."""
    form = ChangePasswordForm()
    user: User = current_user._get_current_object()
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data or ""):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            change_password(user, form.password.data or "")
            # This session goes on, with the new generation; "remember me" too if it was on.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            start_session(user, remember=cookie in request.cookies)
            db.session.commit()
            flash(_("Your password is changed. You are signed out everywhere else."), "notice")
            return redirect(url_for("account.settings"))
    return render_template("account/settings.html", form=form, user=user)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Response | str:
    """Send a reset link to the address, if it is an active account's; say the same either way."""
    no_store()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data or "")
        if user is not None and user.active:
            config = current_app.config
            key = throttle.key("reset-mail", user.email)
            window = int(config["PASSWORD_RESET_MAIL_WINDOW"])
            # A few links an hour at most, so the form cannot be used to flood a mailbox.
            if throttle.count(key, window) < int(config["PASSWORD_RESET_MAILS"]):
                send_password_reset(user)
                throttle.record([key])
                db.session.commit()
        return render_template("account/forgot_sent.html", email=form.email.data)
    return render_template("account/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Set a new password from a reset link, then sign in."""
    return _set_password_from_link(token, RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | str | tuple[str, int]:
    """Choose a first password from an invitation link, then sign in."""
    return _set_password_from_link(token, INVITATION)


def _set_password_from_link(token: str, purpose: str) -> Response | str | tuple[str, int]:
    no_store()  # the address holds the secret
    found = user_for_link_token(token, purpose)
    if isinstance(found, LinkProblem):
        return render_template(
            "account/link_problem.html", problem=found.value, purpose=purpose
        ), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        change_password(found, form.password.data or "")  # the link stops working here
        start_session(found)
        db.session.commit()
        flash(_("Your password is set. You are signed in."), "notice")
        return redirect(url_for("web.index"))
    return render_template("account/set_password.html", form=form, user=found, purpose=purpose)
