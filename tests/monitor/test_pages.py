"""The board, figures, comparison, printed plan and exports: who sees them and what they say."""

from __future__ import annotations

import csv
import io
import re
import zlib

import pytest

NAP5 = "/plans/mongolia-nap5"


def text(response) -> str:
    """Return the page's text without tags, spaces collapsed."""
    body = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.mark.parametrize("email", ["poc@example.org", "msf-cso1@example.org", "admin@example.org"])
def test_the_poc_forum_members_and_admins_see_board_and_figures(demo, sign_in, email):
    browser = sign_in(email)
    for page in ("board", "figures"):
        assert browser.get(f"{NAP5}/{page}").status_code == 200


@pytest.mark.parametrize("email", ["drafter@example.org", "implementer@example.org", None])
def test_others_may_not_see_the_board(demo, sign_in, browser, email):
    if email:
        sign_in(email)
    refused = 403 if email else 302  # to the sign-in page
    for page in ("board", "figures"):
        assert browser.get(f"{NAP5}/{page}").status_code == refused
    assert browser.get("/figures?plan=mongolia-nap5").status_code == refused


def test_board_says_whom_each_card_waits_on(demo, sign_in):
    page = text(sign_in("poc@example.org").get(f"{NAP5}/board"))
    assert "1 of 4 MSF votes" in page
    assert "the government side has not voted" in page
    assert "1 comment without a response" in page
    assert re.search(r"report for \d{4} Q\d is \d+ days late", page)
    assert re.search(r"the point of contact: accept the report for \d{4} Q\d", page)
    # Overdue cards say so in words, not by colour alone.
    assert page.count("Overdue") >= 3


def test_board_filters_are_in_the_address(demo, sign_in):
    browser = sign_in("poc@example.org")
    page = text(browser.get(f"{NAP5}/board?state=cso_review"))
    assert "2 commitments shown" in page
    assert "Optimizing Government Services" in page and "Advancing Extractive" not in page
    page = text(browser.get(f"{NAP5}/board?overdue=1"))
    # A late report, a review and a sign-off past their stage's end (the demo's history).
    assert "3 commitments shown" in page
    for title in ("Drug Safety", "Optimizing Government Services", "Media Freedom"):
        assert title in page
    page = text(browser.get(f"{NAP5}/board?agency=Ministry+of+Finance"))
    assert "1 commitment shown" in page and "State Budgeting" in page


def test_figures_show_tables_beside_their_charts(demo, sign_in):
    response = sign_in("poc@example.org").get(f"{NAP5}/figures")
    body = response.get_data(as_text=True)
    assert body.count("<svg") >= 3
    assert body.count('role="img"') == body.count("<svg")
    page = text(response)
    assert "Outstanding votes by member" in page
    assert "Demo MSF Member (government) 1" in page
    assert "2 / 2 (100%)" in page  # commitment 1: both milestones reported complete
    assert "<script" not in body


def test_plans_side_by_side(demo, sign_in):
    browser = sign_in("poc@example.org")
    page = text(browser.get("/figures?plan=mongolia-nap5&plan=mongolia-action-plan-2021-2023"))
    assert "Mongolia Action Plan 2021-2023" in page and "Mongolia Fifth National" in page
    assert "Pipeline" in text(browser.get("/pipeline"))


def test_printed_plan_in_english(demo, client):
    page = text(client.get(f"{NAP5}/print"))
    assert "Commitment 1: Advancing Extractive Industry Transparency" in page
    assert "Lead implementing agency" in page


def test_printed_plan_in_mongolian(demo, client):
    # A test's requests share its app context, where the locale is cached: one language a test.
    page = text(client.get(f"{NAP5}/print", headers={"Accept-Language": "mn"}))
    assert "1-\u0440 амлалт: Advancing Extractive Industry Transparency" in page
    assert "Хэрэгжүүлэх тэргүүлэх байгууллага" in page


def test_printed_plan_as_pdf(demo, client):
    response = client.get(f"{NAP5}/plan.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    # The print stylesheet was applied: each of the nine commitments starts a page.
    assert pdf_page_count(response.data) >= 10


def pdf_page_count(pdf: bytes) -> int:
    """Read the page count from the PDF's page tree (WeasyPrint compresses its objects)."""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found = re.search(rb"/Type\s*/Pages\b.*?/Count\s+(\d+)", zlib.decompress(stream), re.S)
        except zlib.error:
            continue
        if found:
            return int(found.group(1))
    found = re.search(rb"/Type\s*/Pages\b.*?/Count\s+(\d+)", pdf, re.S)
    return int(found.group(1)) if found else 0


def test_exports_are_open_to_anyone_who_may_read_the_plan(demo, client):
    response = client.get(f"{NAP5}/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["ogp_id"] for r in rows][:2] == ["MN0057", "MN0058"]
    assert client.get(f"{NAP5}/export.json").json["plan"]["slug"] == "mongolia-nap5"
    assert client.get(f"{NAP5}/export.xml").status_code == 404


def test_a_private_plan_is_not_admitted_to_exist(client, create_plan):
    plan = create_plan(is_public=False)
    for page in ("print", "plan.pdf", "export.csv"):
        assert client.get(f"/plans/{plan.slug}/{page}").status_code == 404
    assert client.get(f"/plans/{plan.slug}/board").status_code == 302  # to the sign-in page
