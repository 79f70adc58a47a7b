"""The guards the shipped definitions name: each returns the reasons an event must wait."""

from __future__ import annotations

from sqlalchemy import exists, select

from ..engine.audit import times_entered
from ..extensions import db
from ..plans.models import REQUIRED_FIELDS, Commitment
from ..reporting.models import ProgressReport
from ..review.models import Comment
from .commitment import IMPLEMENTATION_STATE, REVIEW_STATE

FIELD_LABELS = {
    "title": "title",
    "problem": "problem it addresses",
    "description": "description of the commitment",
    "how_it_solves": "how it will solve the problem",
    "ogp_values": "relevance to OGP values",
    "lead_agency": "lead implementing agency",
    "other_actors_government": "other government actors",
    "other_actors_civil_society": "civil-society and other actors",
    "expected_results": "expected results (ambition)",
}


def commitment_complete(commitment: Commitment) -> list[str]:
    """Every required field of the OGP commitment template is filled in."""
    reasons = []
    for name in REQUIRED_FIELDS:
        value = getattr(commitment, name)
        if not value or (isinstance(value, str) and not value.strip()):
            reasons.append(f"the {FIELD_LABELS[name]} is empty")
    return reasons


def milestones_dated(commitment: Commitment) -> list[str]:
    """At least one milestone, each with a start date and a later end date."""
    if not commitment.milestones:
        return ["add at least one milestone with start and end dates"]
    reasons = []
    for m in commitment.milestones:
        if m.start_date is None:
            reasons.append(f"milestone {m.position} has no start date")
        if m.end_date is None:
            reasons.append(f"milestone {m.position} has no end date")
        if m.start_date and m.end_date and m.end_date <= m.start_date:
            reasons.append(f"milestone {m.position} ends before it starts")
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
        f"comment {c.id}"
        + (f" on the {FIELD_LABELS[c.field]}" if c.field else "")
        + " has no response yet"
        for c in unanswered
    ]


def completion_reported(commitment: Commitment) -> list[str]:
    """An accepted progress report states the completion level."""
    reported = db.session.scalar(
        select(
            exists().where(
                ProgressReport.commitment_id == commitment.id,
                ProgressReport.state == "accepted",
                ProgressReport.completion.is_not(None),
            )
        )
    )
    return [] if reported else ["no accepted progress report states the completion level yet"]


def report_complete(report: ProgressReport) -> list[str]:
    """A report states its completion level and says what was done."""
    reasons = []
    if not report.completion:
        reasons.append("the completion level is not stated")
    if not (report.narrative or "").strip():
        reasons.append("the narrative of what was done is empty")
    return reasons


def commitment_in_implementation(report: ProgressReport) -> list[str]:
    """A report moves only while its commitment is being implemented."""
    state = report.commitment.state
    if state == IMPLEMENTATION_STATE:
        return []
    return [f"its commitment is no longer under implementation (it is '{state}')"]


GUARDS = {
    "commitment_complete": commitment_complete,
    "milestones_dated": milestones_dated,
    "comments_answered": comments_answered,
    "completion_reported": completion_reported,
    "report_complete": report_complete,
    "commitment_in_implementation": commitment_in_implementation,
}
