"""The shapes of comments, reasoned responses and MSF votes, in requests and replies."""

from __future__ import annotations

from pydantic import Field

from ..accounts.roles import SECTORS
from ..definitions.shapes import state_of
from ..engine.gate import APPROVE, DECISIONS, REJECT, RULES
from ..plans.models import TEMPLATE_FIELDS
from ..plans.schemas import Person
from ..schema import Reply, Shape, Timestamp, one_of, words
from .models import RESPONSE_OUTCOMES

TemplateField = one_of(TEMPLATE_FIELDS)
Decision = one_of(DECISIONS)
Outcome = one_of(RESPONSE_OUTCOMES)


class CommentInput(Shape):
    """A comment on the whole draft, or on one field of it."""

    body: words(5000)
    field: TemplateField | None = None


class ResponseInput(Shape):
    """The drafting side's reasoned response to a comment."""

    response: words(5000)
    outcome: Outcome


class VoteInput(Shape):
    """A member's vote, with why they vote as they do."""

    decision: Decision
    comment: words(5000)


# --- replies -------------------------------------------------------------------------------------


class Response(Reply):
    text: str
    outcome: Outcome
    by: Person | None
    at: Timestamp


class Comment(Reply):
    id: int
    commitment_id: int
    round: int = Field(description="The CSO review round it was made in.")
    field: TemplateField | None
    body: str
    author: Person
    created_at: Timestamp
    response: Response | None


class CommentList(Reply):
    comments: list[Comment]


class Vote(Reply):
    id: int
    round: int
    voter: Person
    sector: one_of(SECTORS)
    decision: Decision
    comment: str | None
    created_at: Timestamp


class Counts(Reply):
    approve: int
    reject: int
    abstain: int


class SideCounts(Counts):
    members: int


class Tally(Reply):
    round: int
    rule: one_of(RULES)
    members: int = Field(description="Active MSF members of the plan.")
    counts: Counts
    sectors: dict[str, SideCounts]
    decision: one_of((APPROVE, REJECT)) | None
    reason: str
    votes: list[Vote]


class VotedCommitment(Reply):
    id: int
    state: state_of("commitment")
    version: int
    state_changed_at: Timestamp


class VoteResult(Reply):
    vote: Vote
    tally: Tally
    commitment: VotedCommitment
