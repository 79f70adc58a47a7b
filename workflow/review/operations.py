"""Comments, reasoned responses and MSF votes; a deciding vote fires the gate. Flush only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import PlanMembership, User
from ..accounts.permissions import can_comment, can_respond, can_vote, require
from ..accounts.roles import MSF_MEMBER
from ..definitions.registry import engine
from ..engine import Actor
from ..engine.audit import times_entered, utcnow
from ..engine.gate import Ballot, Outcome, decide
from ..errors import Conflict
from ..extensions import db
from ..lifecycle import fire_as
from ..plans.models import Commitment
from .models import Comment, Vote


def add_comment(commitment: Commitment, user: User, body: str, field: str | None) -> Comment:
    """Comment on a draft, on the whole text or one field of it."""
    require(
        can_comment(user, commitment, check_state=False),
        "only the plan's reviewers, drafters, forum members and point of contact may comment",
    )
    if commitment.state not in ("draft", "cso_review"):
        raise Conflict(f"comments are closed while the commitment is '{commitment.state}'")
    comment = Comment(
        commitment_id=commitment.id,
        author_id=user.id,
        field=field,
        body=body,
        round=review_round_for_new_comment(commitment),
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def review_round_for_new_comment(commitment: Commitment) -> int:
    """Return the review round a comment made now belongs to.

    During a review it is the current round; on a draft it is the next one, so that the
    comment must be answered before that review can endorse the commitment.
    """
    entered = times_entered(commitment, "cso_review")
    return entered + 1 if commitment.state == "draft" else entered


def respond_to_comment(
    comment: Comment, commitment: Commitment, user: User, response: str, outcome: str
) -> Comment:
    """Give the drafting side's reasoned response to a comment."""
    require(
        can_respond(user, comment, commitment),
        "only the plan's drafters and point of contact may answer comments, while in drafting",
    )
    if comment.response is not None:
        raise Conflict(f"comment {comment.id} already has a response")
    comment.response = response
    comment.response_outcome = outcome
    comment.responded_by_id = user.id
    comment.responded_at = utcnow()
    db.session.flush()
    return comment


def gate_members(commitment: Commitment) -> dict[int, str]:
    """Return the plan's active MSF members and their side, as the gate counts them."""
    rows = db.session.execute(
        select(PlanMembership.user_id, PlanMembership.sector)
        .join(User, User.id == PlanMembership.user_id)
        .where(
            PlanMembership.plan_id == commitment.plan_id,
            PlanMembership.role == MSF_MEMBER,
            User.active.is_(True),
        )
    )
    return {user_id: sector for user_id, sector in rows}


def round_votes(commitment: Commitment, round_: int) -> list[Vote]:
    return list(
        db.session.scalars(
            select(Vote)
            .where(Vote.commitment_id == commitment.id, Vote.round == round_)
            .order_by(Vote.id)
        )
    )


def tally(commitment: Commitment) -> tuple[int, list[Vote], Outcome]:
    """Return the current round, its votes and what the plan's rule makes of them."""
    round_ = times_entered(commitment, "msf_approval")
    votes = round_votes(commitment, round_)
    outcome = decide(
        commitment.plan.approval_rule,
        gate_members(commitment),
        [Ballot(v.user_id, v.sector, v.decision) for v in votes],
    )
    return round_, votes, outcome


def cast_vote(commitment: Commitment, user: User, decision: str, comment: str | None) -> Vote:
    """Record a member's vote in the current round; fire approve or reject once it decides.

    The caller loads the commitment FOR UPDATE, so concurrent votes are counted one at a time.
    """
    require(can_vote(user, commitment, check_state=False), "only MSF members of this plan may vote")
    if commitment.state != "msf_approval":
        raise Conflict(f"votes are taken in msf_approval; this commitment is '{commitment.state}'")
    sector = gate_members(commitment).get(user.id)
    round_ = times_entered(commitment, "msf_approval")
    vote = Vote(
        commitment_id=commitment.id,
        round=round_,
        user_id=user.id,
        sector=sector,
        decision=decision,
        comment=comment or None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(vote)
    except IntegrityError:
        raise Conflict(f"you have already voted in round {round_} of this commitment") from None
    _, _, outcome = tally(commitment)
    if outcome.decision:
        gate = engine.definition_for(commitment).states[commitment.state].gate
        event = gate.approve_event if outcome.decision == "approve" else gate.reject_event
        actor = Actor(user_id=None, label=f"MSF vote (deciding vote: {user.name})", is_gate=True)
        fire_as(commitment, event, actor, comment=f"The forum decided: {outcome.reason}.")
    return vote
