"""Benchmark: transitions per second through the engine, against the same writes in plain Core.

Prints figures measured in one run on one database, and their ratios (these machines are noisy:
compare ratios, not absolute numbers).

    .venv/bin/python bench/transitions.py [--count 300] [--database-url URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the
# `transitions` library it measures.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import cProfile
import gc
import hashlib
import json
import pstats
import tempfile
import time
import tracemalloc
from datetime import date

from flask_migrate import upgrade
from sqlalchemy import insert, select, update
from transitions import Machine

from workflow import create_app
from workflow.accounts.operations import create_user, grant_role
from workflow.config import normalise_database_url
from workflow.database import temporary_database
from workflow.definitions.registry import engine as shared_engine
from workflow.engine.audit import LogEntry, utcnow
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.models import Notification, OutboxMessage
from workflow.plans.models import ActionPlan, Commitment
from workflow.plans.operations import create_commitment
from workflow.plans.schemas import parse_commitment

DRAFT = {
    "title": "Benchmark commitment",
    "problem": "p",
    "description": "d",
    "how_it_solves": "h",
    "ogp_values": ["access_to_information"],
    "lead_agency": "Cabinet Secretariat",
    "expected_results": "r",
    "milestones": [{"description": "m", "start_date": "2024-01-01", "end_date": "2024-12-31"}],
}


def setup(count: int):
    """Create a plan with a drafter, two reviewers and a POC, and 3*count complete drafts."""
    plan = ActionPlan(
        slug="bench",
        country="Benchland",
        title="Bench plan",
        period_start=date(2024, 1, 1),
        period_end=date(2027, 12, 31),
    )
    db.session.add(plan)
    db.session.flush()
    users = {}
    for role in ("drafter", "cso_reviewer", "cso_reviewer", "poc"):
        user = create_user(f"{role}{len(users)}@bench.example.org", role, None)
        grant_role(plan, user, role)
        users[user.email] = (user, role)
    drafter = next(u for u, r in users.values() if r == "drafter")
    values = parse_commitment(DRAFT, creating=True)
    ids = [create_commitment(plan, drafter, values).id for _ in range(3 * count)]
    db.session.commit()
    recipients = [u for u, r in users.values() if r in ("cso_reviewer", "poc")]
    return drafter, ids[:count], ids[count : 2 * count], ids[2 * count :], recipients


def engine_rate(drafter, ids: list[int]) -> float:
    """Fire `submit` on each record through the engine, committing each one; return per second."""
    start = time.perf_counter()
    for cid in ids:
        commitment = load(cid)
        fire(commitment, "submit", drafter, version=commitment.version)
        commit()
    return len(ids) / (time.perf_counter() - start)


# Named steps of the engine path, so a profile can tell them apart.
def load(cid: int) -> Commitment:
    return db.session.get(Commitment, cid)


def commit() -> None:
    db.session.commit()


# (what, file, function): the parts of a transition a profile reports, in the order they run.
PARTS = [
    ("the caller loads the record", "bench/transitions.py", "load"),
    ("actor: the user's row and plan roles", "workflow/accounts/permissions.py", "actor_on_plan"),
    ("row lock: the row read again FOR UPDATE", "workflow/engine/machine.py", "lock_record"),
    ("checks: roles, state, guards", "workflow/engine/machine.py", "blockers"),
    ("versioned UPDATE of the record", "workflow/engine/machine.py", "flush_versioned"),
    ("log entry: chain head, hash, INSERT", "workflow/engine/audit.py", "append_entry"),
    ("  of which the hash", "workflow/engine/audit.py", "compute_hash"),
    ("recipients with their choices", "workflow/notify/outbox.py", "recipients_for"),
    ("notification and outbox INSERTs", "workflow/notify/outbox.py", "deliver"),
    ("commit", "bench/transitions.py", "commit"),
]


def profile_shares(drafter, ids: list[int]) -> list[tuple[str, float]]:
    """Run the engine path under cProfile; return each part's share of the time, and the rest."""
    profiler = cProfile.Profile()
    profiler.runcall(engine_rate, drafter, ids)
    stats = pstats.Stats(profiler).stats
    total = next(v[3] for k, v in stats.items() if k[2] == "engine_rate")
    shares = []
    for what, path, function in PARTS:
        spent = sum(v[3] for k, v in stats.items() if k[0].endswith(path) and k[2] == function)
        shares.append((what, spent / total))
    counted = sum(share for what, share in shares if not what.startswith(" "))
    return [*shares, ("the rest (session bookkeeping, Python between the parts)", 1 - counted)]


def core_rate(drafter, ids: list[int], recipients) -> float:
    """Do the same writes with SQLAlchemy Core: versioned update, chained log entry, outbox rows
    and in-app notifications."""
    actor_id, actor_label = drafter.id, drafter.name
    people = [(u.id, u.email) for u in recipients]
    db.session.commit()
    start = time.perf_counter()
    for cid in ids:
        with db.engine.begin() as conn:
            version = conn.scalar(select(Commitment.version).where(Commitment.id == cid))
            result = conn.execute(
                update(Commitment)
                .where(Commitment.id == cid, Commitment.version == version)
                .values(state="cso_review", version=version + 1, state_changed_at=utcnow())
            )
            assert result.rowcount == 1
            last = conn.execute(
                select(LogEntry.seq, LogEntry.hash)
                .where(LogEntry.record_type == "commitment", LogEntry.record_id == cid)
                .order_by(LogEntry.seq.desc())
                .limit(1)
            ).one()
            content = {"record_id": cid, "seq": last.seq + 1, "prev": last.hash, "event": "submit"}
            digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
            entry_id = conn.execute(
                insert(LogEntry)
                .values(
                    record_type="commitment",
                    record_id=cid,
                    seq=last.seq + 1,
                    workflow_key="commitment",
                    workflow_version=1,
                    event="submit",
                    from_state="draft",
                    to_state="cso_review",
                    actor_id=actor_id,
                    actor_label=actor_label,
                    created_at=utcnow(),
                    prev_hash=last.hash,
                    hash=digest,
                )
                .returning(LogEntry.id)
            ).scalar_one()
            conn.execute(
                insert(OutboxMessage),
                [
                    {
                        "recipient_id": uid,
                        "to_address": email,
                        "template": "transition",
                        "audience": "cso_reviewer",
                        "log_entry_id": entry_id,
                        "status": "pending",
                        "attempts": 0,
                        "created_at": utcnow(),
                        "next_attempt_at": utcnow(),
                    }
                    for uid, email in people
                ],
            )
            conn.execute(
                insert(Notification),
                [
                    {
                        "user_id": uid,
                        "kind": "updates",
                        "template": "transition",
                        "audience": "cso_reviewer",
                        "log_entry_id": entry_id,
                        "created_at": utcnow(),
                        "digest_pending": False,
                    }
                    for uid, _ in people
                ],
            )
    return len(ids) / (time.perf_counter() - start)


class Record:
    def __init__(self) -> None:
        self.state = "draft"


def machine_costs(count: int) -> dict[str, float]:
    """Compare a transitions.Machine per record with the one shared machine, in time and memory."""
    spec = shared_engine.definition("commitment")
    kwargs = {
        "states": list(spec.state_names),
        "transitions": [
            {"trigger": e.name, "source": list(e.sources), "dest": e.target}
            for e in spec.events.values()
        ],
        "initial": "draft",
        "auto_transitions": False,
    }
    # Time and memory are measured in separate passes: tracing allocations slows the code.
    gc.collect()
    start = time.perf_counter()
    machines = [Machine(model=Record(), **kwargs) for _ in range(count)]
    per_record_s = (time.perf_counter() - start) / count
    del machines
    gc.collect()
    tracemalloc.start()
    machines = [Machine(model=Record(), **kwargs) for _ in range(count)]
    per_record_bytes = tracemalloc.get_traced_memory()[0] / count
    tracemalloc.stop()
    del machines
    gc.collect()

    shared = Machine(model=None, **kwargs)
    records = [Record() for _ in range(count)]
    start = time.perf_counter()
    for record in records:
        shared.events["submit"].trigger(record)
    shared_fire_s = (time.perf_counter() - start) / count
    records = [Record() for _ in range(count)]
    tracemalloc.start()
    for record in records:
        shared.events["submit"].trigger(record)
    shared_bytes = tracemalloc.get_traced_memory()[0] / count
    tracemalloc.stop()
    return {
        "machine_per_record_ms": per_record_s * 1000,
        "machine_per_record_kb": per_record_bytes / 1024,
        "shared_fire_us": shared_fire_s * 1e6,
        "shared_kb_per_record": shared_bytes / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="transitions per path")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to run on, in a database of its own (default: a SQLite file)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then profile the engine path once more and print each part's share of its time",
    )
    args = parser.parse_args()

    server = normalise_database_url(args.database_url) if args.database_url else None
    with tempfile.TemporaryDirectory() as tmp, temporary_database(server, Path(tmp)) as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": tmp,
                "SECRET_KEY": "bench",
                "NOTIFY_BACKGROUND": False,
            }
        )
        with app.app_context():
            upgrade()
            drafter, engine_ids, core_ids, profiled_ids, recipients = setup(args.count)
            print(
                f"database: {db.engine.dialect.name}; {args.count} transitions per path; "
                f"{len(recipients)} outbox rows per transition"
            )
            # Interleave halves so drift in machine load hits both paths alike.
            half = args.count // 2
            e1 = engine_rate(drafter, engine_ids[:half])
            c1 = core_rate(drafter, core_ids[:half], recipients)
            e2 = engine_rate(drafter, engine_ids[half:])
            c2 = core_rate(drafter, core_ids[half:], recipients)
            engine_per_s, core_per_s = (e1 + e2) / 2, (c1 + c2) / 2
            print(f"engine (ORM, guards, outbox rows, commit): {engine_per_s:8.1f} /s")
            print(f"plain Core, same rows:                     {core_per_s:8.1f} /s")
            print(f"engine / Core throughput ratio:            {engine_per_s / core_per_s:8.2f}")
            if args.profile:
                print("share of an engine transition's time, profiled (cProfile inflates Python):")
                for what, share in profile_shares(drafter, profiled_ids):
                    print(f"  {what:<58} {share:6.1%}")
            db.session.remove()
            db.engine.dispose()
        costs = machine_costs(2000)
        print(
            f"a machine per record: {costs['machine_per_record_ms']:.3f} ms and "
            f"{costs['machine_per_record_kb']:.1f} KB each"
        )
        print(
            f"the shared machine:   {costs['shared_fire_us']:.1f} µs per firing, "
            f"{costs['shared_kb_per_record']:.2f} KB per record"
        )
        print(
            f"per-record machine / shared firing time ratio: "
            f"{costs['machine_per_record_ms'] * 1000 / costs['shared_fire_us']:.0f}x"
        )


if __name__ == "__main__":
    main()
