"""The read-only pages: the plans with their commitments, and one commitment with its history."""

from __future__ import annotations

import html

from sqlalchemy import select

from workflow.accounts.operations import grant_role
from workflow.accounts.roles import DRAFTER
from workflow.engine.audit import LogEntry
from workflow.extensions import db
from workflow.plans.models import Commitment
from workflow.reporting.models import ProgressReport


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/html"
    return html.unescape(response.get_data(as_text=True))


def by_number(plan) -> dict[int, Commitment]:
    return {c.number: c for c in plan.commitments}


def test_index_lists_the_demo_plan_and_its_commitments(client, demo):
    body = page(client, "/")
    assert '<html lang="en">' in body
    assert "Mongolia Fifth National Action Plan (NAP V) 2024-2027" in body
    assert "2023-12-27 to 2027-12-31" in body
    for c in demo.commitments:
        assert c.title in body
        assert f'href="/commitments/{c.id}"' in body
    assert "Ministry of Mining and Heavy Industry" in body
    # States as readable text, not codes.
    for text in (
        "Completed",
        "Implementation",
        "Government sign-off",
        "Forum vote (MSF approval)",
        "Civil-society review",
        "Draft",
    ):
        assert f'<td class="state" data-label="State">{text}</td>' in body
    assert "government_signoff" not in body
    # Commitment 7's lead institution is unknown in the source, and the page says so.
    assert "not yet known" in body


def test_index_leaves_out_plans_that_are_not_public(client, cast, create_plan, create_commitment_):
    hidden = create_plan(title="An unpublished plan", is_public=False)
    grant_role(hidden, cast.drafter, DRAFTER)
    create_commitment_(hidden, cast.drafter, title="A hidden commitment")
    create_commitment_(cast.plan, cast.drafter, title="A visible commitment")
    body = page(client, "/")
    assert cast.plan.title in body and "A visible commitment" in body
    assert "An unpublished plan" not in body
    assert "A hidden commitment" not in body


def test_index_without_plans_says_so(client):
    body = page(client, "/")
    assert "No action plan has been published yet." in body


def test_commitment_page_shows_text_milestones_history_and_reports(client, demo):
    completed = by_number(demo)[1]
    body = page(client, f"/commitments/{completed.id}")
    assert f"1. {completed.title}" in body
    assert "MN0057" in body
    assert completed.problem in body
    assert completed.expected_results in body
    assert "Public accountability" in body  # an OGP value, readable
    for m in completed.milestones:
        assert m.description in body
        assert m.start_date.isoformat() in body and m.end_date.isoformat() in body

    entries = db.session.scalars(
        select(LogEntry)
        .where(LogEntry.record_type == "commitment", LogEntry.record_id == completed.id)
        .order_by(LogEntry.seq)
    ).all()
    assert [e.event for e in entries][-2:] == ["sign_off", "complete"]
    for e in entries:
        assert f'<code title="{e.hash}">{e.hash[:12]}</code>' in body
        assert e.actor_label in body
    assert "Forum vote (MSF approval) → Government sign-off" in body
    assert "signed off" in body and "Signed off for implementation." in body
    assert "MSF vote (deciding vote: Demo MSF Member (government) 2)" in body

    report = db.session.scalar(
        select(ProgressReport).where(ProgressReport.commitment_id == completed.id)
    )
    assert f'id="report-{report.id}"' in body
    assert "2024 Q4" in body and report.narrative in body
    assert "<dd>Complete</dd>" in body and "<dd>Accepted</dd>" in body
    assert "Submitted → Accepted" in body


def test_commitment_page_of_a_draft_says_what_is_missing(client, demo):
    draft = by_number(demo)[7]
    body = page(client, f"/commitments/{draft.id}")
    assert "Not filled in yet." in body
    assert "No milestones yet." in body
    assert "No progress reports yet." in body
    assert "created" in body


def test_missing_commitment_is_404(client, cast, create_commitment_):
    create_commitment_(cast.plan, cast.drafter)
    missing = (db.session.scalar(select(Commitment.id).order_by(Commitment.id.desc())) or 0) + 1
    response = client.get(f"/commitments/{missing}")
    assert response.status_code == 404
    assert "There is no public commitment with this number." in response.get_data(as_text=True)
    assert client.get("/commitments/not-a-number").status_code == 404


def test_commitment_of_a_plan_that_is_not_public_is_404(client, cast, create_commitment_):
    cast.plan.is_public = False
    c = create_commitment_(cast.plan, cast.drafter, title="A hidden commitment")
    response = client.get(f"/commitments/{c.id}")
    assert response.status_code == 404
    assert "A hidden commitment" not in response.get_data(as_text=True)


def test_the_page_language_follows_the_browser(client):
    body = page(client, "/", headers={"Accept-Language": "mn"})
    assert '<html lang="mn">' in body


def test_index_queries_do_not_grow_with_the_commitments(
    client, cast, create_plan, create_commitment_, count_statements
):
    create_commitment_(cast.plan, cast.drafter)
    with count_statements() as one:
        page(client, "/")
    for _ in range(8):
        create_commitment_(cast.plan, cast.drafter)
    other = create_plan(title="A second public plan")
    with count_statements() as nine:
        body = page(client, "/")
    assert body.count('href="/commitments/') == 9
    assert other.title in body
    assert len(nine) == len(one)
    assert len(nine) <= 4, nine


def test_commitment_page_queries_are_bounded(client, demo, count_statements):
    reported = by_number(demo)[2]  # a commitment with an accepted report and its own log
    with count_statements() as statements:
        page(client, f"/commitments/{reported.id}")
    # Text, milestones, log, reports and theirs, comments, the vote, revisions, files, access:
    # each once, however many there are.
    assert len(statements) <= 14, statements
