"""Readable, translatable names for the codes the pages show (states, events, scales)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

COMMITMENT_STATES = {
    "draft": _l("Draft"),
    "cso_review": _l("Civil-society review"),
    "msf_approval": _l("Forum vote (MSF approval)"),
    "government_signoff": _l("Government sign-off"),
    "implementation": _l("Implementation"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
}

REPORT_STATES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
}

EVENTS = {
    "create": _l("created"),
    "submit": _l("submitted"),
    "request_changes": _l("changes requested"),
    "endorse": _l("endorsed"),
    "approve": _l("approved by the forum"),
    "reject": _l("rejected by the forum"),
    "sign_off": _l("signed off"),
    "send_back": _l("sent back"),
    "complete": _l("completed"),
    "withdraw": _l("withdrawn"),
    "accept": _l("accepted"),
}

OGP_VALUES = {
    "access_to_information": _l("Access to information"),
    "civic_participation": _l("Civic participation"),
    "public_accountability": _l("Public accountability"),
    "technology_and_innovation": _l("Technology and innovation"),
}

MILESTONE_STATUSES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "delayed": _l("Delayed"),
    "cancelled": _l("Cancelled"),
}

COMPLETION = {
    "not_started": _l("Not started"),
    "limited": _l("Limited"),
    "substantial": _l("Substantial"),
    "complete": _l("Complete"),
}

REPORTING_CYCLES = {
    "quarterly": _l("quarterly"),
    "biannual": _l("twice a year"),
    "annual": _l("yearly"),
}

ALL = {
    "commitment_state": COMMITMENT_STATES,
    "report_state": REPORT_STATES,
    "event": EVENTS,
    "ogp_value": OGP_VALUES,
    "milestone_status": MILESTONE_STATUSES,
    "completion": COMPLETION,
    "reporting_cycle": REPORTING_CYCLES,
}


def label(kind: str, code: str | None) -> str:
    """Return the readable name of a code; the code itself when it has none (never hide data)."""
    if code is None:
        return ""
    return str(ALL[kind].get(code, code))
