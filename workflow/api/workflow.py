"""The routes every workflow-driven model has: fire an event, read the history.

Registered once per model from one piece of code, with their entries in the document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..accounts.models import User
from ..engine import Transition
from ..lifecycle import allowed_events, fire
from ..plans.queries import record_history
from ..reporting.operations import fire_report_event
from . import schemas, serialize
from .core import FIRE, Body, Reply, current_user, route
from .loaders import visible_commitment, visible_report

# Fire `event` on a record for a user: (record, user, event, version, comment) -> Transition.
Firing = Callable[[Any, User, str, int, str | None], Transition]


def workflow_routes(
    *,
    name: str,
    collection: str,
    workflow_key: str,
    load: Callable[[int], Any],
    firing: Firing,
    events_summary: str,
) -> None:
    """Register POST /<collection>/<id>/events and GET /<collection>/<id>/history for a model."""
    param = f"{name}_id"
    body = schemas.event_input(workflow_key)

    @route(
        f"/{collection}/<int:{param}>/events",
        "POST",
        body=body,
        reply=schemas.Transition,
        tag="workflow",
        summary=events_summary,
        errors=FIRE,
        endpoint=f"fire_{name}_event",
    )
    def fire_event(body: Body[Any], **ids: int) -> Reply:
        record = load(ids[param])
        wanted = body()
        user = current_user()
        transition = firing(record, user, wanted.event, wanted.version, wanted.comment)
        return serialize.transition(record, transition, allowed_events(record, user))

    @route(
        f"/{collection}/<int:{param}>/history",
        reply=schemas.History,
        tag="workflow",
        summary=f"The {name.replace('_', ' ')}'s hash-chained transition log",
        endpoint=f"{name}_history",
    )
    def history(**ids: int) -> Reply:
        return serialize.history(record_history(load(ids[param])))


workflow_routes(
    name="commitment",
    collection="commitments",
    workflow_key="commitment",
    load=visible_commitment,
    firing=lambda record, user, event, version, comment: fire(
        record, event, user, version=version, comment=comment
    ),
    events_summary="Fire a workflow event (submit, endorse, sign_off, ...); "
    "approve and reject are fired by the vote, not by a person",
)
workflow_routes(
    name="report",
    collection="reports",
    workflow_key="progress_report",
    load=visible_report,
    firing=lambda record, user, event, version, comment: fire_report_event(
        record, user, event, version=version, comment=comment
    ),
    events_summary="Fire a report event (submit, accept, send_back)",
)
