"""Two actors firing on one record at once: exactly one wins, the other gets a conflict.

These tests commit for real, to a database of their own, from several threads and processes.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.concurrency_worker import fire_in_process
from tests.conftest import build_world
from workflow.accounts.auth import user_by_email
from workflow.engine import WorkflowError
from workflow.engine.audit import LogEntry, verify_chains
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.plans.models import Commitment
from workflow.review.models import Vote
from workflow.review.operations import cast_vote


def setup_plan(app) -> tuple[list[int], dict[str, str]]:
    world = build_world(app)
    return world.commitment_ids, world.emails


def run_threads(app, jobs):
    """Start one thread per job, released together by a barrier; return their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes: dict[str, tuple[str, str]] = {}

    def work(name, action):
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                outcomes[name] = ("ok", action())
                db.session.commit()
            except WorkflowError as exc:
                db.session.rollback()
                outcomes[name] = (exc.code, exc.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def state_and_log(app, commitment_id):
    with app.app_context():
        commitment = db.session.get(Commitment, commitment_id)
        entries = db.session.scalar(
            select(func.count())
            .select_from(LogEntry)
            .where(LogEntry.record_id == commitment_id, LogEntry.record_type == "commitment")
        )
        _, broken = verify_chains()
        assert broken == []
        return commitment.state, commitment.version, entries


def test_two_actors_in_threads_one_wins(fresh_app):
    (cid,), emails = setup_plan(fresh_app)

    def firing(email, event, comment=None):
        def action():
            commitment = db.session.get(Commitment, cid)
            fire(commitment, event, user_by_email(email), version=1, comment=comment)
            return commitment.state

        return action

    outcomes = run_threads(
        fresh_app,
        [
            ("submit", firing(emails["drafter"], "submit")),
            ("withdraw", firing(emails["poc"], "withdraw", "Not in this plan.")),
        ],
    )
    codes = Counter(code for code, _ in outcomes.values())
    assert codes == Counter({"ok": 1, "stale_version": 1}), outcomes
    state, version, entries = state_and_log(fresh_app, cid)
    winner = next(name for name, (code, _) in outcomes.items() if code == "ok")
    assert state == {"submit": "cso_review", "withdraw": "withdrawn"}[winner]
    assert (version, entries) == (2, 2)  # one transition, one log entry after "create"


@pytest.mark.parametrize("round_", range(3))
def test_four_processes_one_wins(fresh_app, round_):
    (cid,), emails = setup_plan(fresh_app)
    config = {
        "SQLALCHEMY_DATABASE_URI": fresh_app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": fresh_app.instance_path,
        "SECRET_KEY": "test",
    }
    jobs = [
        {"name": "drafter-submit", "email": emails["drafter"], "event": "submit"},
        {"name": "poc-submit", "email": emails["poc"], "event": "submit"},
        {"name": "poc-withdraw", "email": emails["poc"], "event": "withdraw", "comment": "dup"},
        {"name": "drafter-submit-2", "email": emails["drafter"], "event": "submit"},
    ]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    processes = [
        ctx.Process(
            target=fire_in_process,
            args=(config, {**job, "commitment_id": cid, "version": 1}, barrier, results),
        )
        for job in jobs
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    codes = Counter(code for _, code, _ in outcomes)
    assert codes == Counter({"ok": 1, "stale_version": 3}), outcomes
    _, version, entries = state_and_log(fresh_app, cid)
    assert (version, entries) == (2, 2)


def test_concurrent_votes_are_all_counted(fresh_app):
    (cid,), emails = setup_plan(fresh_app)
    with fresh_app.app_context():
        commitment = db.session.get(Commitment, cid)
        fire(commitment, "submit", user_by_email(emails["drafter"]))
        fire(commitment, "endorse", user_by_email(emails["cso1"]))
        db.session.commit()

    def voting(email):
        def action():
            # As the API does: lock the record so votes are counted one at a time.
            commitment = db.session.get(Commitment, cid, with_for_update=True)
            cast_vote(commitment, user_by_email(email), "approve", "Agreed in the forum.")
            return commitment.state

        return action

    outcomes = run_threads(
        fresh_app, [(name, voting(emails[name])) for name in ("msf_gov1", "msf_gov2", "msf_cso1")]
    )
    assert all(code == "ok" for code, _ in outcomes.values()), outcomes
    state, _, _ = state_and_log(fresh_app, cid)
    assert state == "government_signoff"  # the third vote decided, whichever came last
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 3
        approvals = db.session.scalars(
            select(LogEntry.event).where(LogEntry.record_id == cid, LogEntry.event == "approve")
        )
        assert list(approvals) == ["approve"]
