"""Mail about accounts: a password reset link, an invitation. Through the outbox, like all mail.

Rendered now, in the recipient's language, and added to the outbox in the caller's transaction:
it leaves after the commit, by the same dispatcher as every other message. Flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from ..extensions import db
from ..labels import role_label
from ..notify.models import OutboxMessage
from .models import User
from .tokens import INVITATION, RESET, make_link_token


def send_password_reset(user: User) -> OutboxMessage:
    """Queue a mail with a link to set a new password."""
    link = absolute_url("account.reset_password", token=make_link_token(user, RESET))
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"]) // 60
    return queue(user, "password_reset", link=link, minutes=minutes)


def send_invitation(
    user: User, inviter: User, plan: Any | None, roles: Iterable[str]
) -> OutboxMessage:
    """Queue a mail telling the user of their roles, with a password link if they have none."""
    link = None
    if not user.password_hash:
        link = absolute_url("account.accept_invitation", token=make_link_token(user, INVITATION))
    days = int(current_app.config["INVITATION_MAX_AGE_SECONDS"]) // 86400
    return queue(
        user,
        "invitation",
        link=link,
        sign_in=absolute_url("web.login"),
        days=days,
        inviter=inviter,
        plan=plan,
        roles=sorted(roles),
        role_label=role_label,
    )


def queue(user: User, template: str, **context: Any) -> OutboxMessage:
    """Render email/accounts/<template>{_subject.txt,.txt,.html}; add it to the outbox."""
    language = user.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        context = {"recipient": user, "language": language, **context}
        subject = render_template(f"email/accounts/{template}_subject.txt", **context)
        message = OutboxMessage(
            recipient_id=user.id,
            to_address=user.email,
            language=language,
            subject=" ".join(subject.split()),
            body_text=render_template(f"email/accounts/{template}.txt", **context),
            body_html=render_template(f"email/accounts/{template}.html", **context),
        )
    db.session.add(message)
    db.session.flush()
    return message


def absolute_url(endpoint: str, **values: Any) -> str:
    """Return the address of a page as mail links it: under BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
