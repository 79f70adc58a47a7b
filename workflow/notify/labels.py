"""Readable, translatable names for what an email mentions.

States and events use the pages' own names (web/labels.py), so a message and the page it links
to say the same thing; roles and kinds of record are named here. A code without a name reads as
itself with spaces, so a new state or event never breaks an email.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..web.labels import label

ROLE_LABELS = {
    "poc": _l("the point of contact"),
    "drafter": _l("a drafter"),
    "cso_reviewer": _l("a CSO reviewer"),
    "msf_member": _l("a member of the MSF"),
    "signatory": _l("the signatory"),
    "implementer": _l("an implementer"),
    "author": _l("the author"),
}

KIND_LABELS = {
    "commitment": _l("commitment"),
    "progress_report": _l("progress report"),
}

_STATE_KINDS = {"commitment": "commitment_state", "progress_report": "report_state"}


def _readable(text: str) -> str:
    return text.replace("_", " ")


def state_label(record_type: str, state: str | None) -> str:
    """Return the readable name of a record's state in the current locale."""
    if state is None:
        return ""
    kind = _STATE_KINDS.get(record_type)
    return _readable(label(kind, state)) if kind else _readable(state)


def event_label(event: str) -> str:
    """Return what an event did, in the past tense ("signed off"), in the current locale."""
    return _readable(label("event", event))


def role_label(role: str) -> str:
    """Return the readable name of a plan role in the current locale."""
    return str(ROLE_LABELS.get(role, _readable(role)))


def kind_label(record_type: str) -> str:
    """Return the readable name of a kind of record in the current locale."""
    return str(KIND_LABELS.get(record_type, _readable(record_type)))
