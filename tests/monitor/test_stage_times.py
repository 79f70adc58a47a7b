"""Time in stage and the funnel, aggregated in the database, agree with the log read entry by
entry, on the demo's plans (whose logs span months)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import select

from workflow.definitions.commitment import STATES
from workflow.engine.audit import LogEntry, utcnow
from workflow.extensions import db
from workflow.monitor.queries import TERMINAL, figures
from workflow.plans.models import ActionPlan, Commitment

DAY = timedelta(days=1)


def read_entry_by_entry(plan: ActionPlan, now: datetime) -> tuple[dict, list]:
    """Return {state: (count, median, longest)} and the funnel, from every log entry."""
    ids = db.session.scalars(select(Commitment.id).where(Commitment.plan_id == plan.id)).all()
    days: dict[str, list[float]] = defaultdict(list)
    reached: dict[str, set[int]] = defaultdict(set)
    chains: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in db.session.scalars(
        select(LogEntry)
        .where(LogEntry.record_type == "commitment", LogEntry.record_id.in_(ids))
        .order_by(LogEntry.record_id, LogEntry.seq)
    ):
        chains[entry.record_id].append(entry)
    for chain in chains.values():
        for entry, following in zip(chain, [*chain[1:], None], strict=True):
            reached[entry.to_state].add(entry.record_id)
            if following is not None:
                days[entry.to_state].append((following.created_at - entry.created_at) / DAY)
            elif entry.to_state not in TERMINAL:
                days[entry.to_state].append((now - entry.created_at) / DAY)
    order = [s for s in STATES if s != "withdrawn"]
    for i, state in enumerate(order):
        for later in order[i + 1 :]:
            reached[state] |= reached[later]
    times = {s: (len(d), median(d), max(d)) for s, d in days.items()}
    return times, [(s, len(reached[s])) for s in order]


def check(plan: ActionPlan, now: datetime) -> int:
    """Assert the page's figures agree with the reference; return how many states were compared."""
    expected, funnel = read_entry_by_entry(plan, now)
    found = figures(plan, now)
    assert found.funnel == funnel, plan.slug
    assert {t.state for t in found.stage_times} == set(expected), plan.slug
    for t in found.stage_times:
        count, middle, longest = expected[t.state]
        assert t.count == count, (plan.slug, t.state)
        assert abs(t.median_days - middle) <= 0.05 + 1e-9, (plan.slug, t.state, t, middle)
        assert abs(t.longest_days - longest) <= 0.05 + 1e-9, (plan.slug, t.state, t, longest)
    return len(found.stage_times)


def append(record: Commitment, steps: list[tuple[str, str, float]]) -> None:
    """Append log entries to a record's chain, each `days` after its creation."""
    last = db.session.scalars(
        select(LogEntry)
        .where(LogEntry.record_type == "commitment", LogEntry.record_id == record.id)
        .order_by(LogEntry.seq.desc())
    ).first()
    start, seq, prev, state = last.created_at, last.seq, last.hash, last.to_state
    for event, to_state, days in steps:
        seq += 1
        entry = LogEntry(
            record_type="commitment",
            record_id=record.id,
            seq=seq,
            workflow_key=last.workflow_key,
            workflow_version=last.workflow_version,
            event=event,
            from_state=state,
            to_state=to_state,
            actor_id=None,
            actor_label="test",
            comment=None,
            created_at=start + timedelta(days=days),
            prev_hash=prev,
        )
        entry.hash = entry.compute_hash()
        db.session.add(entry)
        prev, state = entry.hash, to_state
    record.state = state
    db.session.flush()


def test_stage_times_and_funnel_match_the_log(cast, create_commitment_):
    paths = [
        [
            ("submit", "cso_review", 1.5),
            ("request_changes", "draft", 4),
            ("submit", "cso_review", 7.25),
        ],
        [
            ("submit", "cso_review", 2),
            ("endorse", "msf_approval", 3),
            ("approve", "government_signoff", 10),
            ("sign_off", "implementation", 12),
            ("complete", "completed", 20),
        ],
        [],
        [("withdraw", "withdrawn", 1)],
        [("submit", "cso_review", 0.5), ("endorse", "msf_approval", 6)],
        [("submit", "cso_review", 0.75), ("endorse", "msf_approval", 9.5)],
    ]
    for steps in paths:
        append(create_commitment_(cast.plan, cast.drafter), steps)
    now = utcnow() + timedelta(days=30)
    assert check(cast.plan, now) == 5  # every state but the two final ones
    found = {t.state: t for t in figures(cast.plan, now).stage_times}
    # Worked by hand: the stays in msf_approval last 7, 24 and 20.5 days (the last two to now).
    assert found["msf_approval"].count == 3
    assert found["msf_approval"].median_days == 20.5
    assert found["msf_approval"].longest_days == 24.0
    # Draft: 1.5, 3.25 (after changes were asked), 2, 30 (never left), 1 (withdrawn), 0.5, 0.75.
    assert found["draft"].count == 7
    assert found["draft"].median_days == 1.5
    assert dict(figures(cast.plan, now).funnel)["draft"] == 6
    assert dict(figures(cast.plan, now).funnel)["msf_approval"] == 3


def test_the_demo_plans_agree_with_the_log(demo):
    now = utcnow() + timedelta(days=30)
    assert sum(check(plan, now) for plan in db.session.scalars(select(ActionPlan))) >= 5
