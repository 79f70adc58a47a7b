"""Say in words whom a card waits on: "2 of 4 MSF votes; the civil-society side has not voted"."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from ..accounts.roles import CIVIL_SOCIETY
from ..definitions.commitment import IMPLEMENTATION_STATE, VOTING_STATE
from .queries import Card

STAGE_WAITS = {
    "draft": lambda: _("the drafters: the text is to be completed and submitted"),
    "cso_review": lambda: _("the civil-society reviewers: endorse or ask for changes"),
    "government_signoff": lambda: _("the signatory: sign off or send back"),
}


def waits_on(card: Card, today: date) -> list[str]:
    """Return the sentences that say whom the card waits on, most pressing first."""
    c = card.commitment
    said = []
    if c.state == VOTING_STATE:
        said.append(_("%(cast)d of %(all)d MSF votes", cast=card.votes_cast, all=card.voters))
        for side in card.sides_not_voted:
            said.append(
                _("the civil-society side has not voted")
                if side == CIVIL_SOCIETY
                else _("the government side has not voted")
            )
    elif c.state in STAGE_WAITS:
        said.append(STAGE_WAITS[c.state]())
    if card.unanswered:
        said.append(
            ngettext(
                "%(num)d comment without a response",
                "%(num)d comments without a response",
                card.unanswered,
            )
        )
    if c.state == IMPLEMENTATION_STATE and card.report_due:
        days = (card.report_due - today).days
        if days >= 0:
            said.append(
                ngettext(
                    "report for %(period)s due in %(num)d day",
                    "report for %(period)s due in %(num)d days",
                    days,
                    period=card.report_period,
                )
            )
        else:
            said.append(
                ngettext(
                    "report for %(period)s is %(num)d day late",
                    "report for %(period)s is %(num)d days late",
                    -days,
                    period=card.report_period,
                )
            )
    if card.report_waiting_acceptance:
        said.append(
            _(
                "the point of contact: accept the report for %(period)s",
                period=card.report_waiting_acceptance,
            )
        )
    return said
