"""Turn a transition into an email per recipient, in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..labels import event_label, kind_label, role_label, state_label

# What each recipient is asked to do once a record reaches a state, by the role they hold.
NEXT_STEPS: dict[tuple[str, str], dict[str, Any]] = {
    ("commitment", "cso_review"): {
        "cso_reviewer": _l(
            "Please review the draft, comment on it, then endorse it or request changes."
        ),
        "author": _l("Civil-society reviewers are now reading your draft; answer their comments."),
    },
    ("commitment", "msf_approval"): {
        "msf_member": _l("Please cast your vote: approve, reject or abstain, with a comment."),
    },
    ("commitment", "government_signoff"): {
        "signatory": _l("Please sign the commitment off, or send it back with your reasons."),
    },
    ("commitment", "implementation"): {
        "implementer": _l("Please report progress on its milestones in each reporting period."),
    },
    ("commitment", "draft"): {
        "author": _l("Please revise the draft in the light of the comments and submit it again."),
        "drafter": _l("Please revise the draft in the light of the comments and submit it again."),
    },
    ("progress_report", "submitted"): {
        "poc": _l("Please read the report, then accept it or send it back with your reasons."),
    },
    ("progress_report", "draft"): {
        "implementer": _l("Please revise the report and submit it again."),
        "author": _l("Please revise the report and submit it again."),
    },
}
NO_ACTION = _l("No action is needed from you; this message keeps you informed.")


@dataclass(frozen=True)
class Email:
    """One rendered message: a one-line subject, a text body and an HTML body."""

    subject: str
    text: str
    html: str


def record_title(record: Any) -> str:
    """Return the name a person knows the record by."""
    if record.record_type == "commitment":
        return f"{record.number}. {record.title}"
    return f"{record.period_label}: {record.commitment.number}. {record.commitment.title}"


def record_link(record: Any) -> str:
    """Return the absolute address of the record's page."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if record.record_type == "commitment":
        return f"{base}/commitments/{record.id}"
    return f"{base}/commitments/{record.commitment_id}#report-{record.id}"


def next_step(record_type: str, state: str, roles: set[str]) -> str:
    """Return what a recipient holding `roles` is asked to do now."""
    steps = NEXT_STEPS.get((record_type, state), {})
    for role in sorted(roles):
        if role in steps:
            return str(steps[role])
    return str(NO_ACTION)


def compose_transition(
    recipient: User, roles: set[str], record: Any, plan: Any, transition: Any
) -> Email:
    """Render the transition email for one recipient, in their language."""
    with force_locale(recipient.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        context = {
            "recipient": recipient,
            "language": recipient.language or current_app.config["BABEL_DEFAULT_LOCALE"],
            "record": record,
            "kind": kind_label(record.record_type),
            "title": record_title(record),
            "plan": plan,
            "event": event_label(transition.event.name),
            "from_state": state_label(record.record_type, transition.from_state),
            "to_state": state_label(record.record_type, transition.to_state),
            "actor": transition.actor.label,
            "when": format_datetime(transition.entry.created_at, "long"),
            "comment": transition.comment,
            "next_step": next_step(record.record_type, transition.to_state, roles),
            "roles": ", ".join(role_label(r) for r in sorted(roles)),
            "link": record_link(record),
        }
        subject = render_template("email/transition_subject.txt", **context)
        return Email(
            # One line whatever the title holds: a newline in a header would be refused.
            subject=" ".join(subject.split()),
            text=render_template("email/transition.txt", **context),
            html=render_template("email/transition.html", **context),
        )
