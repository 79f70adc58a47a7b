"""Who is asking: session logins for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db, login_manager
from .models import ApiToken, User


def init_auth(app: Flask) -> None:
    """Load signed-in users from the session; deactivated accounts count as signed out."""
    login_manager.session_protection = "strong"
    login_manager.login_view = "web.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "notice"
    # "Remember me" cookies follow the session cookie's settings unless told otherwise.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config.get("SESSION_COOKIE_SECURE")))
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    login_manager.user_loader(load_session_user)
    # Its composers render password and invitation mail wherever the outbox is sent from.
    from . import mail  # noqa: F401


def load_session_user(session_id: str) -> User | None:
    """Return the active user a session or "remember me" cookie names, if still current.

    The cookie holds `id:generation` (User.get_id); a cookie from an older generation (made
    before a sign-out or a new password) is refused, even though its signature is good.
    """
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def user_for_token(token: str) -> User | None:
    """Return the active user a bearer token belongs to, or None for an unknown or revoked one."""
    if not token:
        return None
    row = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == ApiToken.hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.active:
        return None
    return row.user


def user_by_email(email: str) -> User | None:
    """Return the user with this address (any case), or None."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))
