"""Comments with their reasoned responses, and MSF votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..accounts.roles import SECTORS
from ..engine.audit import utcnow
from ..engine.gate import DECISIONS
from ..extensions import db
from ..models_util import one_of
from ..plans.models import TEMPLATE_FIELDS

# How the drafting side answered a comment: OGP asks for a reasoned response when input is not
# taken up.
RESPONSE_OUTCOMES = ("adopted", "partly_adopted", "not_adopted", "noted")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        one_of("field", TEMPLATE_FIELDS, "field", nullable=True),
        one_of("response_outcome", RESPONSE_OUTCOMES, "response_outcome", nullable=True),
        CheckConstraint(
            "(response IS NULL) = (responded_at IS NULL) "
            "AND (response IS NULL) = (response_outcome IS NULL)",
            name="response_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    round: Mapped[int]  # the CSO review round it must be answered in
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    response: Mapped[str | None] = mapped_column(Text)
    response_outcome: Mapped[str | None] = mapped_column(String(20))
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])


class Vote(db.Model):
    """One MSF member's vote in one round of the approval gate."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("commitment_id", "round", "user_id"),
        one_of("decision", DECISIONS, "decision"),
        one_of("sector", SECTORS, "sector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    round: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sector: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
