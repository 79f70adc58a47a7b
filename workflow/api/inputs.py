"""Check the bodies of the API's own requests; commitments and reports have their parsers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine import Definition
from ..engine.gate import DECISIONS
from ..plans.models import TEMPLATE_FIELDS
from ..review.models import RESPONSE_OUTCOMES
from ..validation import Checker
from .core import reject_unknown


@dataclass(frozen=True)
class EventRequest:
    event: str
    version: int
    comment: str | None


@dataclass(frozen=True)
class VoteRequest:
    decision: str
    comment: str | None


@dataclass(frozen=True)
class CommentRequest:
    body: str
    field: str | None


@dataclass(frozen=True)
class ResponseRequest:
    response: str
    outcome: str


def parse_event(data: Any, definition: Definition) -> EventRequest:
    """Check {"event", "version", "comment"}; the event must be one of the workflow's."""
    check = Checker(data)
    event = check.text("event", required=True, blank=False, max_length=60)
    if event and event not in definition.events:
        check.error("event", f"is not an event of this workflow; use one of: {_list(definition)}")
    version = check.integer("version", required=True, minimum=1)
    comment = check.text("comment")
    reject_unknown(check, ("event", "version", "comment"))
    check.done()
    return EventRequest(event, version, comment or None)


def parse_vote(data: Any) -> VoteRequest:
    """Check {"decision", "comment"}: a member says why they vote as they do."""
    check = Checker(data)
    decision = check.choice("decision", DECISIONS, required=True)
    comment = check.text("comment", required=True, blank=False, max_length=5000)
    reject_unknown(check, ("decision", "comment"))
    check.done()
    return VoteRequest(decision, comment)


def parse_comment(data: Any) -> CommentRequest:
    """Check {"body", "field"}; `field` names one field of the commitment template."""
    check = Checker(data)
    body = check.text("body", required=True, blank=False)
    field = check.choice("field", TEMPLATE_FIELDS)
    reject_unknown(check, ("body", "field"))
    check.done()
    return CommentRequest(body, field)


def parse_response(data: Any) -> ResponseRequest:
    """Check {"response", "outcome"}: the reasoned response to a comment."""
    check = Checker(data)
    response = check.text("response", required=True, blank=False)
    outcome = check.choice("outcome", RESPONSE_OUTCOMES, required=True)
    reject_unknown(check, ("response", "outcome"))
    check.done()
    return ResponseRequest(response, outcome)


def _list(definition: Definition) -> str:
    return ", ".join(definition.events)
