"""The API's own shapes: errors, the caller, whole commitments, events and their history.

Each workflow-driven model gets its event body from its installed definitions, so the events
the document lists are those the engine knows.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model

from ..accounts.roles import LANGUAGES, PLAN_ROLES, SECTORS
from ..definitions.shapes import event_of
from ..plans.schemas import CommitmentSummary, Milestone, Person, RecordWorkflow
from ..review.schemas import Tally
from ..schema import Reply, Shape, Timestamp, Version, one_of, text, unset, validate


class ErrorDetail(BaseModel):
    code: str = Field(
        description="unauthorized, not_allowed, not_found, invalid_input, stale_version, "
        "invalid_event, conflict, guard_failed, method_not_allowed, internal_error, ..."
    )
    message: str = Field(description="What is wrong and what to do, in your language.")
    reasons: list[str] = unset("guard_failed: each reason the event must wait.")
    fields: dict[str, str] = unset(
        "invalid_input: each field (by path, e.g. milestones[1].end_date) and what is wrong "
        "with it."
    )
    current_version: int = unset("stale_version: the record's version now, where known.")


class Error(BaseModel):
    error: ErrorDetail


class Organisation(Reply):
    id: int
    name: str
    sector: one_of(SECTORS)


class Membership(Reply):
    plan_id: int
    plan_title: str
    role: one_of(PLAN_ROLES)
    sector: one_of(SECTORS) | None


class Me(Reply):
    id: int
    email: str
    name: str
    language: one_of(LANGUAGES)
    is_admin: bool
    organisation: Organisation | None
    memberships: list[Membership]


class Commitment(CommitmentSummary):
    problem: str
    description: str
    how_it_solves: str
    other_actors_government: str
    other_actors_civil_society: str
    expected_results: str
    ogp_values: list[str]
    milestones: list[Milestone]
    workflow: RecordWorkflow
    allowed_events: list[str] = Field(
        description="Events your roles allow from this state (guards not checked)."
    )
    vote_round: Tally | None = Field(description="The open vote while the forum votes on it.")
    created_by: Person | None
    created_at: Timestamp
    updated_at: Timestamp


class Workflow(Reply):
    key: str
    version: int


class HistoryEntry(Reply):
    seq: int
    event: str
    from_state: str | None
    to_state: str
    actor: str = Field(description="Who fired it, or the vote that decided.")
    actor_id: int | None
    comment: str | None
    created_at: Timestamp
    workflow: Workflow
    prev_hash: str = Field(description="The hash of the entry before (64 zeros first).")
    hash: str = Field(description="SHA-256 of the entry's content, including prev_hash.")


class History(Reply):
    entries: list[HistoryEntry]
    chain_intact: bool = Field(
        description="Every entry links to the one before and matches its hash."
    )


class Transition(Reply):
    id: int
    event: str
    from_state: str
    state: str
    version: int
    state_changed_at: Timestamp
    allowed_events: list[str]
    entry: HistoryEntry


@cache
def event_input(workflow_key: str) -> type[Shape]:
    """Return the body that fires one of the events of workflow `workflow_key` (one class each)."""
    name = "".join(part.title() for part in workflow_key.split("_")) + "EventInput"
    fields: dict[str, Any] = {
        "event": (event_of(workflow_key), ...),
        "version": (Version, ...),
        "comment": (
            text(5000, "Required by the events that say so (a reason to send back, say).") | None,
            None,
        ),
    }
    return create_model(name, __base__=Shape, __doc__="Fire one workflow event.", **fields)


def parse_event(data: Any, definition: Any) -> Any:
    """Check a body that fires an event of `definition`'s workflow: event, version, comment."""
    return validate(event_input(definition.key), data)
