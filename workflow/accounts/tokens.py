"""Links that let a person set a password: a reset link and an invitation, each signed.

Nothing is stored: a link carries the account's id and a fingerprint of its password hash,
signed with the secret key and dated. Setting a password changes the hash, so a link works
once; the date makes it expire (PASSWORD_RESET_MAX_AGE_SECONDS, INVITATION_MAX_AGE_SECONDS).
"""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from .models import User

RESET = "password-reset"
INVITATION = "invitation"
MAX_AGE_SETTING = {
    RESET: "PASSWORD_RESET_MAX_AGE_SECONDS",
    INVITATION: "INVITATION_MAX_AGE_SECONDS",
}


class LinkProblem(Enum):
    """Why a link does not work, so the page can say what to do."""

    EXPIRED = "expired"
    INVALID = "invalid"  # used already, mistyped, or for a deactivated account


def make_link_token(user: User, purpose: str) -> str:
    """Return a signed token for `purpose` (RESET or INVITATION) for the user."""
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_link_token(token: str, purpose: str) -> User | LinkProblem:
    """Return the active user the token was made for, or why it does not work."""
    max_age = int(current_app.config[MAX_AGE_SETTING[purpose]])
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return LinkProblem.EXPIRED
    except BadSignature:
        return LinkProblem.INVALID
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return LinkProblem.INVALID
    user = db.session.get(User, data["u"])
    if user is None or not user.active:
        return LinkProblem.INVALID
    if not hmac.compare_digest(str(data.get("f", "")), _fingerprint(user)):
        return LinkProblem.INVALID  # the password changed since: the link was used
    return user


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"cocreate-{purpose}")


def _fingerprint(user: User) -> str:
    # The address too: a link sent to an old address stops working when it changes.
    material = f"{user.email}\0{user.password_hash or ''}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]
