"""API routes: the caller, plans, commitments, their revisions, events and history."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..definitions.registry import engine
from ..lifecycle import allowed_events, fire
from ..plans import queries
from ..plans.models import Commitment
from ..plans.operations import create_commitment, parse_commitment, update_commitment
from ..review.queries import vote_round
from . import serialize
from .core import Reply, created, current_user, json_body, route
from .inputs import parse_event
from .loaders import visible_commitment, visible_plan


@route("/me")
def show_me() -> Reply:
    """Return the caller with their roles on every plan."""
    user = current_user()
    return serialize.me(user, queries.user_memberships(user))


@route("/plans")
def list_plans() -> Reply:
    """List the plans the caller may see."""
    user = current_user()
    plans = queries.visible_plans(user)
    ids = [p.id for p in plans]
    roles, counts = queries.roles_by_plan(user, ids), queries.commitment_counts(ids)
    return {"plans": [serialize.plan(p, roles[p.id], counts[p.id]) for p in plans]}


@route("/plans/<int:plan_id>")
def show_plan(plan_id: int) -> Reply:
    """Return one plan with the caller's roles and its pipeline."""
    plan = visible_plan(plan_id)
    roles = queries.roles_by_plan(current_user(), [plan.id])
    counts = queries.commitment_counts([plan.id])
    return serialize.plan(plan, roles[plan.id], counts[plan.id])


@route("/plans/<int:plan_id>/commitments")
def list_commitments(plan_id: int) -> Reply:
    """List a plan's commitments in order."""
    plan = visible_plan(plan_id)
    return {
        "commitments": [serialize.commitment_summary(c) for c in queries.plan_commitments(plan)]
    }


@route("/plans/<int:plan_id>/commitments", methods=["POST"])
def add_commitment(plan_id: int) -> Reply:
    """Draft a new commitment on a plan."""
    plan = visible_plan(plan_id)
    values = parse_commitment(json_body(), creating=True)
    values.pop("note", None)
    commitment = create_commitment(plan, current_user(), values)
    return created(
        commitment_reply(commitment), url_for(".show_commitment", commitment_id=commitment.id)
    )


@route("/commitments/<int:commitment_id>")
def show_commitment(commitment_id: int) -> Reply:
    """Return a commitment as the caller sees it."""
    return commitment_reply(visible_commitment(commitment_id))


@route("/commitments/<int:commitment_id>", methods=["PATCH"])
def edit_commitment(commitment_id: int) -> Reply:
    """Change a draft's text, saving a revision."""
    commitment = visible_commitment(commitment_id)
    data = json_body()
    values = parse_commitment(data, creating=False)
    note = values.pop("note", "")
    update_commitment(commitment, current_user(), values, version=data["version"], note=note)
    return commitment_reply(commitment)


@route("/commitments/<int:commitment_id>/revisions")
def list_revisions(commitment_id: int) -> Reply:
    """List every saved version of a commitment's text."""
    commitment = visible_commitment(commitment_id)
    revisions = queries.commitment_revisions(commitment)
    return {"revisions": [serialize.revision(r) for r in revisions]}


@route("/commitments/<int:commitment_id>/events", methods=["POST"])
def fire_commitment_event(commitment_id: int) -> Reply:
    """Fire a workflow event on a commitment."""
    commitment = visible_commitment(commitment_id)
    wanted = parse_event(json_body(), engine.definition_for(commitment))
    user = current_user()
    transition = fire(
        commitment, wanted.event, user, version=wanted.version, comment=wanted.comment
    )
    return serialize.transition(commitment, transition, allowed_events(commitment, user))


@route("/commitments/<int:commitment_id>/history")
def commitment_history(commitment_id: int) -> Reply:
    """Return a commitment's transition log."""
    commitment = visible_commitment(commitment_id)
    return serialize.history(queries.record_history(commitment))


def commitment_reply(commitment: Commitment) -> dict[str, Any]:
    """Return the full commitment as the caller sees it, with the vote while one is open."""
    gate = engine.definition_for(commitment).states[commitment.state].gate
    return serialize.commitment(
        commitment,
        allowed_events(commitment, current_user()),
        vote_round(commitment) if gate else None,
    )
