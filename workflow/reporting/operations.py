"""Progress reports: create, edit in draft, and their own events. Flush, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import User
from ..accounts.permissions import actor_for, can_create_report, can_edit_report, require
from ..definitions.registry import engine
from ..errors import Conflict, InvalidInput, StaleVersion
from ..extensions import db
from ..lifecycle import fire
from ..plans.models import MILESTONE_STATUSES, Commitment
from ..validation import Checker
from .models import MilestoneProgress, ProgressReport
from .scales import COMPLETION

FIELDS = (
    "period_label",
    "period_start",
    "period_end",
    "completion",
    "narrative",
    "evidence_links",
    "milestones",
    "version",
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
    for name in sorted(set(data) - set(FIELDS)):
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
    require(
        can_create_report(user, commitment, check_state=False),
        "only the plan's implementers and point of contact may report progress",
    )
    if commitment.state != "implementation":
        raise Conflict(
            f"progress is reported during implementation; this commitment is '{commitment.state}'"
        )
    actor = actor_for(user, commitment.plan)
    report = ProgressReport(commitment=commitment, created_by=user)
    db.session.add(report)
    _apply(report, commitment, values)
    engine.start(report, "progress_report", actor)
    return report


def update_report(
    report: ProgressReport, user: User, values: dict[str, Any], *, version: int
) -> ProgressReport:
    """Change a report while it is a draft; fail on a stale version."""
    require(
        can_edit_report(user, report, check_state=False),
        "only the plan's implementers and point of contact may edit progress reports",
    )
    if report.state != "draft":
        raise Conflict(f"a report can only change in draft; this one is '{report.state}'")
    if version != report.version:
        raise StaleVersion(version, report.version)
    _apply(report, report.commitment, values)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleVersion(version, None) from exc
    return report


def fire_report_event(
    report: ProgressReport, user: User, event: str, *, version: int | None, comment: str | None
):
    """Fire a report event; an accepted report's milestone statuses become the milestones'."""
    transition = fire(report, event, user, version=version, comment=comment)
    if report.state == "accepted":
        for progress in report.milestone_progress:
            progress.milestone.status = progress.status
        db.session.flush()
    return transition


def _apply(report: ProgressReport, commitment: Commitment, values: dict[str, Any]) -> None:
    for name in (
        "period_label",
        "period_start",
        "period_end",
        "completion",
        "narrative",
        "evidence_links",
    ):
        if name in values:
            setattr(report, name, values[name])
    if "milestones" in values:
        known = {m.id for m in commitment.milestones}
        unknown = [
            m["milestone_id"] for m in values["milestones"] if m["milestone_id"] not in known
        ]
        if unknown:
            raise InvalidInput(
                {"milestones": f"milestone {unknown[0]} is not one of this commitment's"}
            )
        report.milestone_progress = [MilestoneProgress(**m) for m in values["milestones"]]
