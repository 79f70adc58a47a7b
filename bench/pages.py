"""Benchmark: server time of the pages a point of contact uses, on a large instance.

Builds 50 plans, 5,000 commitments, about 200,000 log entries and 50,000 comments with bulk
inserts (each log entry hashed as the engine hashes it, so `flask audit verify` holds), then
times each page with the Flask test client, one request at a time, next to a bare Flask page
in the same run. Ends with `worst p95: N ms (PAGE)`.

    .venv/bin/python bench/pages.py [--plans 50] [--per-plan 100] [--requests 40]
    .venv/bin/python bench/pages.py --database sqlite:////tmp/bench.db   # build once, then reuse
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where bench/transitions.py would hide
# the `transitions` library the engine imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, make_url, select, text

from workflow import create_app
from workflow.accounts.models import PlanMembership, User
from workflow.accounts.operations import create_user
from workflow.accounts.roles import CIVIL_SOCIETY, GOVERNMENT, MSF_MEMBER, POC
from workflow.config import normalise_database_url
from workflow.database import temporary_database
from workflow.engine.audit import GENESIS_HASH, LogEntry, verify_chains
from workflow.extensions import db
from workflow.plans.models import ActionPlan, Commitment, Milestone
from workflow.reporting.models import ProgressReport
from workflow.review.models import Comment, Vote

PASSWORD = "bench password 1"
# The path each commitment ends on; its log first goes round review (submit, request changes)
# until it has its share of entries.
FINAL_PATHS = {
    "draft": [],
    "cso_review": [("submit", "cso_review")],
    "msf_approval": [("submit", "cso_review"), ("endorse", "msf_approval")],
    "government_signoff": [
        ("submit", "cso_review"),
        ("endorse", "msf_approval"),
        ("approve", "government_signoff"),
    ],
    "implementation": [
        ("submit", "cso_review"),
        ("endorse", "msf_approval"),
        ("approve", "government_signoff"),
        ("sign_off", "implementation"),
    ],
    "completed": [
        ("submit", "cso_review"),
        ("endorse", "msf_approval"),
        ("approve", "government_signoff"),
        ("sign_off", "implementation"),
        ("complete", "completed"),
    ],
}
STATE_CYCLE = list(FINAL_PATHS)


def chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    for part in chunks(rows):
        db.session.execute(insert(model), part)


def log_rows(
    record_type: str,
    record_id: int,
    steps: list[tuple[str, str | None, str]],
    start: datetime,
    actor: tuple[int, str],
) -> list[dict[str, Any]]:
    """Return a record's chain of log entries, hashed as the engine hashes them."""
    rows, prev = [], GENESIS_HASH
    for seq, (event, from_state, to_state) in enumerate(steps, start=1):
        entry = LogEntry(
            record_type=record_type,
            record_id=record_id,
            seq=seq,
            workflow_key=record_type,
            workflow_version=1,
            event=event,
            from_state=from_state,
            to_state=to_state,
            actor_id=actor[0],
            actor_label=actor[1],
            comment=None,
            created_at=start + timedelta(hours=6 * seq),
            prev_hash=prev,
        )
        entry.hash = entry.compute_hash()
        prev = entry.hash
        rows.append(
            {
                c: getattr(entry, c)
                for c in (
                    "record_type",
                    "record_id",
                    "seq",
                    "workflow_key",
                    "workflow_version",
                    "event",
                    "from_state",
                    "to_state",
                    "actor_id",
                    "actor_label",
                    "comment",
                    "created_at",
                    "prev_hash",
                    "hash",
                )
            }
        )
    return rows


def build(plans: int, per_plan: int, entries_per_commitment: int, comments_per: int) -> dict:
    """Insert the instance; return what the timing needs (slugs, ids)."""
    started = time.perf_counter()
    poc = create_user("poc@bench.example.org", "Bench POC", PASSWORD)
    msf = [create_user(f"msf{i}@bench.example.org", f"Bench MSF {i}", None) for i in range(4)]
    other = create_user("cso@bench.example.org", "Bench CSO", None)
    db.session.flush()
    actor = (poc.id, poc.name)
    plan_rows, memberships = [], []
    for p in range(1, plans + 1):
        plan_rows.append(
            {
                "id": p,
                "slug": f"plan-{p}",
                "country": "Benchland",
                "title": f"Bench plan {p}",
                "period_start": date(2024, 1, 1),
                "period_end": date(2027, 12, 31),
                "reporting_cycle": "quarterly",
                "approval_rule": "majority_with_parity",
                "is_public": True,
                "created_at": datetime(2024, 1, 1),
            }
        )
        memberships.append({"plan_id": p, "user_id": poc.id, "role": POC, "sector": None})
        for i, user in enumerate(msf):
            sector = GOVERNMENT if i < 2 else CIVIL_SOCIETY
            memberships.append(
                {"plan_id": p, "user_id": user.id, "role": MSF_MEMBER, "sector": sector}
            )
    bulk(ActionPlan, plan_rows)
    bulk(PlanMembership, memberships)
    commitments, milestones, logs, comments, votes, reports = [], [], [], [], [], []
    now = datetime(2026, 6, 1)
    cid = rid = 0
    for p in range(1, plans + 1):
        for n in range(1, per_plan + 1):
            cid += 1
            final = STATE_CYCLE[cid % len(STATE_CYCLE)]
            path = FINAL_PATHS[final]
            # Review rounds (submit, request changes) fill the log up to its share.
            rounds = max(0, (entries_per_commitment - 1 - len(path)) // 2)
            steps: list[tuple[str, str | None, str]] = [("create", None, "draft")]
            for _ in range(rounds):
                steps += [
                    ("submit", "draft", "cso_review"),
                    ("request_changes", "cso_review", "draft"),
                ]
            state = "draft"
            for event, target in path:
                steps.append((event, state, target))
                state = target
            start = now - timedelta(hours=6 * (len(steps) + 2))
            logs += log_rows("commitment", cid, steps, start, actor)
            commitments.append(
                {
                    "id": cid,
                    "plan_id": p,
                    "number": n,
                    "ogp_id": None,
                    "title": f"Commitment {n} of plan {p}",
                    "problem": "p",
                    "description": "d",
                    "how_it_solves": "h",
                    "ogp_values": ["access_to_information"],
                    "lead_agency": f"Ministry {n % 7}",
                    "other_actors_government": "",
                    "other_actors_civil_society": "",
                    "expected_results": "r",
                    "created_by_id": poc.id,
                    "created_at": start,
                    "updated_at": start,
                    "state": state,
                    "workflow_key": "commitment",
                    "workflow_version": 1,
                    "state_changed_at": start + timedelta(hours=6 * len(steps)),
                    "version": 1,
                }
            )
            for m in (1, 2):
                milestones.append(
                    {
                        "commitment_id": cid,
                        "position": m,
                        "description": f"Milestone {m}",
                        "start_date": date(2024, m, 1),
                        "end_date": date(2025, m, 1),
                        "status": "completed" if m == 1 and final == "completed" else "in_progress",
                    }
                )
            for k in range(comments_per):
                answered = k % 3 != 0 or state not in ("draft", "cso_review")
                comments.append(
                    {
                        "commitment_id": cid,
                        "author_id": other.id,
                        "field": "description",
                        "body": "Please say more.",
                        "round": 1 + k % max(rounds, 1),
                        "created_at": start,
                        "response": "Done." if answered else None,
                        "response_outcome": "adopted" if answered else None,
                        "responded_by_id": poc.id if answered else None,
                        "responded_at": start if answered else None,
                    }
                )
            if state == "msf_approval":
                votes.append(
                    {
                        "commitment_id": cid,
                        "round": 1,
                        "user_id": msf[0].id,
                        "sector": GOVERNMENT,
                        "decision": "approve",
                        "comment": "Yes.",
                        "created_at": now,
                    }
                )
            if state in ("implementation", "completed"):
                for q in range(2):
                    rid += 1
                    end = date(2024, 3 * q + 3, 28)
                    reports.append(
                        {
                            "id": rid,
                            "commitment_id": cid,
                            "period_label": f"2024 Q{q + 1}",
                            "period_start": date(2024, 3 * q + 1, 1),
                            "period_end": end,
                            "completion": "limited",
                            "narrative": "n",
                            "evidence_links": [],
                            "created_by_id": poc.id,
                            "created_at": now,
                            "state": "accepted",
                            "workflow_key": "progress_report",
                            "workflow_version": 1,
                            "state_changed_at": now,
                            "version": 1,
                        }
                    )
                    logs += log_rows(
                        "progress_report",
                        rid,
                        [
                            ("create", None, "draft"),
                            ("submit", "draft", "submitted"),
                            ("accept", "submitted", "accepted"),
                        ],
                        start,
                        actor,
                    )
    for model, rows in (
        (Commitment, commitments),
        (Milestone, milestones),
        (LogEntry, logs),
        (Comment, comments),
        (Vote, votes),
        (ProgressReport, reports),
    ):
        bulk(model, rows)
    if db.engine.dialect.name == "postgresql":
        for table in ("action_plans", "commitments", "progress_reports"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        db.session.execute(text("ANALYZE"))
    db.session.commit()
    voting = next(c["id"] for c in commitments if c["state"] == "msf_approval")
    implementing = next(c["id"] for c in commitments if c["state"] == "implementation")
    print(
        f"built {plans} plans, {len(commitments)} commitments, {len(logs)} log entries, "
        f"{len(comments)} comments, {len(votes)} votes, {len(reports)} reports "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return {
        "plan": f"plan-{plans // 2}",
        "voting": voting,
        "implementing": implementing,
        "poc": poc.email,
    }


def existing(plans: int) -> dict | None:
    """Return what the timing needs from an instance built earlier, or None if there is none."""
    poc = db.session.scalar(select(User).where(User.email == "poc@bench.example.org"))
    if poc is None:
        return None

    def first(state: str) -> int:
        return db.session.scalar(
            select(Commitment.id).where(Commitment.state == state).order_by(Commitment.id)
        )

    print("reusing the instance built earlier")
    return {
        "plan": f"plan-{plans // 2}",
        "voting": first("msf_approval"),
        "implementing": first("implementation"),
        "poc": poc.email,
    }


@contextmanager
def kept_database(url: str) -> Iterator[str]:
    """Yield `url`, creating its PostgreSQL database if missing; it is kept afterwards."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ):
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    yield url


def timings(app: Flask, info: dict, requests: int) -> list[tuple[str, float, float]]:
    """Time each page `requests` times; return (page, median ms, p95 ms)."""
    client = app.test_client()
    response = client.post("/login", data={"email": info["poc"], "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    token = None
    with app.app_context():
        from workflow.accounts.models import ApiToken

        user = db.session.scalar(select(User).where(User.email == info["poc"]))
        _, token = ApiToken.issue(user)
        db.session.commit()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    pages = {
        "bare Flask page": ("/bench-bare", client, {}),
        "index /": ("/", client, {}),
        "board": (f"/plans/{info['plan']}/board", client, {}),
        "board, filtered": (f"/plans/{info['plan']}/board?overdue=1", client, {}),
        "figures": (f"/plans/{info['plan']}/figures", client, {}),
        "commitment page": (f"/commitments/{info['implementing']}", client, {}),
        "my work": ("/my-work", client, {}),
        "API commitment (vote)": (f"/api/v1/commitments/{info['voting']}", api, bearer),
        "API plans": ("/api/v1/plans", api, bearer),
    }
    results = []
    for name, (url, c, headers) in pages.items():
        for _ in range(3):
            assert c.get(url, headers=headers).status_code == 200, url
        samples = []
        for _ in range(requests):
            t = time.perf_counter()
            response = c.get(url, headers=headers)
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        samples.sort()
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        results.append((name, statistics.median(samples), p95))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--per-plan", type=int, default=100)
    parser.add_argument("--entries", type=int, default=40, help="log entries per commitment")
    parser.add_argument("--comments", type=int, default=10, help="comments per commitment")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--database",
        help="database URL to build the instance in and keep, or to reuse if it holds one",
    )
    parser.add_argument("--verify", action="store_true", help="check every hash chain too")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL")
    with (
        tempfile.TemporaryDirectory() as tmp,
        (
            kept_database(normalise_database_url(args.database))
            if args.database
            else temporary_database(normalise_database_url(server) if server else None, Path(tmp))
        ) as url,
    ):
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": str(Path(tmp) / "instance"),
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "NOTIFY_BACKGROUND": False,
                "MAIL_SERVER": "",
                "PASSWORD_HASH_TIME_COST": 1,
                "PASSWORD_HASH_MEMORY_KIB": 1024,
            }
        )
        app.add_url_rule("/bench-bare", "bench_bare", lambda: "ok")
        with app.app_context():
            upgrade()
            info = existing(args.plans) if args.database else None
            info = info or build(args.plans, args.per_plan, args.entries, args.comments)
            if args.verify:
                engine = app.extensions["workflow_engine"]
                checked, broken = verify_chains(engine.record_models)
                print(f"audit: {checked} entries, {len(broken)} broken chains")
        print(f"database: {url.split(':')[0]}")
        # As wsgi.py does once the application is built (the building's garbage collected first).
        gc.collect()
        gc.freeze()
        results = timings(app, info, args.requests)
        with app.app_context():
            db.engine.dispose()
    # The machine is shared: the ratio to the bare page in the same run says more than ms.
    bare = results[0][1] or 1e-9
    print(f"{'page':28} {'median ms':>10} {'p95 ms':>10} {'median/bare':>12}")
    for name, med, p95 in results:
        print(f"{name:28} {med:10.1f} {p95:10.1f} {med / bare:12.1f}")
    name, _med, p95 = max(results[1:], key=lambda r: r[2])
    print(f"worst p95: {p95:.0f} ms ({name})")


if __name__ == "__main__":
    main()
