"""Concurrent requests over HTTP, committing for real: votes are counted one at a time, and of
two firings on one version exactly one wins."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.conftest import build_world
from workflow.accounts.models import ApiToken
from workflow.engine.audit import LogEntry, verify_chains
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.plans.models import Commitment
from workflow.review.models import Vote

from .conftest import PREFIX

pytestmark = pytest.mark.committing


def setup(app, state: str) -> tuple[int, dict[str, str]]:
    """Commit a plan, its cast, a commitment in `state`, and a token for each person."""
    world = build_world(app)
    with app.app_context():
        c = world.commitment()
        if state == "msf_approval":
            fire(c, "submit", world.user("drafter"))
            fire(c, "endorse", world.user("cso1"))
        tokens = {
            name: ApiToken.issue(world.user(name))[1]
            for name in ("poc", "drafter", "msf_gov1", "msf_gov2", "msf_cso1", "msf_cso2")
        }
        db.session.commit()
        return c.id, tokens


def all_at_once(app, requests: dict[str, tuple[str, str, dict]]) -> dict[str, tuple[int, dict]]:
    """Send the requests from one thread each, released together; return status and body."""
    barrier = threading.Barrier(len(requests))
    replies: dict[str, tuple[int, dict]] = {}

    def send(name: str, token: str, path: str, body: dict) -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        r = client.post(PREFIX + path, json=body, headers={"Authorization": f"Bearer {token}"})
        replies[name] = (r.status_code, r.get_json())

    threads = [
        threading.Thread(target=send, args=(name, *request)) for name, request in requests.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return replies


def stored(app, cid: int) -> tuple[str, int, list[str]]:
    with app.app_context():
        c = db.session.get(Commitment, cid)
        events = db.session.scalars(
            select(LogEntry.event)
            .where(LogEntry.record_type == "commitment", LogEntry.record_id == cid)
            .order_by(LogEntry.seq)
        ).all()
        votes = db.session.scalar(select(func.count()).select_from(Vote))
        assert verify_chains()[1] == []
        return c.state, votes, list(events)


def test_four_votes_at_once_decide_once(fresh_app):
    cid, tokens = setup(fresh_app, "msf_approval")
    members = ("msf_gov1", "msf_gov2", "msf_cso1", "msf_cso2")
    replies = all_at_once(
        fresh_app,
        {
            name: (
                tokens[name],
                f"/commitments/{cid}/votes",
                {"decision": "approve", "comment": "Agreed."},
            )
            for name in members
        },
    )
    statuses = Counter(status for status, _ in replies.values())
    # Any three of the four include both sides, so the third vote counted decides; the last
    # finds the vote closed. Unlocked, two could count the same two earlier votes and both fire.
    assert statuses == Counter({201: 3, 409: 1}), replies
    deciding = [body for status, body in replies.values() if status == 201]
    assert sorted(b["tally"]["counts"]["approve"] for b in deciding) == [1, 2, 3]
    late = next(body for status, body in replies.values() if status == 409)
    assert late["error"]["code"] == "conflict"
    state, votes, events = stored(fresh_app, cid)
    assert (state, votes) == ("government_signoff", 3)
    assert events == ["create", "submit", "endorse", "approve"]


def test_two_firings_on_one_version_one_wins(fresh_app):
    cid, tokens = setup(fresh_app, "draft")
    replies = all_at_once(
        fresh_app,
        {
            "submit": (
                tokens["drafter"],
                f"/commitments/{cid}/events",
                {"event": "submit", "version": 1},
            ),
            "withdraw": (
                tokens["poc"],
                f"/commitments/{cid}/events",
                {"event": "withdraw", "version": 1, "comment": "Merged into another."},
            ),
        },
    )
    statuses = sorted(status for status, _ in replies.values())
    assert statuses == [200, 409], replies
    winner = next(name for name, (status, _) in replies.items() if status == 200)
    loser = next(body for status, body in replies.values() if status == 409)
    assert loser["error"]["code"] == "stale_version"
    state, _, events = stored(fresh_app, cid)
    assert state == {"submit": "cso_review", "withdraw": "withdrawn"}[winner]
    assert events == ["create", winner]
