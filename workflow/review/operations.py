"""Comments, reasoned responses and MSF votes; a deciding vote fires the gate. Flush only.

Each operation first locks the commitment's row (engine.lock_record), as every transition does,
so a comment or vote cannot slip in between a guard's check and the state change it allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import PlanMembership, User
from ..accounts.permissions import authorize, can_comment, can_respond, can_vote
from ..accounts.roles import MSF_MEMBER
from ..definitions.commitment import REVIEW_STATE, VOTING_STATE
from ..definitions.registry import engine
from ..engine import Actor, lock_record
from ..engine.audit import times_entered, utcnow
from ..engine.gate import Ballot, Outcome, decide
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..lifecycle import fire_as
from ..plans.models import Commitment
from .models import Comment, Vote


def add_comment(commitment: Commitment, user: User, body: str, field: str | None) -> Comment:
    """Comment on a draft, on the whole text or one field of it."""
    lock_record(commitment)
    authorize(
        can_comment,
        user,
        commitment,
        forbidden=_l(
            "only the plan's reviewers, drafters, forum members and point of contact may comment"
        ),
        closed=_l(
            "comments are closed while the commitment is '%(state)s'", state=commitment.state
        ),
    )
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
    entered = times_entered(commitment, REVIEW_STATE)
    return entered if commitment.state == REVIEW_STATE else entered + 1


def respond_to_comment(
    comment: Comment, commitment: Commitment, user: User, response: str, outcome: str
) -> Comment:
    """Give the drafting side's reasoned response to a comment."""
    lock_record(commitment)
    db.session.refresh(comment)  # read after the lock: a response given meanwhile is seen
    authorize(
        can_respond,
        user,
        commitment,
        forbidden=_l("only the plan's drafters and point of contact may answer comments"),
        closed=_l(
            "comments cannot be answered while the commitment is '%(state)s'",
            state=commitment.state,
        ),
    )
    if comment.response is not None:
        raise Conflict(_l("comment %(id)s already has a response", id=comment.id))
    comment.response = response
    comment.response_outcome = outcome
    comment.responded_by_id = user.id
    comment.responded_at = utcnow()
    db.session.flush()
    return comment


@dataclass(frozen=True)
class VoteRound:
    """One round of the approval gate: who may vote, the votes cast and what they decide."""

    number: int
    rule: str
    members: dict[int, str]  # user id -> side of the forum
    votes: list[Vote]
    outcome: Outcome


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


def vote_round(commitment: Commitment) -> VoteRound:
    """Return the current (or last) round of the vote with what the plan's rule makes of it."""
    number = times_entered(commitment, VOTING_STATE)
    votes = list(
        db.session.scalars(
            select(Vote)
            .where(Vote.commitment_id == commitment.id, Vote.round == number)
            .order_by(Vote.id)
        )
    )
    return _decided(commitment, number, gate_members(commitment), votes)


def _decided(
    commitment: Commitment, number: int, members: dict[int, str], votes: list[Vote]
) -> VoteRound:
    rule = commitment.plan.approval_rule
    # A member counts for the side they sit on now, should it have changed since they voted.
    ballots = [Ballot(v.user_id, members.get(v.user_id, v.sector), v.decision) for v in votes]
    return VoteRound(number, rule, members, votes, decide(rule, members, ballots))


def cast_vote(
    commitment: Commitment, user: User, decision: str, comment: str | None
) -> tuple[Vote, VoteRound]:
    """Record a member's vote in the current round; fire approve or reject once it decides."""
    lock_record(commitment)
    authorize(
        can_vote,
        user,
        commitment,
        forbidden=_l("only MSF members of this plan may vote"),
        closed=_l(
            "votes are taken in %(voting)s; this commitment is '%(state)s'",
            voting=VOTING_STATE,
            state=commitment.state,
        ),
    )
    if not (comment or "").strip():
        raise InvalidInput({"comment": _l("a vote needs a comment: say why you vote this way")})
    before = vote_round(commitment)
    vote = Vote(
        commitment_id=commitment.id,
        round=before.number,
        user_id=user.id,
        sector=before.members[user.id],
        decision=decision,
        comment=comment.strip(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(vote)
    except IntegrityError:
        raise Conflict(
            _l("you have already voted in round %(round)s of this commitment", round=before.number)
        ) from None
    after = _decided(commitment, before.number, before.members, [*before.votes, vote])
    if after.outcome.decision:
        _fire_gate(commitment, after.outcome, f"MSF vote (deciding vote: {user.name})")
    return vote, after


def recount_open_votes(plan_ids: Iterable[int]) -> list[Commitment]:
    """Decide the open votes of plans again after their forum changed; return those decided.

    Removing a member lowers the majority and moving one changes the sides, so a round that
    waited may now be decided. Commitments are locked in id order, so two recounts at once
    cannot deadlock.
    """
    pending = db.session.scalars(
        select(Commitment)
        .where(Commitment.plan_id.in_(list(plan_ids)), Commitment.state == VOTING_STATE)
        .order_by(Commitment.id)
    ).all()
    decided = []
    for commitment in pending:
        lock_record(commitment)
        if commitment.state != VOTING_STATE:
            continue
        outcome = vote_round(commitment).outcome
        if outcome.decision:
            _fire_gate(commitment, outcome, "MSF vote (recounted after the forum changed)")
            decided.append(commitment)
    return decided


def _fire_gate(commitment: Commitment, outcome: Outcome, label: str) -> None:
    gate = engine.definition_for(commitment).states[commitment.state].gate
    event = gate.approve_event if outcome.decision == "approve" else gate.reject_event
    actor = Actor(user_id=None, label=label, is_gate=True)
    with force_locale("en"):  # the log is a lasting record: one language, whoever voted last
        reason = str(outcome.reason)
    fire_as(commitment, event, actor, comment=f"The forum decided: {reason}.")
