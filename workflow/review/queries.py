"""Reads for comments and the MSF vote, in a few fixed queries each."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..extensions import db
from ..plans.models import Commitment
from . import operations
from .models import Comment
from .operations import VoteRound


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
    return with_voters(operations.vote_round(commitment))


def with_voters(round_: VoteRound) -> VoteRound:
    """Load the voters of a round in one query, so serializing it costs no more."""
    voter_ids = {v.user_id for v in round_.votes}
    if voter_ids:
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(voter_ids)))}
        # Attach each voter to its vote: the session keeps loaded rows only weakly, so users
        # merely loaded may be gone again by the time `vote.user` is read (a query per vote).
        for vote in round_.votes:
            set_committed_value(vote, "user", users[vote.user_id])
    return round_
