"""Progress reports: create, edit in draft, and their own events. Flush, never commit."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified

from ..accounts.models import User
from ..accounts.permissions import actor_for, authorize, can_create_report, can_edit_report
from ..definitions.commitment import IMPLEMENTATION_STATE
from ..definitions.progress_report import ACCEPTED_STATE
from ..definitions.progress_report import EDITABLE_STATE as REPORT_EDITABLE_STATE
from ..definitions.registry import engine
from ..engine import expect_version, flush_versioned, lock_record
from ..errors import InvalidInput
from ..extensions import db
from ..lifecycle import fire
from ..plans.models import Commitment
from .models import MilestoneProgress, ProgressReport

REPORT_FIELDS = (
    "period_label",
    "period_start",
    "period_end",
    "completion",
    "narrative",
    "evidence_links",
)


def create_report(commitment: Commitment, user: User, values: dict[str, Any]) -> ProgressReport:
    """Start a progress report for a commitment under implementation."""
    lock_record(commitment)
    authorize(
        can_create_report,
        user,
        commitment,
        forbidden=_l("only the plan's implementers may report progress"),
        closed=_l(
            "progress is reported during %(implementation)s; this commitment is '%(state)s'",
            implementation=IMPLEMENTATION_STATE,
            state=commitment.state,
        ),
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
        forbidden=_l("only the plan's implementers may edit progress reports"),
        closed=_l(
            "a report can only change in %(editable)s; this one is '%(state)s'",
            editable=REPORT_EDITABLE_STATE,
            state=report.state,
        ),
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
    if report.state == ACCEPTED_STATE:
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
                {
                    "milestones": _l(
                        "milestone %(id)s is not one of this commitment's", id=unknown[0]
                    )
                },
                status=422,
            )
    start = values.get("period_start", report.period_start)
    end = values.get("period_end", report.period_end)
    if start and end and end < start:  # a partial edit can set one end against the stored other
        raise InvalidInput({"period_end": _l("must not be before the period start")}, status=422)
    for name in REPORT_FIELDS:
        if name in values:
            setattr(report, name, values[name])
    if progress is not None:
        report.milestone_progress = [MilestoneProgress(**m) for m in progress]
