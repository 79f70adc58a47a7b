"""What each transition's email says, per event and per audience: the shipped workflows' words.

A message has a short, flat subject and an opening sentence for each audience it is sent to:
- "author": the person who wrote the record;
- "action": someone the new stage asks to act (see next_steps.py for what they are asked);
- "follower": someone who follows the commitment and hears of its decisive outcomes;
- "informed": everyone else the event notifies (the point of contact, the forum's members).
An audience without its own sentence reads the "informed" one. Events of a workflow that has no
entry here (a workflow installed later) get the generic wording in templates/email/transition.*.
Kept beside the definitions, so the notifications name no event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

AUTHOR, ACTION, FOLLOWER, INFORMED = "author", "action", "follower", "informed"


@dataclass(frozen=True)
class Message:
    """The words of one event's email; `%(short)s` in the subject is the record's short name."""

    subject: LazyString
    informed: LazyString
    leads: dict[str, LazyString] = field(default_factory=dict)

    def lead(self, audience: str) -> LazyString:
        """Return the opening sentence for an audience."""
        return self.leads.get(audience, self.informed)


MESSAGES: dict[tuple[str, str], Message] = {
    ("commitment", "submit"): Message(
        subject=_l("%(short)s submitted for civil-society review"),
        informed=_l("This draft commitment was submitted for civil-society review."),
        leads={
            AUTHOR: _l("Your draft commitment was submitted for civil-society review."),
            ACTION: _l("A draft commitment is ready for your civil-society review."),
        },
    ),
    ("commitment", "request_changes"): Message(
        subject=_l("Changes requested to %(short)s"),
        informed=_l("A civil-society reviewer asked for changes to this draft."),
        leads={
            AUTHOR: _l("A civil-society reviewer asked for changes to your draft."),
        },
    ),
    ("commitment", "endorse"): Message(
        subject=_l("%(short)s endorsed and put to the MSF vote"),
        informed=_l(
            "Civil-society review endorsed this commitment; the Multi-Stakeholder Forum "
            "now votes on it."
        ),
        leads={
            AUTHOR: _l(
                "Civil-society review endorsed your commitment; the Multi-Stakeholder Forum "
                "now votes on it."
            ),
            ACTION: _l(
                "A commitment endorsed in civil-society review awaits the Multi-Stakeholder "
                "Forum's vote, yours included."
            ),
        },
    ),
    ("commitment", "approve"): Message(
        subject=_l("%(short)s approved by the MSF"),
        informed=_l(
            "The Multi-Stakeholder Forum approved this commitment by vote; it goes to the "
            "government for sign-off."
        ),
        leads={
            AUTHOR: _l(
                "The Multi-Stakeholder Forum approved your commitment by vote; it goes to the "
                "government for sign-off."
            ),
            ACTION: _l(
                "The Multi-Stakeholder Forum approved this commitment by vote; it awaits the "
                "government's sign-off."
            ),
            FOLLOWER: _l("A commitment you follow was approved by the Multi-Stakeholder Forum."),
        },
    ),
    ("commitment", "reject"): Message(
        subject=_l("%(short)s not approved by the MSF"),
        informed=_l(
            "The Multi-Stakeholder Forum did not approve this commitment; it returns to drafting."
        ),
        leads={
            AUTHOR: _l(
                "The Multi-Stakeholder Forum did not approve your commitment; it returns to "
                "drafting."
            ),
            FOLLOWER: _l(
                "A commitment you follow was not approved by the Multi-Stakeholder Forum; it "
                "returns to drafting."
            ),
        },
    ),
    ("commitment", "sign_off"): Message(
        subject=_l("%(short)s signed off by the government"),
        informed=_l("The government signed this commitment off; its implementation begins."),
        leads={
            AUTHOR: _l("The government signed your commitment off; its implementation begins."),
            ACTION: _l(
                "The government signed this commitment off; your agency now implements it and "
                "reports on its progress."
            ),
            FOLLOWER: _l(
                "A commitment you follow was signed off by the government; its implementation "
                "begins."
            ),
        },
    ),
    ("commitment", "send_back"): Message(
        subject=_l("%(short)s sent back by the government"),
        informed=_l(
            "The government sent this commitment back from sign-off; it returns to drafting."
        ),
        leads={
            AUTHOR: _l(
                "The government sent your commitment back from sign-off; it returns to drafting."
            ),
            FOLLOWER: _l(
                "A commitment you follow was sent back by the government; it returns to drafting."
            ),
        },
    ),
    ("commitment", "complete"): Message(
        subject=_l("%(short)s completed"),
        informed=_l("The point of contact marked this commitment completed."),
        leads={
            AUTHOR: _l("Your commitment was marked completed by the point of contact."),
            FOLLOWER: _l("A commitment you follow was marked completed."),
        },
    ),
    ("commitment", "withdraw"): Message(
        subject=_l("%(short)s withdrawn"),
        informed=_l("The point of contact withdrew this commitment from the action plan."),
        leads={
            AUTHOR: _l("Your commitment was withdrawn from the action plan."),
            FOLLOWER: _l("A commitment you follow was withdrawn from the action plan."),
        },
    ),
    ("progress_report", "submit"): Message(
        subject=_l("%(short)s submitted"),
        informed=_l("A progress report was submitted."),
        leads={
            ACTION: _l("A progress report was submitted for your review."),
        },
    ),
    ("progress_report", "accept"): Message(
        subject=_l("%(short)s accepted"),
        informed=_l("The point of contact accepted this progress report."),
        leads={AUTHOR: _l("The point of contact accepted your progress report.")},
    ),
    ("progress_report", "send_back"): Message(
        subject=_l("%(short)s sent back for revision"),
        informed=_l("The point of contact sent this progress report back for revision."),
        leads={AUTHOR: _l("The point of contact sent your progress report back for revision.")},
    ),
}


def audience_of(roles: set[str], acts: bool) -> str:
    """Return whom a recipient holding `roles` is addressed as; `acts` if asked to act."""
    if AUTHOR in roles:
        return AUTHOR
    if acts:
        return ACTION
    return FOLLOWER if roles == {FOLLOWER} else INFORMED


def message_for(workflow_key: str, event: str) -> Message | None:
    """Return the words of an event's email, if the workflow has its own."""
    return MESSAGES.get((workflow_key, event))
