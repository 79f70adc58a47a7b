"""Reads: what each caller sees, and that a reply costs the same few queries at any size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.conftest import COMPLETE_COMMITMENT
from workflow.extensions import db
from workflow.reporting.operations import create_report
from workflow.reporting.schemas import parse_report
from workflow.review.operations import add_comment, cast_vote, respond_to_comment

from .conftest import PREFIX


@contextmanager
def counted() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (savepoint bookkeeping left out)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def queries_for(api, path: str, user) -> int:
    """Count the queries one GET costs; the commit expires every loaded row, as a new request
    would start without them."""
    headers = {"Authorization": f"Bearer {api.token(user)}"}
    db.session.commit()
    with counted() as statements:
        response = api.client.get(PREFIX + path, headers=headers)
    assert response.status_code == 200, response.json
    return len(statements)


def milestones(n: int) -> list[dict]:
    return [
        {"description": f"Step {i}", "start_date": f"202{i}-01-01", "end_date": f"202{i}-06-30"}
        for i in range(1, n + 1)
    ]


def test_a_commitment_costs_the_same_with_more_milestones(api, cast, create_commitment_):
    small = create_commitment_(cast.plan, cast.drafter, milestones=milestones(1)).id
    large = create_commitment_(cast.plan, cast.drafter, milestones=milestones(6)).id
    user = cast.poc
    cost = queries_for(api, f"/commitments/{small}", user)
    assert cost == queries_for(api, f"/commitments/{large}", user)
    assert cost <= 6


def test_a_plans_lists_cost_the_same_with_more_rows(api, cast, create_plan, create_commitment_):
    create_commitment_(cast.plan, cast.drafter)
    one_plan_cost = queries_for(api, "/plans", cast.poc)
    one_commitment_cost = queries_for(api, f"/plans/{cast.plan.id}/commitments", cast.poc)
    for _ in range(3):
        create_plan()
        create_commitment_(cast.plan, cast.drafter)
    assert queries_for(api, "/plans", cast.poc) == one_plan_cost
    assert queries_for(api, f"/plans/{cast.plan.id}/commitments", cast.poc) == one_commitment_cost


def test_comments_cost_the_same_however_many(api, cast, draft, advance):
    advance(draft, "cso_review")
    authors = [cast.cso1, cast.cso2, cast.msf_gov1, cast.msf_cso1]
    first = add_comment(draft, authors[0], "First.", None)
    respond_to_comment(first, draft, cast.drafter, "Noted.", "noted")
    cost = queries_for(api, f"/commitments/{draft.id}/comments", cast.poc)
    for i, author in enumerate(authors[1:]):
        c = add_comment(draft, author, f"More {i}.", "problem")
        respond_to_comment(c, draft, cast.poc if i % 2 else cast.drafter, "Done.", "adopted")
    assert queries_for(api, f"/commitments/{draft.id}/comments", cast.poc) == cost


def test_the_vote_costs_the_same_however_many_voted(api, cast, draft, advance):
    advance(draft, "msf_approval")
    cast_vote(draft, cast.msf_gov1, "approve", "Agreed.")
    cost = queries_for(api, f"/commitments/{draft.id}", cast.poc)
    cast_vote(draft, cast.msf_cso1, "reject", "Not yet.")
    shown = api.get(f"/commitments/{draft.id}", cast.poc).json["vote_round"]
    assert [v["voter"]["name"] for v in shown["votes"]] == ["MSF Gov 1", "MSF CSO 1"]
    assert queries_for(api, f"/commitments/{draft.id}", cast.poc) == cost


def test_reports_and_history_cost_the_same_however_many(api, cast, draft, advance):
    advance(draft, "implementation")
    ids = [m.id for m in draft.milestones]

    def report(n: int) -> None:
        values = parse_report(
            {
                "period_label": f"Q{n}",
                "period_start": f"2024-0{n}-01",
                "period_end": f"2024-0{n}-28",
                "milestones": [{"milestone_id": i, "status": "in_progress"} for i in ids],
            },
            creating=True,
        )
        create_report(draft, cast.implementer, values)

    report(1)
    cost = queries_for(api, f"/commitments/{draft.id}/reports", cast.poc)
    history_cost = queries_for(api, f"/commitments/{draft.id}/history", cast.poc)
    report(2)
    report(3)
    assert queries_for(api, f"/commitments/{draft.id}/reports", cast.poc) == cost
    assert queries_for(api, f"/commitments/{draft.id}/history", cast.poc) == history_cost


@pytest.mark.parametrize(
    ("who", "events"),
    [
        ("cso1", ["request_changes", "endorse"]),
        ("poc", ["withdraw"]),
        ("drafter", []),
        ("msf_gov1", []),
        ("outsider", []),
    ],
)
def test_allowed_events_depend_on_the_callers_roles(api, cast, draft, advance, who, events):
    advance(draft, "cso_review")
    assert api.get(f"/commitments/{draft.id}", getattr(cast, who)).json["allowed_events"] == events


def test_plans_show_the_callers_roles_and_the_pipeline(api, cast, create_commitment_):
    create_commitment_(cast.plan, cast.drafter)
    create_commitment_(cast.plan, cast.drafter)
    shown = api.get(f"/plans/{cast.plan.id}", cast.msf_gov1).json
    assert shown["my_roles"] == ["msf_member"]
    assert shown["commitments_by_state"] == {"draft": 2}
    assert shown["approval_rule"] == "majority_with_parity"
    listed = api.get(f"/plans/{cast.plan.id}/commitments", cast.outsider).json["commitments"]
    assert [(c["number"], c["title"]) for c in listed] == [
        (1, COMPLETE_COMMITMENT["title"]),
        (2, COMPLETE_COMMITMENT["title"]),
    ]


def test_an_admin_sees_every_plan_and_a_member_their_private_one(
    api, cast, create_plan, create_user_
):
    hidden = create_plan(is_public=False)
    admin = create_user_(is_admin=True)
    assert hidden.id in {p["id"] for p in api.get("/plans", admin).json["plans"]}
    assert hidden.id not in {p["id"] for p in api.get("/plans", cast.poc).json["plans"]}
    assert cast.plan.id in {p["id"] for p in api.get("/plans", cast.outsider).json["plans"]}
