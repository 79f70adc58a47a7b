"""API routes: the caller, plans, commitments and their revisions."""

from __future__ import annotations

from flask import url_for

from ..definitions.registry import engine
from ..lifecycle import allowed_events
from ..plans import queries
from ..plans import schemas as plans
from ..plans.models import Commitment
from ..plans.operations import create_commitment, update_commitment
from ..review.queries import vote_round
from ..schema import sent
from . import schemas, serialize
from .core import Body, Reply, created, current_user, route
from .loaders import visible_commitment, visible_plan


@route(
    "/me",
    reply=schemas.Me,
    tag="people",
    summary="You, with your roles on every plan",
    errors=("401",),
)
def show_me() -> Reply:
    """Return the caller with their roles on every plan."""
    user = current_user()
    return serialize.me(user, queries.user_memberships(user))


@route(
    "/plans",
    reply=plans.PlanList,
    tag="plans",
    summary="The plans you may see: public ones, your own, all for an admin",
    errors=("401",),
)
def list_plans() -> Reply:
    """List the plans the caller may see."""
    user = current_user()
    found = queries.visible_plans(user)
    ids = [p.id for p in found]
    roles, counts = queries.roles_by_plan(user, ids), queries.commitment_counts(ids)
    return plans.PlanList(plans=[serialize.plan(p, roles[p.id], counts[p.id]) for p in found])


@route("/plans/<int:plan_id>", reply=plans.Plan, tag="plans", summary="One plan")
def show_plan(plan_id: int) -> Reply:
    """Return one plan with the caller's roles and its pipeline."""
    plan = visible_plan(plan_id)
    roles = queries.roles_by_plan(current_user(), [plan.id])
    counts = queries.commitment_counts([plan.id])
    return serialize.plan(plan, roles[plan.id], counts[plan.id])


@route(
    "/plans/<int:plan_id>/commitments",
    reply=plans.CommitmentList,
    tag="commitments",
    summary="The plan's commitments",
)
def list_commitments(plan_id: int) -> Reply:
    """List a plan's commitments in order."""
    plan = visible_plan(plan_id)
    return plans.CommitmentList(
        commitments=[serialize.commitment_summary(c) for c in queries.plan_commitments(plan)]
    )


@route(
    "/plans/<int:plan_id>/commitments",
    "POST",
    body=plans.CommitmentInput,
    reply=schemas.Commitment,
    status=201,
    tag="commitments",
    summary="Draft a new commitment (drafters and the point of contact)",
    operation_id="createCommitment",
)
def add_commitment(plan_id: int, body: Body[plans.CommitmentInput]) -> Reply:
    """Draft a new commitment on a plan."""
    plan = visible_plan(plan_id)
    values = sent(body())
    values.pop("note", None)
    commitment = create_commitment(plan, current_user(), values)
    return created(
        commitment_reply(commitment), url_for(".show_commitment", commitment_id=commitment.id)
    )


@route(
    "/commitments/<int:commitment_id>",
    reply=schemas.Commitment,
    tag="commitments",
    summary="One commitment",
)
def show_commitment(commitment_id: int) -> Reply:
    """Return a commitment as the caller sees it."""
    return commitment_reply(visible_commitment(commitment_id))


@route(
    "/commitments/<int:commitment_id>",
    "PATCH",
    body=plans.CommitmentPatch,
    reply=schemas.Commitment,
    tag="commitments",
    summary="Change the text of a draft; saves a revision",
    description="Only the fields sent change; `milestones` replaces them all.",
)
def edit_commitment(commitment_id: int, body: Body[plans.CommitmentPatch]) -> Reply:
    """Change a draft's text, saving a revision."""
    commitment = visible_commitment(commitment_id)
    values = sent(body())
    version = values.pop("version")
    note = values.pop("note", "")
    update_commitment(commitment, current_user(), values, version=version, note=note)
    return commitment_reply(commitment)


@route(
    "/commitments/<int:commitment_id>/revisions",
    reply=plans.RevisionList,
    tag="commitments",
    summary="Every saved version of the text",
)
def list_revisions(commitment_id: int) -> Reply:
    """List every saved version of a commitment's text."""
    commitment = visible_commitment(commitment_id)
    revisions = queries.commitment_revisions(commitment)
    return plans.RevisionList(revisions=[serialize.revision(r) for r in revisions])


def commitment_reply(commitment: Commitment) -> schemas.Commitment:
    """Return the full commitment as the caller sees it, with the vote while one is open."""
    gate = engine.definition_for(commitment).states[commitment.state].gate
    return serialize.commitment(
        commitment,
        allowed_events(commitment, current_user()),
        vote_round(commitment) if gate else None,
    )
