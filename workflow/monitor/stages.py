"""Time in stage and the stage funnel of one plan, from its commitments' transition log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import Float, func, select

from ..definitions.commitment import STATES, VOTING_STATE
from ..engine.audit import LogEntry
from ..extensions import db
from ..plans.models import Commitment

TERMINAL = ("completed", "withdrawn")
FUNNEL = [s for s in STATES if s != "withdrawn"]
EPOCH = datetime(1970, 1, 1)
JULIAN_DAY_OF_EPOCH = 2440587.5


@dataclass
class StageTime:
    state: str
    count: int
    median_days: float
    longest_days: float


@dataclass
class StageScan:
    times: list[StageTime]
    funnel: list[tuple[str, int]]
    rounds: dict[int, int]  # commitment id: times it entered the vote (its current round)


def days_since_epoch(column: Any) -> Any:
    """Return the SQL for a timestamp as days since 1970, a float the driver passes as it is."""
    # A float per row costs the driver and the result far less than a datetime to parse; the
    # stays are then plain subtractions.
    if db.engine.dialect.name == "postgresql":
        return func.date_part("epoch", column, type_=Float) / 86400.0
    return func.julianday(column, type_=Float) - JULIAN_DAY_OF_EPOCH


def stage_times(plan_id: int, now: datetime) -> StageScan:
    """Return how long stays in each state lasted, how many commitments reached each stage, and
    the round of each vote (which the board would otherwise count in a query of its own).

    A stay runs from its log entry to the record's next one, or to now. One query reads the
    plan's entries in index order; pairing them here costs less than a window function, which
    SQLite evaluates slower than this loop (measured on bench/pages.py's instance).
    """
    entries = (
        select(LogEntry.record_id, LogEntry.to_state, days_since_epoch(LogEntry.created_at))
        .where(
            LogEntry.record_type == Commitment.record_type,
            LogEntry.record_id.in_(select(Commitment.id).where(Commitment.plan_id == plan_id)),
        )
        .order_by(LogEntry.record_id, LogEntry.seq)
    )
    today = (now - EPOCH).total_seconds() / 86400
    days: dict[str, list[float]] = defaultdict(list)
    states_of: dict[int, set[str]] = defaultdict(set)
    rounds: dict[int, int] = defaultdict(int)
    last_id, last_state, last_at = None, "", 0.0
    # Core rows, in slices: fewer objects than the ORM's, fetched faster than one by one (as
    # psycopg does when iterated), and never thousands alive at once for the collector to sweep.
    for part in db.session.connection().execute(entries).partitions(500):
        for record_id, state, at in part:
            states_of[record_id].add(state)
            if state == VOTING_STATE:
                rounds[record_id] += 1
            if record_id == last_id:
                days[last_state].append(at - last_at)
            elif last_id is not None and last_state not in TERMINAL:
                days[last_state].append(today - last_at)
            last_id, last_state, last_at = record_id, state, at
    if last_id is not None and last_state not in TERMINAL:
        days[last_state].append(today - last_at)
    times = [
        StageTime(s, len(d), round(median(d), 1), round(max(d), 1))
        for s in STATES
        if (d := days.get(s))
    ]
    return StageScan(times, funnel(states_of.values()), rounds)


def funnel(states_of: Any) -> list[tuple[str, int]]:
    """Count the commitments that reached each stage, given the states each has been in."""
    # A commitment further along has passed through the earlier stages of the funnel.
    furthest = [0] * len(FUNNEL)
    rank = {s: i for i, s in enumerate(FUNNEL)}
    for states in states_of:
        reached = [rank[s] for s in states if s in rank]
        if reached:
            furthest[max(reached)] += 1
    return [(s, sum(furthest[i:])) for i, s in enumerate(FUNNEL)]
