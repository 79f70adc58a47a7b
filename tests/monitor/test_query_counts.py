"""The board, figures, a commitment page and the API's commitment read cost the same number of
queries on a small plan and on one with more commitments, votes, comments and reports."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from workflow.extensions import db as _db
from workflow.lifecycle import fire
from workflow.reporting.operations import create_report, fire_report_event
from workflow.reporting.schemas import ReportInput
from workflow.review.operations import add_comment, cast_vote
from workflow.schema import validate

from .conftest import csrf_token

PASSWORD = "a long enough password"


@contextmanager
def counting():
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


def to_vote(c, cast) -> None:
    fire(c, "submit", cast.drafter, comment="Ready.")
    fire(c, "endorse", cast.cso1, comment="Fine.")


def in_implementation(c, cast, reports: int) -> None:
    to_vote(c, cast)
    for member in cast.msf[:3]:
        cast_vote(c, member, "approve", "Agreed.")
    fire(c, "sign_off", cast.signatory, comment="Signed.")
    for quarter in range(reports):
        start, end = f"2024-{3 * quarter + 1:02d}-01", f"2024-{3 * quarter + 3:02d}-28"
        body = {
            "period_label": f"2024 Q{quarter + 1}",
            "period_start": start,
            "period_end": end,
            "completion": "limited",
            "narrative": "Work goes on.",
            "milestones": [{"milestone_id": m.id, "status": "in_progress"} for m in c.milestones],
        }
        report = create_report(c, cast.implementer, validate(ReportInput, body).model_dump())
        fire_report_event(report, cast.implementer, "submit", version=None, comment=None)
        fire_report_event(report, cast.poc, "accept", version=None, comment="Accepted.")


def add_work(cast, create_commitment_, size: int) -> Any:
    """Add `size` commitments in each stage, with comments, votes and reports."""
    for _ in range(size):
        reviewed = create_commitment_(cast.plan, cast.drafter)
        fire(reviewed, "submit", cast.drafter, comment="Ready.")
        for _ in range(size):
            add_comment(reviewed, cast.cso1, "Please say more.", "description")
        voting = create_commitment_(cast.plan, cast.drafter)
        to_vote(voting, cast)
        cast_vote(voting, cast.msf_gov1, "approve", "Agreed.")
        in_implementation(create_commitment_(cast.plan, cast.drafter), cast, reports=size)


@pytest.fixture
def poc_browser(cast, browser, db) -> Callable[[], Any]:
    cast.poc.set_password(PASSWORD)
    data = {
        "csrf_token": csrf_token(browser, "/login"),
        "email": cast.poc.email,
        "password": PASSWORD,
    }
    assert browser.post("/login", data=data).status_code == 302
    return browser


def measure(browser, api, token: str, plan, voting, reported) -> dict[str, int]:
    urls = {
        "board": f"/plans/{plan.slug}/board",
        "figures": f"/plans/{plan.slug}/figures",
        "commitment page": f"/commitments/{reported.id}",
        "index": "/",
        "my work": "/my-work",
    }
    counts = {}
    # Each request starts from an empty session, as a real one does: nothing the test holds
    # (its users, its plan) can stand in for a row the page forgot to load.
    held = list(_db.session.identity_map.values())
    _db.session.flush()
    for name, url in urls.items():
        _db.session.expunge_all()
        with counting() as statements:
            assert browser.get(url).status_code == 200, url
        counts[name] = len(statements)
    _db.session.expunge_all()
    with counting() as statements:
        response = api.get(
            f"/api/v1/commitments/{voting.id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
    counts["api commitment (vote stage)"] = len(statements)
    _db.session.expunge_all()
    for instance in held:
        _db.session.add(instance)
    return counts


def test_page_queries_do_not_grow_with_the_plan(
    app, cast, create_commitment_, poc_browser, token_for
):
    voting = create_commitment_(cast.plan, cast.drafter)
    to_vote(voting, cast)
    cast_vote(voting, cast.msf_gov1, "approve", "Agreed.")
    reported = create_commitment_(cast.plan, cast.drafter)
    in_implementation(reported, cast, reports=1)
    add_work(cast, create_commitment_, 1)
    token = token_for(cast.poc)
    api = app.test_client()
    small = measure(poc_browser, api, token, cast.plan, voting, reported)

    cast_vote(voting, cast.msf_cso1, "reject", "Not yet.")  # a second vote in the same round
    add_work(cast, create_commitment_, 3)
    large = measure(poc_browser, api, token, cast.plan, voting, reported)
    assert large == small
    assert max(small.values()) <= 25, small
