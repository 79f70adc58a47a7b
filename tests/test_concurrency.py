"""Two actors firing on one record at once: exactly one wins, the other gets a conflict.

These tests commit for real, to a database of their own, from several threads and processes.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.concurrency_worker import fire_in_process
from tests.conftest import build_world
from workflow.accounts.auth import user_by_email
from workflow.accounts.models import ApiToken
from workflow.engine import WorkflowError
from workflow.engine.audit import LogEntry, verify_chains
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.plans.models import Commitment
from workflow.review.models import Comment, Vote
from workflow.review.operations import add_comment, cast_vote, respond_to_comment


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
    """Votes sent at once through the API, the path callers take, are all counted; one decides."""
    (cid,), emails = setup_plan(fresh_app)
    voters = ("msf_gov1", "msf_gov2", "msf_cso1")
    with fresh_app.app_context():
        commitment = db.session.get(Commitment, cid)
        fire(commitment, "submit", user_by_email(emails["drafter"]))
        fire(commitment, "endorse", user_by_email(emails["cso1"]))
        tokens = {name: ApiToken.issue(user_by_email(emails[name]))[1] for name in voters}
        db.session.commit()

    barrier = threading.Barrier(len(voters))
    statuses: dict[str, int] = {}

    def vote(name: str) -> None:
        client = fresh_app.test_client()
        barrier.wait(timeout=30)
        response = client.post(
            f"/api/v1/commitments/{cid}/votes",
            json={"decision": "approve", "comment": "Agreed in the forum."},
            headers={"Authorization": f"Bearer {tokens[name]}"},
        )
        statuses[name] = response.status_code

    threads = [threading.Thread(target=vote, args=(name,)) for name in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == dict.fromkeys(voters, 201), statuses
    state, _, _ = state_and_log(fresh_app, cid)
    assert state == "government_signoff"  # the third vote decided, whichever came last
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 3
        approvals = db.session.scalars(
            select(LogEntry.event).where(LogEntry.record_id == cid, LogEntry.event == "approve")
        )
        assert list(approvals) == ["approve"]


def overlap(app, first, second, hold: float = 0.3):
    """Run `first`, and while its transaction is still open run `second`; return both outcomes.

    Without a lock, `second` would read what `first` has not committed yet as still open.
    """
    started = threading.Event()
    outcomes: dict[str, tuple[str, str]] = {}

    def work(name, action, before=None, after=None):
        with app.app_context():
            if before:
                before.wait(timeout=30)
            try:
                result = action()
                if after:
                    after.set()
                    time.sleep(hold)
                db.session.commit()
                outcomes[name] = ("ok", result)
            except WorkflowError as exc:
                db.session.rollback()
                outcomes[name] = (exc.code, exc.message)
            finally:
                if after:
                    after.set()
                db.session.remove()

    threads = [
        threading.Thread(target=work, args=("first", first, None, started)),
        threading.Thread(target=work, args=("second", second, started, None)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes["first"], outcomes["second"]


@pytest.mark.parametrize("endorse_first", [True, False])
def test_a_comment_cannot_slip_past_an_endorsement(fresh_app, endorse_first):
    """Endorse checks that every comment is answered: a comment in flight is never missed."""
    (cid,), emails = setup_plan(fresh_app)
    with fresh_app.app_context():
        fire(db.session.get(Commitment, cid), "submit", user_by_email(emails["drafter"]))
        db.session.commit()

    def endorse():
        commitment = db.session.get(Commitment, cid)
        fire(commitment, "endorse", user_by_email(emails["cso1"]))
        return commitment.state

    def comment():
        commitment = db.session.get(Commitment, cid)
        add_comment(commitment, user_by_email(emails["cso2"]), "One more point.", None)
        return commitment.state

    if endorse_first:
        (endorsed, _), (commented, _) = overlap(fresh_app, endorse, comment)
        assert (endorsed, commented) == ("ok", "conflict")  # comments closed once endorsed
    else:
        (commented, _), (endorsed, _) = overlap(fresh_app, comment, endorse)
        assert (commented, endorsed) == ("ok", "guard_failed")  # the new comment is unanswered
    with fresh_app.app_context():
        state = db.session.get(Commitment, cid).state
        open_comments = db.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.response.is_(None))
        )
        assert (state, open_comments) in {("msf_approval", 0), ("cso_review", 1)}


def test_a_comment_is_answered_once(fresh_app):
    (cid,), emails = setup_plan(fresh_app)
    with fresh_app.app_context():
        commitment = db.session.get(Commitment, cid)
        fire(commitment, "submit", user_by_email(emails["drafter"]))
        comment_id = add_comment(commitment, user_by_email(emails["cso1"]), "Why?", None).id
        db.session.commit()

    def answering(email, text):
        def action():
            comment = db.session.get(Comment, comment_id)
            commitment = db.session.get(Commitment, cid)
            respond_to_comment(comment, commitment, user_by_email(email), text, "noted")
            return text

        return action

    first, second = overlap(
        fresh_app,
        answering(emails["drafter"], "Because of the law."),
        answering(emails["poc"], "Because the forum asked."),
    )
    assert (first[0], second[0]) == ("ok", "conflict")
    assert "already has a response" in second[1]
    with fresh_app.app_context():
        assert db.session.get(Comment, comment_id).response == "Because of the law."


def test_a_report_cannot_be_accepted_while_its_commitment_is_withdrawn(fresh_app):
    """Accepting checks the commitment is still in implementation; a withdrawal meanwhile wins."""
    from workflow.reporting.models import ProgressReport
    from workflow.reporting.operations import create_report, fire_report_event
    from workflow.reporting.schemas import parse_report

    world = build_world(fresh_app)
    with fresh_app.app_context():
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))
        fire(c, "endorse", world.user("cso1"))
        for role in ("msf_gov1", "msf_gov2", "msf_cso1"):
            cast_vote(c, world.user(role), "approve", "Yes.")
        fire(c, "sign_off", world.user("signatory"))
        values = {
            "period_label": "Q1",
            "period_start": "2024-01-01",
            "period_end": "2024-03-31",
            "completion": "limited",
            "narrative": "Begun.",
        }
        report = create_report(c, world.user("implementer"), parse_report(values, creating=True))
        fire_report_event(report, world.user("implementer"), "submit", version=None, comment=None)
        db.session.commit()
        rid = report.id

    def withdraw():
        commitment = world.commitment()
        fire(commitment, "withdraw", world.user("poc"), comment="Merged.")
        return commitment.state

    def accept():
        report = db.session.get(ProgressReport, rid)
        fire_report_event(report, world.user("poc"), "accept", version=None, comment=None)
        return report.state

    (withdrawn, _), (accepted, _) = overlap(fresh_app, withdraw, accept)
    assert (withdrawn, accepted) == ("ok", "guard_failed")
    with fresh_app.app_context():
        assert db.session.get(ProgressReport, rid).state == "submitted"
