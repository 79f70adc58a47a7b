"""Readable, translatable names for the codes people see: states, events, roles, scales.

The pages and the email use these same words, so a message and the page it links to agree. A
code without a name reads as itself with spaces, so a new state or event never breaks a page.
"""

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

ROLE_LABELS = {
    "poc": _l("the point of contact"),
    "drafter": _l("a drafter"),
    "cso_reviewer": _l("a CSO reviewer"),
    "msf_member": _l("a member of the MSF"),
    "signatory": _l("the signatory"),
    "implementer": _l("an implementer"),
    "author": _l("the author"),
    "follower": _l("a follower of it"),
}

# A role as a name on its own, for lists and forms ("Drafter", not "a drafter").
ROLE_NAMES = {
    "poc": _l("Point of contact"),
    "drafter": _l("Drafter"),
    "cso_reviewer": _l("CSO reviewer"),
    "msf_member": _l("MSF member"),
    "signatory": _l("Signatory"),
    "implementer": _l("Implementer"),
}

SECTOR_LABELS = {
    "government": _l("Government"),
    "civil_society": _l("Civil society"),
}

KIND_LABELS = {
    "commitment": _l("commitment"),
    "progress_report": _l("progress report"),
}

# What a button says: the imperative of each event a person fires.
ACTIONS = {
    "submit": _l("Submit for review"),
    "request_changes": _l("Request changes"),
    "endorse": _l("Endorse"),
    "sign_off": _l("Sign off"),
    "send_back": _l("Send back"),
    "complete": _l("Mark as completed"),
    "withdraw": _l("Withdraw"),
    "approve": _l("Approve"),
    "reject": _l("Reject"),
}

REPORT_ACTIONS = {
    "submit": _l("Submit the report"),
    "accept": _l("Accept the report"),
    "send_back": _l("Send the report back"),
}

RESPONSE_OUTCOMES = {
    "adopted": _l("Accepted"),
    "partly_adopted": _l("Partly accepted"),
    "not_adopted": _l("Not accepted"),
    "noted": _l("Noted"),
}

DECISIONS = {
    "approve": _l("Approve"),
    "reject": _l("Reject"),
    "abstain": _l("Abstain"),
}

APPROVAL_RULES = {
    "majority_with_parity": _l("a majority, with an approval from each side"),
    "simple_majority": _l("a simple majority"),
    "unanimity": _l("every member approves"),
}

SIDES = {
    "government": _l("government"),
    "civil_society": _l("civil society"),
}

ALL = {
    "commitment_state": COMMITMENT_STATES,
    "report_state": REPORT_STATES,
    "event": EVENTS,
    "ogp_value": OGP_VALUES,
    "milestone_status": MILESTONE_STATUSES,
    "completion": COMPLETION,
    "reporting_cycle": REPORTING_CYCLES,
    "role": ROLE_LABELS,
    "role_name": ROLE_NAMES,
    "sector": SECTOR_LABELS,
    "record_kind": KIND_LABELS,
    "action": ACTIONS,
    "report_action": REPORT_ACTIONS,
    "response_outcome": RESPONSE_OUTCOMES,
    "decision": DECISIONS,
    "side": SIDES,
    "approval_rule": APPROVAL_RULES,
}


def label(kind: str, code: str | None) -> str:
    """Return the readable name of a code; the code itself when it has none (never hide data)."""
    if code is None:
        return ""
    return str(ALL[kind].get(code, code.replace("_", " ")))


_STATE_KINDS = {"commitment": "commitment_state", "progress_report": "report_state"}


def state_label(record_type: str, state: str | None) -> str:
    """Return the readable name of a record's state in the current locale."""
    if state is None:
        return ""
    kind = _STATE_KINDS.get(record_type)
    return label(kind, state) if kind else state.replace("_", " ")


def event_label(event: str) -> str:
    """Return what an event did, in the past tense ("signed off"), in the current locale."""
    return label("event", event)


def role_label(role: str) -> str:
    """Return the readable name of a plan role in the current locale."""
    return label("role", role)


def kind_label(record_type: str) -> str:
    """Return the readable name of a kind of record in the current locale."""
    return label("record_kind", record_type)
