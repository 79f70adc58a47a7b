"""Create users, give and take roles on plans, revoke API tokens. Flush, never commit."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..engine.audit import utcnow
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db

# Membership decides who counts in a vote, so changing it may decide a waiting vote.
from ..review.operations import recount_open_votes
from .models import ApiToken, Organisation, PlanMembership, User
from .roles import LANGUAGES, MSF_MEMBER, PLAN_ROLES, SECTORS

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    """Return the address in the form stored, or raise InvalidInput saying what is wrong."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput({"email": str(exc)}) from None


def create_user(
    email: str,
    name: str,
    password: str | None,
    *,
    language: str = "en",
    organisation: Organisation | None = None,
    is_admin: bool = False,
) -> User:
    email = normalise_email(email)
    if language not in LANGUAGES:
        raise InvalidInput({"language": f"must be one of: {', '.join(LANGUAGES)}"})
    if password is not None:
        check_password_length(password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with the address {email} exists already")
    user = User(
        email=email,
        name=name.strip() or email,
        language=language,
        organisation=organisation,
        is_admin=is_admin,
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(plan, user: User, role: str, sector: str | None = None) -> PlanMembership:
    """Give a user a role on a plan; MSF members need their side of the forum."""
    if role not in PLAN_ROLES:
        raise InvalidInput({"role": f"must be one of: {', '.join(PLAN_ROLES)}"})
    if role == MSF_MEMBER and sector not in SECTORS:
        raise InvalidInput({"sector": f"an MSF member sits on one side: {', '.join(SECTORS)}"})
    if role != MSF_MEMBER:
        sector = None
    existing = db.session.scalar(
        select(PlanMembership).where(
            PlanMembership.plan_id == plan.id,
            PlanMembership.user_id == user.id,
            PlanMembership.role == role,
        )
    )
    if existing is not None:
        if existing.sector != sector:
            existing.sector = sector
            db.session.flush()
            recount_open_votes([plan.id])
        return existing
    membership = PlanMembership(plan_id=plan.id, user_id=user.id, role=role, sector=sector)
    db.session.add(membership)
    db.session.flush()
    return membership


def plan_roles_of(plan, user: User) -> set[str]:
    """Return the roles the user holds on the plan, active or not."""
    return set(
        db.session.scalars(
            select(PlanMembership.role).where(
                PlanMembership.plan_id == plan.id, PlanMembership.user_id == user.id
            )
        )
    )


def revoke_role(plan, user: User, role: str) -> None:
    """Take a role on a plan away from a user; raise NotFound when they do not hold it."""
    membership = db.session.scalar(
        select(PlanMembership).where(
            PlanMembership.plan_id == plan.id,
            PlanMembership.user_id == user.id,
            PlanMembership.role == role,
        )
    )
    if membership is None:
        raise NotFound(f"{user.email} does not hold the role {role} on the plan '{plan.slug}'")
    db.session.delete(membership)
    db.session.flush()
    if role == MSF_MEMBER:
        recount_open_votes([plan.id])


def deactivate_user(user: User) -> None:
    """Close an account: no sign-in, no tokens, no mail; votes it was holding up are recounted."""
    user.active = False
    end_sessions(user)
    revoke_tokens(user)
    forums = db.session.scalars(
        select(PlanMembership.plan_id).where(
            PlanMembership.user_id == user.id, PlanMembership.role == MSF_MEMBER
        )
    ).all()
    recount_open_votes(forums)


def end_sessions(user: User) -> None:
    """Refuse every session and "remember me" cookie the user holds now, on every device."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


def change_password(user: User, password: str) -> None:
    """Set a new password and end every session made with the old one."""
    check_password_length(password)
    user.set_password(password)
    end_sessions(user)


def check_password_length(password: str) -> None:
    """Raise InvalidInput unless the password is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput({"password": f"must be at least {MIN_PASSWORD_LENGTH} characters"})


def revoke_tokens(user: User) -> int:
    """Revoke every API token of the user that is still active; return how many."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    db.session.flush()
    return len(tokens)


def get_or_create_organisation(name: str, sector: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, sector=sector)
        db.session.add(org)
        db.session.flush()
    return org
