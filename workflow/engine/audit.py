"""The transition log: append-only, hash-chained per record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, make_transient_to_detached, mapped_column

from ..extensions import db

GENESIS_HASH = "0" * 64


# Where utcnow() reads the time, when not from the system clock: see `time_source`.
_SOURCE: ContextVar[Callable[[], datetime] | None] = ContextVar("time_source", default=None)


def utcnow() -> datetime:
    """Return the current UTC time, naive and to the microsecond, as stored in the database."""
    source = _SOURCE.get()
    return source() if source is not None else datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def time_source(source: Callable[[], datetime]) -> Iterator[None]:
    """Read the time from `source` within the block: a scripted history (the demo's) is written
    at the moments it tells of, through the same operations, so its chains hash those moments."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


class LogEntry(db.Model):
    """One transition of one record. The database refuses updates and deletes (a trigger)."""

    __tablename__ = "transition_log"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id", "seq"),
        Index("ix_transition_log_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int]
    seq: Mapped[int]
    workflow_key: Mapped[str] = mapped_column(String(60))
    workflow_version: Mapped[int]
    event: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(60))
    to_state: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def content(self) -> dict[str, Any]:
        """Return the fields the hash covers, in a stable form."""
        return {
            "record_type": self.record_type,
            "record_id": self.record_id,
            "seq": self.seq,
            "workflow": [self.workflow_key, self.workflow_version],
            "event": self.event,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "comment": self.comment,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        """Return the SHA-256 of the entry's content, which includes the previous hash."""
        payload = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# The last entry of a record's chain. Built once: a statement object keeps its cache key.
_HEAD = (
    select(LogEntry.seq, LogEntry.hash)
    .where(
        LogEntry.record_type == bindparam("record_type"),
        LogEntry.record_id == bindparam("record_id"),
    )
    .order_by(LogEntry.seq.desc())
    .limit(1)
)


def append_entry(
    record: Any,
    *,
    event: str,
    from_state: str | None,
    to_state: str,
    actor_id: int | None,
    actor_label: str,
    comment: str | None,
) -> LogEntry:
    """Insert the next entry of the record's chain; return it, persistent in the session."""
    last = db.session.execute(
        _HEAD, {"record_type": record.record_type, "record_id": record.id}
    ).first()
    values = {
        "record_type": record.record_type,
        "record_id": record.id,
        "seq": (last.seq + 1) if last else 1,
        "workflow_key": record.workflow_key,
        "workflow_version": record.workflow_version,
        "event": event,
        "from_state": from_state,
        "to_state": to_state,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "comment": comment,
        "created_at": utcnow(),
        "prev_hash": last.hash if last else GENESIS_HASH,
    }
    entry = LogEntry(**values)
    entry.hash = values["hash"] = entry.compute_hash()
    # One plain INSERT rather than a unit-of-work flush; the entry then joins the session as
    # the row it is, as the flush would have left it.
    result = db.session.execute(insert(LogEntry.__table__), values)
    entry.id = result.inserted_primary_key[0]
    make_transient_to_detached(entry)
    db.session.add(entry)
    return entry


def times_entered(record: Any, state: str) -> int:
    """Count how often the record has entered `state`: the current round of a review or vote."""
    return db.session.scalar(
        select(func.count())
        .select_from(LogEntry)
        .where(
            LogEntry.record_type == record.record_type,
            LogEntry.record_id == record.id,
            LogEntry.to_state == state,
        )
    )


@dataclass(frozen=True)
class BrokenLink:
    entry_id: int
    record_type: str
    record_id: int
    seq: int
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.record_type} {self.record_id}: entry {self.entry_id} (seq {self.seq}) "
            f"{self.problem}"
        )


def first_break(entries: Iterable[LogEntry]) -> BrokenLink | None:
    """Return where one record's chain (its entries in order) first breaks, or None if intact."""
    seq, prev = 1, GENESIS_HASH
    for entry in entries:
        problem = None
        if entry.seq != seq:
            problem = f"has sequence {entry.seq} where {seq} was expected (an entry is missing)"
        elif entry.prev_hash != prev:
            problem = "does not link to the entry before it (prev_hash differs)"
        elif entry.compute_hash() != entry.hash:
            problem = "was altered after it was written (its hash does not match its content)"
        if problem:
            return BrokenLink(entry.id, entry.record_type, entry.record_id, entry.seq, problem)
        seq, prev = entry.seq + 1, entry.hash
    return None


def stranded_records(engine: Any) -> list[str]:
    """Say which records run on a workflow version the engine does not have installed."""
    problems = []
    for model in engine.record_models:
        rows = db.session.execute(
            select(model.workflow_key, model.workflow_version, func.count())
            .group_by(model.workflow_key, model.workflow_version)
            .order_by(model.workflow_key, model.workflow_version)
        )
        for key, version, count in rows:
            if not engine.installed(key, version):
                problems.append(
                    f"{count} {model.record_type} record(s) run on workflow '{key}' version "
                    f"{version}, which is not installed: they cannot move until it is"
                )
    return problems


def verify_chains(
    record_models: Iterable[Any] = (), batch_size: int = 1000
) -> tuple[int, list[BrokenLink]]:
    """Check every record's chain and that each record's state is where its chain ends.

    Return the number of entries read and the first problem of each record. `record_models`
    are the models the engine drives (each with `record_type`, `id` and `state`).
    """
    broken: list[BrokenLink] = []
    heads: dict[tuple[str, int], LogEntry] = {}
    count = 0
    stmt = select(LogEntry).order_by(LogEntry.record_type, LogEntry.record_id, LogEntry.seq)
    stream = db.session.scalars(stmt.execution_options(yield_per=batch_size))
    for key, group in groupby(stream, key=lambda e: (e.record_type, e.record_id)):
        entries = list(group)
        count += len(entries)
        heads[key] = entries[-1]
        if (link := first_break(entries)) is not None:
            broken.append(link)
    for model in record_models:
        for record_id, state in db.session.execute(select(model.id, model.state)):
            head = heads.get((model.record_type, record_id))
            if head is None:
                broken.append(BrokenLink(0, model.record_type, record_id, 0, "has no log at all"))
            elif head.to_state != state:
                broken.append(
                    BrokenLink(
                        head.id,
                        model.record_type,
                        record_id,
                        head.seq,
                        f"is the last entry and ends in '{head.to_state}', but the record's "
                        f"state is '{state}' (changed outside the workflow, or entries removed)",
                    )
                )
    return count, broken
