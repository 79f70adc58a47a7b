"""Signing in and out of the pages with an email address and a password."""

from __future__ import annotations

import secrets
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from ..accounts.auth import user_by_email
from ..accounts.models import User
from ..extensions import db
from .forms import LoginForm


def login() -> Response | str:
    """Show the sign-in form; sign in and go back to a local `next` page."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(local_target(form.next.data) or url_for("web.index"))
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            # One message for every refusal, so the form does not tell who has an account.
            error = _(
                "The email address or the password is wrong, or the account is deactivated. "
                "Check both and try again; an administrator can help if it keeps failing."
            )
        else:
            session.clear()  # nothing from before the sign-in carries over, not even a CSRF token
            login_user(user)
            db.session.commit()  # check_password may have rehashed at a newer cost
            return redirect(local_target(form.next.data) or url_for("web.index"))
    return render_template("web/login.html", form=form, error=error)


def logout() -> Response:
    """Sign out (by POST, with the form's CSRF token) and go to the index."""
    logout_user()
    return redirect(url_for("web.index"))


def csrf_refused(exc: CSRFError) -> CSRFError:
    """Say what a person can do about a form the CSRF check refused."""
    exc.description = _(
        "This form has expired or was not sent from this site. "
        "Go back, reload the page and send the form again."
    )
    return exc


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this address and password, or None."""
    user = user_by_email(email)
    if user is None or not user.password_hash:
        # Spend the time a real check takes, so timing does not tell who has an account.
        _decoy().check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def local_target(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash ("/\\evil.example") and drop control characters.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _decoy() -> User:
    config = current_app.config
    return User(
        password_hash=_decoy_hash(
            config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"]
        )
    )


@lru_cache(maxsize=4)
def _decoy_hash(time_cost: int, memory_kib: int) -> str:
    # Hashed at the configured cost (the arguments key the cache), never stored.
    decoy = User()
    decoy.set_password(secrets.token_urlsafe(16))
    return str(decoy.password_hash)
