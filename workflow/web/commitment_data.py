"""What the commitment page shows a visitor: the record, its review, vote and actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import (
    actor_for,
    can_comment,
    can_create_report,
    can_edit_commitment,
    can_edit_report,
    can_respond,
    can_vote,
)
from ..accounts.roles import IMPLEMENTER
from ..definitions.commitment import IMPLEMENTATION_STATE, VOTING_STATE
from ..definitions.registry import engine
from ..engine import Actor
from ..engine.gate import APPROVE, MAJORITY_WITH_PARITY, SIMPLE_MAJORITY
from ..extensions import db
from ..labels import label
from ..plans.models import Commitment, Revision
from ..reporting.models import Attachment, ProgressReport
from ..review import operations
from ..review import queries as review_queries
from ..review.models import Comment
from ..review.operations import VoteRound
from . import diagram, queries


@dataclass(frozen=True)
class Action:
    """An event the visitor may fire now, with what still blocks it (empty: it may go)."""

    event: str
    comment_required: bool
    blockers: list[str]


@dataclass
class Page:
    """Everything the commitment page shows, read once; `may` holds the visitor's permissions."""

    commitment: Commitment
    history: list
    reports: list[ProgressReport]
    report_history: dict[int, list]
    comments: list[Comment]
    revisions: list[Revision]
    due_at: datetime | None
    waiting_on: list[str]
    actions: list[Action]
    vote: VoteRound | None
    vote_needs: str
    my_vote: Any
    may: dict[str, bool]
    report_actions: dict[int, list[Action]] = field(default_factory=dict)
    voters: dict[int, str] = field(default_factory=dict)
    attachments: dict[int, list] = field(default_factory=dict)
    diagram: Any = None
    steps: list = field(default_factory=list)


def actions_for(record: Any, actor: Actor) -> list[Action]:
    """Return the events `actor` may fire now with their guard reasons, in the page's language."""
    if not actor.roles:
        return []
    spec = engine.definition_for(record)
    out = []
    for name in engine.allowed_events(record, actor):
        event = spec.events[name]
        # The comment is asked for by the form itself: only the guards' reasons block here.
        reasons = engine.blockers(record, name, actor, "-" if event.comment_required else None)
        out.append(Action(name, event.comment_required, [str(r) for r in reasons]))
    return out


def waiting_on(record: Any) -> list[str]:
    """Return the roles whose move the record's state waits for (the vote counts as MSF)."""
    spec = engine.definition_for(record)
    active = {n for n, s in spec.states.items() if not s.terminal}
    roles: list[str] = []
    if record.record_type == "commitment" and record.state == IMPLEMENTATION_STATE:
        roles.append(IMPLEMENTER)  # progress reports are not events of the commitment
    for event in spec.events_from(record.state):
        if set(event.sources) >= active and len(active) > 2:
            continue  # open from everywhere (withdraw): nobody is waited on for it
        for role in sorted(event.roles) if not event.gate else ["msf_member"]:
            if role not in roles:
                roles.append(role)
    return roles


def side_name(side: str) -> str:
    """Return the translated name of a side of the forum."""
    return label("side", side)


def vote_needs(round_: VoteRound) -> str:
    """Say what the plan's rule still needs to approve, or what it decided."""
    if round_.outcome.decision:
        return ""
    total = len(round_.members)
    if not total:
        return _("Nobody can vote: the forum has no members.")
    approvals = [v for v in round_.votes if v.decision == APPROVE]
    if round_.rule in (MAJORITY_WITH_PARITY, SIMPLE_MAJORITY):
        more = max(0, total // 2 + 1 - len(approvals))
        sides = sorted(set(round_.members.values()))
        approving = {round_.members.get(v.user_id, v.sector) for v in approvals}
        missing = (
            [s for s in sides if s not in approving] if round_.rule == MAJORITY_WITH_PARITY else []
        )
        missing_names = ", ".join(side_name(s) for s in missing)
        if more <= 1 and missing:
            return _("One more approval from the %(side)s side.", side=missing_names)
        if more and missing:
            return ngettext(
                "%(num)d more approval, at least one from the %(side)s side.",
                "%(num)d more approvals, at least one from the %(side)s side.",
                more,
                side=missing_names,
            )
        return ngettext("%(num)d more approval.", "%(num)d more approvals.", more)
    waiting = total - len(round_.votes)
    return ngettext(
        "Every member must approve: %(num)d vote still to come.",
        "Every member must approve: %(num)d votes still to come.",
        waiting,
    )


def build(commitment_id: int, user: User | None) -> Page | None:
    """Load everything the commitment page shows `user`; None when there is no such commitment."""
    base = queries.commitment_page(commitment_id)
    if base is None:
        return None
    c = base.commitment
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    actor = actor_for(user, c.plan) if signed_in else Actor(None, "", frozenset())
    voting_round = operations.vote_round(c)
    voter_ids = {v.user_id for v in voting_round.votes}
    voters = (
        {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(voter_ids)))}
        if voter_ids
        else {}
    )
    vote = voting_round if voting_round.number > 0 else None
    my_vote = None
    if vote and signed_in:
        my_vote = next((v for v in vote.votes if v.user_id == user.id), None)
    may = {
        "edit": can_edit_commitment(user, c),
        "comment": can_comment(user, c),
        "respond": can_respond(user, c),
        "vote": can_vote(user, c) and my_vote is None,
        "report": can_create_report(user, c),
    }
    spec = engine.definition_for(c)
    page = Page(
        commitment=c,
        history=base.history,
        reports=base.reports,
        report_history=base.report_history,
        comments=review_queries.commitment_comments(c),
        revisions=list(c.revisions),
        due_at=engine.due_at(c),
        waiting_on=waiting_on(c),
        actions=actions_for(c, actor),
        vote=vote,
        vote_needs=vote_needs(vote) if vote and c.state == VOTING_STATE else "",
        my_vote=my_vote,
        voters=voters,
        may=may,
        diagram=diagram.svg(
            spec,
            c.state,
            lambda s: label("commitment_state", s),
            lambda e: label("action", e),
            _("The commitment workflow; the current state is marked."),
        ),
        steps=diagram.steps(spec),
    )
    if base.reports:
        for a in db.session.scalars(
            select(Attachment)
            .where(Attachment.report_id.in_([r.id for r in base.reports]))
            .order_by(Attachment.id)
        ):
            page.attachments.setdefault(a.report_id, []).append(a)
    for report in base.reports:
        report_actor = actor
        page.report_actions[report.id] = actions_for(report, report_actor)
        may[f"edit_report_{report.id}"] = can_edit_report(user, report)
    return page
