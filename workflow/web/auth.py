"""Signing in and out of the pages with an email address and a password."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import format_time, format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from ..accounts import throttle
from ..accounts.auth import user_by_email
from ..accounts.models import User
from ..accounts.operations import end_sessions
from ..engine.audit import utcnow
from ..extensions import db
from .forms import LoginForm
from .security import no_store


def login() -> Response | str | tuple[str, int, dict[str, str]]:
    """Show the sign-in form; sign in and go back to a local `next` page."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(local_target(form.next.data) or url_for("web.index"))
    no_store()  # the form carries a CSRF token, and what was typed must not be cached
    error = None
    if form.validate_on_submit():
        email, address = form.email.data or "", request.remote_addr or ""
        keys = throttle.sign_in_keys(email, address)
        wait = throttle.retry_after(keys)
        if wait:
            # Refused before any password is checked: guessing gains nothing, costs no hashing.
            return too_many_attempts(form, wait)
        user = authenticate(email, form.password.data or "")
        if user is None:
            throttle.record([k for k, _limit in keys])
            db.session.commit()
            # One message for every refusal, so the form does not tell who has an account.
            error = _(
                "The email address or the password is wrong, or the account is deactivated. "
                "Check both and try again; an administrator can help if it keeps failing."
            )
        else:
            throttle.forget(keys[0][0])  # the account's count; the address's stays
            start_session(user, remember=bool(form.remember.data))
            db.session.commit()  # check_password may have rehashed at a newer cost
            return redirect(local_target(form.next.data) or url_for("web.index"))
    return render_template("web/login.html", form=form, error=error)


def too_many_attempts(form: LoginForm, wait: int) -> tuple[str, int, dict[str, str]]:
    """Answer 429, saying when to try again, in words and in Retry-After."""
    at = utcnow() + timedelta(seconds=wait)
    error = _(
        "Too many failed attempts to sign in. Try again in %(wait)s, at %(time)s UTC.",
        wait=format_timedelta(timedelta(seconds=wait), add_direction=False),
        time=format_time(at, "HH:mm"),
    )
    body = render_template("web/login.html", form=form, error=error)
    return body, 429, {"Retry-After": str(wait)}


def start_session(user: User, *, remember: bool = False) -> None:
    """Sign `user` in afresh: nothing from before carries over, not even a CSRF token."""
    session.clear()
    login_user(user, remember=remember)


def logout() -> Response:
    """Sign out (by POST, with the CSRF token): every cookie made before stops working."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    logout_user()
    if user is not None:
        end_sessions(user)
        db.session.commit()
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
