"""Users, organisations, plan memberships and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..engine.audit import utcnow
from ..extensions import db
from ..models_util import one_of
from .roles import LANGUAGES, MSF_MEMBER, PLAN_ROLES, SECTORS

if TYPE_CHECKING:
    from ..plans.models import ActionPlan


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    """Argon2id; the cost is a setting so tests can hash cheaply while production stays strong."""
    config = current_app.config
    return _hasher_for(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"])


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (one_of("sector", SECTORS, "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    sector: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        one_of("language", LANGUAGES, "language"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="en")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Every session and "remember me" cookie names the generation it was made in: raising it
    # (sign-out, a new password) refuses every cookie made before, wherever it was copied to.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    organisation: Mapped[Organisation | None] = relationship()
    memberships: Mapped[list[PlanMembership]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses deactivated accounts
        return self.active

    def get_id(self) -> str:
        """Return what the session and the "remember me" cookie keep: id and generation."""
        return f"{self.id}:{self.session_generation}"

    def set_password(self, password: str) -> None:
        """Store an Argon2id hash of the password, never the password."""
        self.password_hash = _hasher().hash(password)

    def check_password(self, password: str) -> bool:
        """Return whether the password matches; rehash it if the cost settings have grown."""
        if not self.password_hash:
            return False
        try:
            _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher().check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class PlanMembership(db.Model):
    """A role a user holds on one plan; MSF members also sit on one side of the forum."""

    __tablename__ = "plan_memberships"
    __table_args__ = (
        UniqueConstraint("plan_id", "user_id", "role"),
        one_of("role", PLAN_ROLES, "role"),
        one_of("sector", SECTORS, "sector", nullable=True),
        CheckConstraint(f"(role = '{MSF_MEMBER}') = (sector IS NOT NULL)", name="sector_for_msf"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    sector: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    plan: Mapped[ActionPlan] = relationship(back_populates="memberships")


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="cli")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @staticmethod
    def hash_token(token: str) -> str:
        """Return the SHA-256 a token is stored and looked up by."""
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "cli") -> tuple[ApiToken, str]:
        """Create a token row for the user; return it with the plain token, shown once."""
        token = "cct_" + secrets.token_urlsafe(32)
        row = cls(user=user, name=name, token_hash=cls.hash_token(token))
        db.session.add(row)
        return row, token


class ThrottleEvent(db.Model):
    """Something to slow down, kept for a while: a refused sign-in, a password reset mail.

    The database is the store every worker process shares. The key names what is counted (an
    account, an address) by a hash: people type passwords into the address field, and such a
    slip must not be kept in clear.
    """

    __tablename__ = "throttle_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Invitation(db.Model):
    """Who invited whom, to which plan (or to Cocreate) with which roles; the mail it sent.

    The outbox renders the mail when it sends it, from this row: the link to choose a
    password is made then, so no usable link is ever stored.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"))
    roles: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    inviter: Mapped[User | None] = relationship(foreign_keys=[inviter_id])
    plan: Mapped[ActionPlan | None] = relationship()

    @property
    def role_list(self) -> list[str]:
        """Return the roles given, in a stable order."""
        return sorted(r for r in self.roles.split(",") if r)
