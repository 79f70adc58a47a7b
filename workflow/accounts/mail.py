"""Mail about accounts: a password reset link, an invitation. Through the outbox, like all mail.

Queuing adds an outbox row (and, for an invitation, the Invitation it is about) in the caller's
transaction; the dispatcher renders the message when it sends it, in the recipient's language,
with the composers registered here. A link to set a password is made at that moment and never
stored, so the outbox holds nothing that opens an account. Flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..extensions import db
from ..labels import role_label
from ..notify.compose import COMPOSERS, CannotCompose, Email
from ..notify.models import PENDING, OutboxMessage
from .models import Invitation, User
from .tokens import INVITATION, RESET, make_link_token

PASSWORD_RESET = "account_password_reset"
INVITED = "account_invitation"


def send_password_reset(user: User) -> OutboxMessage:
    """Queue a mail with a link to set a new password."""
    return _queue(user, PASSWORD_RESET)


def send_invitation(
    user: User, inviter: User, plan: Any | None, roles: Iterable[str]
) -> Invitation:
    """Record an invitation and queue its mail: the roles given, a password link if needed."""
    roles = sorted(roles)
    message = _queue(user, INVITED, audience=",".join(roles))
    invitation = Invitation(
        user_id=user.id,
        inviter_id=inviter.id,
        plan_id=plan.id if plan is not None else None,
        roles=",".join(roles),
        outbox_message_id=message.id,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def _queue(user: User, template: str, audience: str = "") -> OutboxMessage:
    message = OutboxMessage(
        recipient_id=user.id,
        to_address=user.email,
        template=template,
        audience=audience,
        status=PENDING,
    )
    db.session.add(message)
    db.session.flush()
    return message


def compose_password_reset(row: OutboxMessage, user: User) -> Email:
    """Render a password reset mail, with a link made now."""
    path = page_path("account.reset_password", token=make_link_token(user, RESET))
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"]) // 60
    return render(user, "password_reset", link=absolute(path), minutes=minutes)


def compose_invitation(row: OutboxMessage, user: User) -> Email:
    """Render an invitation mail: the roles given, and a password link if the user has none."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.outbox_message_id == row.id))
    if invitation is None:
        raise CannotCompose(f"outbox row {row.id} names no invitation")
    link = None
    if not user.password_hash:
        token = make_link_token(user, INVITATION)
        link = absolute(page_path("account.accept_invitation", token=token))
    return render(
        user,
        "invitation",
        link=link,
        sign_in=absolute(page_path("web.login")),
        days=int(current_app.config["INVITATION_MAX_AGE_SECONDS"]) // 86400,
        inviter_name=invitation.inviter.name if invitation.inviter else "Cocreate",
        plan=invitation.plan,
        roles=invitation.role_list,
        role_label=role_label,
    )


def render(user: User, template: str, **context: Any) -> Email:
    """Render email/accounts/<template>{_subject.txt,.txt,.html} in the user's language."""
    language = user.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        context = {"recipient": user, "language": language, **context}
        return Email.render(f"email/accounts/{template}", language, context)


def page_path(endpoint: str, **values: Any) -> str:
    """Return the path of a page; works in the dispatcher too, where no request is active."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute(path: str) -> str:
    """Return the address mail links to: the path under BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + path


COMPOSERS[PASSWORD_RESET] = compose_password_reset
COMPOSERS[INVITED] = compose_invitation
