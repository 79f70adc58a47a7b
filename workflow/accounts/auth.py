"""Who is asking: session logins for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from ..extensions import db, login_manager
from .models import ApiToken, User


def init_auth(app: Flask) -> None:
    """Load signed-in users from the session; deactivated accounts count as signed out."""
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None


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
