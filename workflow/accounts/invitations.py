"""Invite people to a plan or to Cocreate: an account if needed, roles, a mail. Flush only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..errors import InvalidInput
from ..extensions import db
from .auth import user_by_email
from .mail import send_invitation
from .models import Organisation, PlanMembership, User
from .operations import create_user, grant_role, normalise_email, plan_roles_of
from .roles import MSF_MEMBER


@dataclass
class Invited:
    """What an invitation did: the account, whether it is new, the roles it did not hold yet."""

    user: User
    created: bool
    granted: list[str] = field(default_factory=list)
    mailed: bool = False


def invite_to_plan(
    plan: Any,
    inviter: User,
    email: str,
    roles: Iterable[str],
    *,
    name: str = "",
    sector: str | None = None,
    language: str = "en",
) -> Invited:
    """Give roles on a plan to the person with this address, opening an account if needed.

    A mail says which roles they now hold, with a link to choose a password when they have
    none yet. Roles they hold already change nothing and send nothing, so sending the same
    invitation twice does no harm.
    """
    address = normalise_email(email)
    user = user_by_email(address)
    created = user is None
    if user is None:
        user = create_user(address, name, None, language=language)
    elif not user.active:
        raise InvalidInput({"email": "deactivated"})
    held = plan_roles_of(plan, user)
    result = Invited(user=user, created=created)
    for role in roles:
        moved = role == MSF_MEMBER and role in held and sector and forum_side(plan, user) != sector
        if role not in held or moved:
            # A new role, or a forum member moved to the other side (open votes are recounted).
            grant_role(plan, user, role, sector)
            result.granted.append(role)
    if result.granted or created:
        send_invitation(user, inviter, plan, result.granted)
        result.mailed = True
    return result


def invite_account(
    inviter: User,
    email: str,
    *,
    name: str = "",
    language: str = "en",
    organisation: Organisation | None = None,
    is_admin: bool = False,
) -> User:
    """Open an account without a password and mail its owner a link to choose one."""
    user = create_user(
        email, name, None, language=language, organisation=organisation, is_admin=is_admin
    )
    send_invitation(user, inviter, None, ())
    return user


def forum_side(plan: Any, user: User) -> str | None:
    """Return the side of the forum the user sits on for this plan, if they are a member."""
    return db.session.scalar(
        select(PlanMembership.sector).where(
            PlanMembership.plan_id == plan.id,
            PlanMembership.user_id == user.id,
            PlanMembership.role == MSF_MEMBER,
        )
    )
