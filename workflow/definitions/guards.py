"""The guards the shipped definitions name: each returns the reasons an event must wait."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists, select

from ..engine.audit import times_entered
from ..extensions import db
from ..plans.models import REQUIRED_FIELDS, Commitment, Milestone
from ..reporting.models import ProgressReport
from ..review.models import Comment
from .commitment import IMPLEMENTATION_STATE, REVIEW_STATE
from .progress_report import ACCEPTED_STATE

FIELD_LABELS = {
    "title": _l("title"),
    "problem": _l("problem it addresses"),
    "description": _l("description of the commitment"),
    "how_it_solves": _l("how it will solve the problem"),
    "ogp_values": _l("relevance to OGP values"),
    "lead_agency": _l("lead implementing agency"),
    "other_actors_government": _l("other government actors"),
    "other_actors_civil_society": _l("civil-society and other actors"),
    "expected_results": _l("expected results (ambition)"),
}


def commitment_complete(commitment: Commitment) -> list[str]:
    """Every required field of the OGP commitment template is filled in."""
    reasons = []
    for name in REQUIRED_FIELDS:
        value = getattr(commitment, name)
        if not value or (isinstance(value, str) and not value.strip()):
            reasons.append(_l("the %(field)s is empty", field=FIELD_LABELS[name]))
    return reasons


# Built once: a statement object keeps its cache key, so a firing does not hash it again.
_MILESTONES = (
    select(Milestone.position, Milestone.start_date, Milestone.end_date)
    .where(Milestone.commitment_id == bindparam("commitment_id"))
    .order_by(Milestone.position)
)


def milestones_dated(commitment: Commitment) -> list[str]:
    """At least one milestone, each with a start date and a later end date."""
    # Three columns read after the row lock, not the whole collection (which, loaded before
    # the lock, could be older than the row).
    milestones = db.session.execute(_MILESTONES, {"commitment_id": commitment.id}).all()
    if not milestones:
        return [_l("add at least one milestone with start and end dates")]
    reasons = []
    for m in milestones:
        if m.start_date is None:
            reasons.append(_l("milestone %(n)s has no start date", n=m.position))
        if m.end_date is None:
            reasons.append(_l("milestone %(n)s has no end date", n=m.position))
        if m.start_date and m.end_date and m.end_date <= m.start_date:
            reasons.append(_l("milestone %(n)s ends before it starts", n=m.position))
    return reasons


def comments_answered(commitment: Commitment) -> list[str]:
    """Every comment made up to the current CSO review round has a response."""
    current = times_entered(commitment, REVIEW_STATE)
    unanswered = db.session.scalars(
        select(Comment)
        .where(
            Comment.commitment_id == commitment.id,
            Comment.round <= current,  # an unanswered comment from an earlier round still counts
            Comment.response.is_(None),
        )
        .order_by(Comment.id)
    ).all()
    return [
        _l(
            "comment %(id)s on the %(field)s has no response yet",
            id=c.id,
            field=FIELD_LABELS[c.field],
        )
        if c.field
        else _l("comment %(id)s has no response yet", id=c.id)
        for c in unanswered
    ]


def completion_reported(commitment: Commitment) -> list[str]:
    """An accepted progress report states the completion level."""
    reported = db.session.scalar(
        select(
            exists().where(
                ProgressReport.commitment_id == commitment.id,
                ProgressReport.state == ACCEPTED_STATE,
                ProgressReport.completion.is_not(None),
            )
        )
    )
    if reported:
        return []
    return [_l("no accepted progress report states the completion level yet")]


def report_complete(report: ProgressReport) -> list[str]:
    """A report states its completion level and says what was done."""
    reasons = []
    if not report.completion:
        reasons.append(_l("the completion level is not stated"))
    if not (report.narrative or "").strip():
        reasons.append(_l("the narrative of what was done is empty"))
    return reasons


def commitment_in_implementation(report: ProgressReport) -> list[str]:
    """A report moves only while its commitment is being implemented."""
    state = report.commitment.state
    if state == IMPLEMENTATION_STATE:
        return []
    return [_l("its commitment is no longer under implementation (it is '%(state)s')", state=state)]


GUARDS = {
    "commitment_complete": commitment_complete,
    "milestones_dated": milestones_dated,
    "comments_answered": comments_answered,
    "completion_reported": completion_reported,
    "report_complete": report_complete,
    "commitment_in_implementation": commitment_in_implementation,
}
