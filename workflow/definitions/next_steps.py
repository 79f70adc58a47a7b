"""What each person is asked to do once a record reaches a state, by the role they hold.

Kept beside the definitions it names states of, so the notifications know no state names.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# (workflow key, state) -> role -> the request, in words.
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


def asked_to_act(workflow_key: str, state: str, roles: set[str]) -> bool:
    """Return whether a person holding `roles` is asked to do something once in `state`."""
    return not roles.isdisjoint(NEXT_STEPS.get((workflow_key, state), {}))


def next_step(workflow_key: str, state: str, roles: set[str]) -> str:
    """Return what a person holding `roles` is asked to do once a record is in `state`."""
    steps = NEXT_STEPS.get((workflow_key, state), {})
    for role in sorted(roles):
        if role in steps:
            return str(steps[role])
    return str(NO_ACTION)
