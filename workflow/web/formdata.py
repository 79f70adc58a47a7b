"""Turn submitted pages into the same dicts the JSON API accepts, so one shape checks both."""

from __future__ import annotations

import secrets
from typing import Any

from flask import session
from werkzeug.datastructures import MultiDict

from ..api.schemas import event_input
from ..plans.models import TEXT_FIELDS
from ..review.schemas import CommentInput, ResponseInput, VoteInput
from ..schema import validate

DONE_KEY = "done_forms"


def number(value: str | None) -> Any:
    """Return digits as an int (what JSON would carry); anything else as sent, for the parser."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else (value or None)


def milestones(form: MultiDict) -> list[dict[str, Any]]:
    """Return the milestone rows of the drafting form, in their order on the page."""
    rows = []
    for i in range(int(form.get("milestone_count", "0") or 0) if _digits(form) else 0):
        prefix = f"milestones-{i}-"
        rows.append(
            {
                "description": form.get(prefix + "description", ""),
                "start_date": form.get(prefix + "start_date", "").strip() or None,
                "end_date": form.get(prefix + "end_date", "").strip() or None,
                "status": form.get(prefix + "status", "") or "not_started",
            }
        )
    return rows


def _digits(form: MultiDict) -> bool:
    count = form.get("milestone_count", "0") or "0"
    return count.isdigit() and int(count) <= 200


def commitment(form: MultiDict, *, creating: bool) -> dict[str, Any]:
    """Return the drafting form as the body of POST/PATCH /api/v1/... commitments."""
    data: dict[str, Any] = {name: form.get(name, "") for name in TEXT_FIELDS}
    data["ogp_values"] = form.getlist("ogp_values")
    data["milestones"] = milestones(form)
    if form.get("note", "").strip():
        data["note"] = form["note"]
    if not creating:
        data["version"] = number(form.get("version"))
    return data


def event(form: MultiDict) -> dict[str, Any]:
    """Return an event form as the body of POST .../events."""
    data = {"event": form.get("event", ""), "version": number(form.get("version"))}
    if form.get("comment", "").strip():
        data["comment"] = form["comment"]
    return data


def comment(form: MultiDict) -> dict[str, Any]:
    """Return the comment form as the body of POST .../comments."""
    return {"body": form.get("body", ""), "field": form.get("field") or None}


def vote(form: MultiDict) -> dict[str, Any]:
    """Return the vote form as the body of POST .../votes."""
    return {"decision": form.get("decision", ""), "comment": form.get("comment", "")}


def response(form: MultiDict, prefix: str = "") -> dict[str, Any]:
    """Return a response form (or one prefixed part of a bigger form) as its API body."""
    return {
        "response": form.get(prefix + "response", ""),
        "outcome": form.get(prefix + "outcome", ""),
    }


def report(form: MultiDict, milestones: dict[int, str], *, creating: bool) -> dict[str, Any]:
    """Return the progress report form as the body of the API's report requests.

    `milestones` maps each milestone's id to its status now, the answer when none is chosen.
    """
    links = [line.strip() for line in form.get("evidence_links", "").splitlines() if line.strip()]
    data: dict[str, Any] = {
        "period_label": form.get("period_label", ""),
        "period_start": form.get("period_start", "").strip() or None,
        "period_end": form.get("period_end", "").strip() or None,
        "completion": form.get("completion") or None,
        "narrative": form.get("narrative", ""),
        "evidence_links": links,
        "milestones": [
            {
                "milestone_id": mid,
                "status": form.get(f"milestone-{mid}-status") or status,
                "note": form.get(f"milestone-{mid}-note", ""),
            }
            for mid, status in milestones.items()
        ],
    }
    if not creating:
        data["version"] = number(form.get("version"))
    return data


def new_form_id() -> str:
    """Return a token for a form that creates something, so sending it twice creates once."""
    return secrets.token_urlsafe(12)


def already_done(form: MultiDict) -> bool:
    """Return whether this form's token was acted on before (a double submit)."""
    return bool(form.get("form_id")) and form["form_id"] in session.get(DONE_KEY, [])


def mark_done(form: MultiDict) -> None:
    """Remember the form's token (the last few) so a repeat of it does nothing."""
    if form.get("form_id"):
        session[DONE_KEY] = [*session.get(DONE_KEY, [])[-19:], form["form_id"]]


def check_event(data: dict[str, Any], workflow_key: str) -> Any:
    """Check an event body with the API's own shape for the workflow; raise InvalidInput."""
    return validate(event_input(workflow_key), data)


def check_comment(data: dict[str, Any]) -> CommentInput:
    """Check a comment body with the API's shape."""
    return validate(CommentInput, data)


def check_vote(data: dict[str, Any]) -> VoteInput:
    """Check a vote body with the API's shape."""
    return validate(VoteInput, data)


def check_response(data: dict[str, Any]) -> ResponseInput:
    """Check a response body with the API's shape."""
    return validate(ResponseInput, data)
