"""API routes: progress reports and their edits."""

from __future__ import annotations

from flask import url_for

from ..accounts.permissions import actor_for
from ..definitions.registry import engine
from ..lifecycle import allowed_events
from ..reporting import queries
from ..reporting import schemas as reporting
from ..reporting.models import ProgressReport
from ..reporting.operations import create_report, update_report
from ..schema import sent
from . import serialize
from .core import Body, Reply, created, current_user, route
from .loaders import visible_commitment, visible_report


@route(
    "/commitments/<int:commitment_id>/reports",
    reply=reporting.ReportList,
    tag="reports",
    summary="Progress reports",
)
def list_reports(commitment_id: int) -> Reply:
    """List a commitment's progress reports."""
    commitment = visible_commitment(commitment_id)
    actor = actor_for(current_user(), commitment.plan)  # once for the list, not per report
    return reporting.ReportList(
        reports=[
            serialize.report(r, engine.allowed_events(r, actor))
            for r in queries.commitment_reports(commitment)
        ]
    )


@route(
    "/commitments/<int:commitment_id>/reports",
    "POST",
    body=reporting.ReportInput,
    reply=reporting.Report,
    status=201,
    tag="reports",
    summary="Start a progress report (the plan's implementers)",
    operation_id="createReport",
)
def add_report(commitment_id: int, body: Body[reporting.ReportInput]) -> Reply:
    """Start a progress report."""
    commitment = visible_commitment(commitment_id)
    report = create_report(commitment, current_user(), body().model_dump())
    return created(report_reply(report), url_for(".show_report", report_id=report.id))


@route(
    "/reports/<int:report_id>", reply=reporting.Report, tag="reports", summary="One progress report"
)
def show_report(report_id: int) -> Reply:
    """Return a progress report as the caller sees it."""
    return report_reply(visible_report(report_id))


@route(
    "/reports/<int:report_id>",
    "PATCH",
    body=reporting.ReportPatch,
    reply=reporting.Report,
    tag="reports",
    summary="Change a draft report",
    operation_id="editReport",
)
def edit_report(report_id: int, body: Body[reporting.ReportPatch]) -> Reply:
    """Change a draft report."""
    report = visible_report(report_id)
    values = sent(body())
    version = values.pop("version")
    update_report(report, current_user(), values, version=version)
    return report_reply(report)


def report_reply(report: ProgressReport) -> reporting.Report:
    """Return the report as the caller sees it."""
    return serialize.report(report, allowed_events(report, current_user()))
