"""Reads for comments and the MSF vote, in a few fixed queries each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..engine.gate import Outcome
from ..extensions import db
from ..plans.models import Commitment
from .models import Comment, Vote
from .operations import gate_members, tally


@dataclass(frozen=True)
class VoteRound:
    """One round of the approval gate: who may vote, the votes cast and what they decide."""

    number: int
    rule: str
    members: dict[int, str]  # user id -> side of the forum
    votes: list[Vote]
    outcome: Outcome


def commitment_comments(commitment: Commitment) -> list[Comment]:
    """Return the comments on a commitment, oldest first, with authors and responders."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.commitment_id == commitment.id)
            .options(joinedload(Comment.author), joinedload(Comment.responded_by))
            .order_by(Comment.id)
        )
    )


def get_comment(comment_id: int) -> Comment | None:
    """Return a comment by id, or None."""
    return db.session.get(Comment, comment_id)


def vote_round(commitment: Commitment) -> VoteRound:
    """Return the current (or last) vote round of a commitment with its voters loaded."""
    number, votes, outcome = tally(commitment)
    voter_ids = {v.user_id for v in votes}
    if voter_ids:
        # Loaded into the session, so each vote.user below is found without another query.
        db.session.scalars(select(User).where(User.id.in_(voter_ids))).all()
    return VoteRound(
        number=number,
        rule=commitment.plan.approval_rule,
        members=gate_members(commitment),
        votes=votes,
        outcome=outcome,
    )
