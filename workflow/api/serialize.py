"""Fill the declared reply shapes from records; their models say what the JSON holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from ..accounts.models import PlanMembership, User
from ..definitions.registry import engine
from ..engine import Transition
from ..engine.audit import LogEntry, first_break
from ..engine.gate import DECISIONS
from ..plans import schemas as plans
from ..plans.models import TEXT_FIELDS, ActionPlan, Commitment, Revision
from ..reporting import schemas as reporting
from ..reporting.models import ProgressReport
from ..review import schemas as review
from ..review.models import Comment, Vote
from ..review.operations import VoteRound
from . import schemas as shapes


def timestamp(value: datetime | None) -> str | None:
    """Write a stored (naive UTC) time as RFC 3339, to the microsecond the log's hash covers."""
    return value.isoformat(timespec="microseconds") + "Z" if value else None


def day(value: date | None) -> str | None:
    """Write a date as YYYY-MM-DD."""
    return value.isoformat() if value else None


def person(user: User | None) -> shapes.Person | None:
    """Name a person by id and display name only (never their address)."""
    return shapes.Person(id=user.id, name=user.name) if user else None


def workflow(record: Any) -> shapes.RecordWorkflow:
    """Name the workflow definition a record runs on, and when its current state is due."""
    return shapes.RecordWorkflow(
        key=record.workflow_key, version=record.workflow_version, due_at=engine.due_at(record)
    )


def me(user: User, memberships: Iterable[PlanMembership]) -> shapes.Me:
    """Return the caller's account and roles."""
    org = user.organisation
    return shapes.Me(
        id=user.id,
        email=user.email,
        name=user.name,
        language=user.language,
        is_admin=user.is_admin,
        organisation=shapes.Organisation(id=org.id, name=org.name, sector=org.sector)
        if org
        else None,
        memberships=[
            shapes.Membership(
                plan_id=m.plan_id, plan_title=m.plan.title, role=m.role, sector=m.sector
            )
            for m in memberships
        ],
    )


def plan(plan: ActionPlan, my_roles: Iterable[str], counts: Mapping[str, int]) -> plans.Plan:
    """Return a plan with the caller's roles and its commitments counted by state."""
    return plans.Plan(
        id=plan.id,
        slug=plan.slug,
        country=plan.country,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        reporting_cycle=plan.reporting_cycle,
        approval_rule=plan.approval_rule,
        is_public=plan.is_public,
        my_roles=list(my_roles),
        commitments_by_state=dict(counts),
    )


def _summary_fields(c: Commitment) -> dict[str, Any]:
    return {
        "id": c.id,
        "plan_id": c.plan_id,
        "number": c.number,
        "ogp_id": c.ogp_id,
        "title": c.title,
        "lead_agency": c.lead_agency,
        "state": c.state,
        "version": c.version,
        "state_changed_at": c.state_changed_at,
    }


def commitment_summary(c: Commitment) -> plans.CommitmentSummary:
    """Return the fields a list of commitments shows."""
    return plans.CommitmentSummary(**_summary_fields(c))


def commitment(
    c: Commitment, allowed_events: list[str], vote_round: VoteRound | None
) -> shapes.Commitment:
    """Return every field of a commitment, its milestones and what the caller may do."""
    return shapes.Commitment(
        **_summary_fields(c),
        **{name: getattr(c, name) for name in TEXT_FIELDS if name not in ("title", "lead_agency")},
        ogp_values=list(c.ogp_values or []),
        milestones=[plans.Milestone(**m.as_dict()) for m in c.milestones],
        workflow=workflow(c),
        allowed_events=allowed_events,
        vote_round=tally(vote_round) if vote_round else None,
        created_by=person(c.created_by),
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def transition(record: Any, t: Transition, allowed_events: list[str]) -> shapes.Transition:
    """Return what an event did: the new state and version, and its log entry."""
    return shapes.Transition(
        id=record.id,
        event=t.event.name,
        from_state=t.from_state,
        state=record.state,
        version=record.version,
        state_changed_at=record.state_changed_at,
        allowed_events=allowed_events,
        entry=history_entry(t.entry),
    )


def revision(r: Revision) -> plans.Revision:
    """Return one saved version of a commitment's text."""
    return plans.Revision(
        number=r.number,
        author=person(r.author),
        note=r.note,
        created_at=r.created_at,
        content=r.content,
    )


def history_entry(e: LogEntry) -> shapes.HistoryEntry:
    """Return a log entry with the hashes that chain it."""
    return shapes.HistoryEntry(
        seq=e.seq,
        event=e.event,
        from_state=e.from_state,
        to_state=e.to_state,
        actor=e.actor_label,
        actor_id=e.actor_id,
        comment=e.comment,
        created_at=e.created_at,
        workflow=shapes.Workflow(key=e.workflow_key, version=e.workflow_version),
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


def history(entries: list[LogEntry]) -> shapes.History:
    """Return the log with whether its chain is intact: linked in order, each hash matching."""
    return shapes.History(
        entries=[history_entry(e) for e in entries], chain_intact=first_break(entries) is None
    )


def comment(c: Comment) -> review.Comment:
    """Return a comment with its reasoned response, if any."""
    response = None
    if c.response is not None:
        response = review.Response(
            text=c.response,
            outcome=c.response_outcome,
            by=person(c.responded_by),
            at=c.responded_at,
        )
    return review.Comment(
        id=c.id,
        commitment_id=c.commitment_id,
        round=c.round,
        field=c.field,
        body=c.body,
        author=person(c.author),
        created_at=c.created_at,
        response=response,
    )


def vote(v: Vote) -> review.Vote:
    """Return one MSF vote."""
    return review.Vote(
        id=v.id,
        round=v.round,
        voter=person(v.user),
        sector=v.sector,
        decision=v.decision,
        comment=v.comment,
        created_at=v.created_at,
    )


def tally(r: VoteRound) -> review.Tally:
    """Return a vote round: totals overall and per side of the forum, and what they decide."""
    counts = Counter(v.decision for v in r.votes)
    sides = {}
    for sector in sorted(set(r.members.values())):
        in_side = Counter(v.decision for v in r.votes if v.sector == sector)
        sides[sector] = review.SideCounts(
            members=sum(1 for s in r.members.values() if s == sector),
            **{d: in_side[d] for d in DECISIONS},
        )
    return review.Tally(
        round=r.number,
        rule=r.rule,
        members=len(r.members),
        counts=review.Counts(**{d: counts[d] for d in DECISIONS}),
        sectors=sides,
        decision=r.outcome.decision,
        reason=str(r.outcome.reason),
        votes=[vote(v) for v in r.votes],
    )


def report(r: ProgressReport, allowed_events: list[str]) -> reporting.Report:
    """Return a progress report and what the caller may do with it."""
    return reporting.Report(
        id=r.id,
        commitment_id=r.commitment_id,
        period_label=r.period_label,
        period_start=r.period_start,
        period_end=r.period_end,
        completion=r.completion,
        narrative=r.narrative,
        evidence_links=list(r.evidence_links or []),
        milestones=[
            reporting.MilestoneProgress(milestone_id=p.milestone_id, status=p.status, note=p.note)
            for p in sorted(r.milestone_progress, key=lambda p: p.milestone_id)
        ],
        state=r.state,
        version=r.version,
        workflow=workflow(r),
        state_changed_at=r.state_changed_at,
        allowed_events=allowed_events,
        created_by=person(r.created_by),
        created_at=r.created_at,
    )
