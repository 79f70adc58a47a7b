"""Progress reports: create, edit in draft, and their own events. Flush, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from ..accounts.models import User
from ..accounts.permissions import actor_for, authorize, can_create_report, can_edit_report
from ..definitions.commitment import IMPLEMENTATION_STATE
from ..definitions.registry import engine
from ..engine import expect_version, flush_versioned, lock_record
from ..errors import InvalidInput
from ..extensions import db
from ..lifecycle import fire
from ..plans.models import MILESTONE_STATUSES, Commitment
from ..validation import Checker
from .models import MilestoneProgress, ProgressReport
from .scales import COMPLETION

REPORT_FIELDS = (
    "period_label",
    "period_start",
    "period_end",
    "completion",
    "narrative",
    "evidence_links",
)


def parse_report(data: Any, *, creating: bool) -> dict[str, Any]:
    """Check a report body; return the fields it sets. Raise InvalidInput listing all."""
    check = Checker(data)
    values: dict[str, Any] = {}
    label = check.text("period_label", required=creating, blank=False, max_length=100)
    start = check.day("period_start", required=creating)
    end = check.day("period_end", required=creating)
    if start and end and end < start:
        check.error("period_end", "must not be before the period start")
    completion = check.choice("completion", COMPLETION)
    narrative = check.text("narrative")
    links = check.links("evidence_links")
    for name, value in (
        ("period_label", label),
        ("period_start", start),
        ("period_end", end),
        ("completion", completion),
        ("narrative", narrative),
        ("evidence_links", links),
    ):
        if value is not None:
            values[name] = value
    if check.has("milestones"):
        values["milestones"] = _parse_milestone_progress(check)
    check.integer("version", required=not creating, minimum=1)
    for name in sorted(set(data) - {*REPORT_FIELDS, "milestones", "version"}):
        check.error(name, "is not a field of a progress report")
    check.done()
    return values


def _parse_milestone_progress(check: Checker) -> list[dict[str, Any]]:
    return [
        {
            "milestone_id": item.integer("milestone_id", required=True),
            "status": item.choice("status", MILESTONE_STATUSES, required=True),
            "note": item.text("note") or "",
        }
        for item in check.each("milestones", "{milestone_id, status, note} objects")
    ]


def create_report(commitment: Commitment, user: User, values: dict[str, Any]) -> ProgressReport:
    """Start a progress report for a commitment under implementation."""
    lock_record(commitment)
    authorize(
        can_create_report,
        user,
        commitment,
        forbidden="only the plan's implementers may report progress",
        closed=f"progress is reported during {IMPLEMENTATION_STATE}; "
        f"this commitment is '{commitment.state}'",
    )
    actor = actor_for(user, commitment.plan)
    report = ProgressReport(commitment=commitment, created_by=user)
    db.session.add(report)
    with db.session.no_autoflush:  # the report is incomplete until its fields are set
        _apply(report, commitment, values)
    engine.start(report, "progress_report", actor)
    return report


def update_report(
    report: ProgressReport, user: User, values: dict[str, Any], *, version: int
) -> ProgressReport:
    """Change a report while it is a draft; fail on a stale version."""
    lock_record(report.commitment)  # commitment before report, the order every path takes
    lock_record(report)
    authorize(
        can_edit_report,
        user,
        report,
        forbidden="only the plan's implementers may edit progress reports",
        closed=f"a report can only change in draft; this one is '{report.state}'",
    )
    expect_version(report, version)
    with db.session.no_autoflush:  # one UPDATE for the whole edit, so one new version
        _apply(report, report.commitment, values)
    if not db.session.is_modified(report, include_collections=False):
        flag_modified(report, "period_label")  # an UPDATE (and new version) for milestones alone
    flush_versioned(version)
    return report


def fire_report_event(
    report: ProgressReport, user: User, event: str, *, version: int | None, comment: str | None
):
    """Fire a report event; an accepted report's milestone statuses become the milestones'."""
    lock_record(report.commitment)  # its guard reads the commitment's state: hold it still
    transition = fire(report, event, user, version=version, comment=comment)
    if report.state == "accepted":
        for progress in report.milestone_progress:
            progress.milestone.status = progress.status
        db.session.flush()
    return transition


def _apply(report: ProgressReport, commitment: Commitment, values: dict[str, Any]) -> None:
    progress = values.get("milestones")
    if progress is not None:  # checked before any change, so its query flushes nothing
        known = {m.id for m in commitment.milestones}
        unknown = [m["milestone_id"] for m in progress if m["milestone_id"] not in known]
        if unknown:
            raise InvalidInput(
                {"milestones": f"milestone {unknown[0]} is not one of this commitment's"}
            )
    for name in REPORT_FIELDS:
        if name in values:
            setattr(report, name, values[name])
    if progress is not None:
        report.milestone_progress = [MilestoneProgress(**m) for m in progress]
