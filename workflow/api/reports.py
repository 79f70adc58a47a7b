"""API routes: progress reports, their edits, events and history."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..accounts.permissions import actor_for
from ..definitions.registry import engine
from ..lifecycle import allowed_events
from ..plans.queries import record_history
from ..reporting import queries
from ..reporting.models import ProgressReport
from ..reporting.operations import create_report, fire_report_event, parse_report, update_report
from . import serialize
from .core import Reply, created, current_user, json_body, route
from .inputs import parse_event
from .loaders import visible_commitment, visible_report


@route("/commitments/<int:commitment_id>/reports")
def list_reports(commitment_id: int) -> Reply:
    """List a commitment's progress reports."""
    commitment = visible_commitment(commitment_id)
    actor = actor_for(current_user(), commitment.plan)  # once for the list, not per report
    return {
        "reports": [
            serialize.report(r, engine.allowed_events(r, actor))
            for r in queries.commitment_reports(commitment)
        ]
    }


@route("/commitments/<int:commitment_id>/reports", methods=["POST"])
def add_report(commitment_id: int) -> Reply:
    """Start a progress report."""
    commitment = visible_commitment(commitment_id)
    values = parse_report(json_body(), creating=True)
    report = create_report(commitment, current_user(), values)
    return created(report_reply(report), url_for(".show_report", report_id=report.id))


@route("/reports/<int:report_id>")
def show_report(report_id: int) -> Reply:
    """Return a progress report as the caller sees it."""
    return report_reply(visible_report(report_id))


@route("/reports/<int:report_id>", methods=["PATCH"])
def edit_report(report_id: int) -> Reply:
    """Change a draft report."""
    report = visible_report(report_id)
    data = json_body()
    values = parse_report(data, creating=False)
    update_report(report, current_user(), values, version=data["version"])
    return report_reply(report)


@route("/reports/<int:report_id>/events", methods=["POST"])
def fire_report(report_id: int) -> Reply:
    """Fire a workflow event on a report."""
    report = visible_report(report_id)
    wanted = parse_event(json_body(), engine.definition_for(report))
    user = current_user()
    transition = fire_report_event(
        report, user, wanted.event, version=wanted.version, comment=wanted.comment
    )
    return serialize.transition(report, transition, allowed_events(report, user))


@route("/reports/<int:report_id>/history")
def report_history(report_id: int) -> Reply:
    """Return a report's transition log."""
    return serialize.history(record_history(visible_report(report_id)))


def report_reply(report: ProgressReport) -> dict[str, Any]:
    """Return the report as the caller sees it."""
    return serialize.report(report, allowed_events(report, current_user()))
