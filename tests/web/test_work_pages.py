"""The pages that act: forms checked by the API's shapes, stale pages, double submits, files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.reporting.models import Attachment
from workflow.review.models import Comment
from workflow.review.operations import cast_vote
from workflow.web import mywork

from .helpers import PASSWORD, TOKEN, csrf_token, sign_in, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(cast):
    for user in (cast.poc, cast.drafter, cast.cso1, cast.signatory, cast.implementer, *cast.msf):
        user.set_password(PASSWORD)
    return cast


def as_(browser, user):
    """Sign whoever is signed in out, and `user` in."""
    signed_in = TOKEN.search(browser.get("/").get_data(as_text=True))
    if signed_in:  # an anonymous page has no form to sign out with
        browser.post("/logout", data={"csrf_token": signed_in.group(1)})
    assert sign_in(browser, user.email).status_code == 302


def post(browser, url: str, page: str, **data):
    return browser.post(url, data={"csrf_token": csrf_token(browser, page), **data})


def buttons(body: str) -> list[str]:
    return re.findall(r'name="event" value="([a-z_]+)"', body)


def test_each_role_sees_only_the_actions_it_may_take(browser, people, create_commitment_):
    c = create_commitment_(people.plan, people.drafter)
    page = f"/commitments/{c.id}"
    assert buttons(text(browser.get(page))) == []  # anonymous: nothing to press
    as_(browser, people.drafter)
    assert buttons(text(browser.get(page))) == ["submit"]
    fire(c, "submit", people.drafter)
    db.session.commit()
    as_(browser, people.cso1)
    body = text(browser.get(page))
    assert buttons(body) == ["request_changes", "endorse"]
    assert "Waiting on" in body and "a CSO reviewer" in body and "Due by" in body
    as_(browser, people.poc)
    assert buttons(text(browser.get(page))) == ["withdraw"]


def test_a_refused_comment_keeps_what_was_typed_with_the_message_next_to_it(
    browser, people, create_commitment_
):
    c = create_commitment_(people.plan, people.drafter)
    as_(browser, people.cso1)
    page = f"/commitments/{c.id}"
    response = post(browser, f"{page}/comments", page, body="   ", field="problem")
    assert response.status_code == 400
    body = text(response)
    assert re.search(r'id="comment-body-error">[^<]*empty', body), body
    assert '<option value="problem" selected>' in body
    assert db.session.query(Comment).count() == 0


def test_a_double_submitted_comment_is_saved_once(browser, people, create_commitment_):
    c = create_commitment_(people.plan, people.drafter)
    as_(browser, people.cso1)
    page = f"/commitments/{c.id}"
    data = {"body": "Who keeps the register?", "form_id": "same-form"}
    assert post(browser, f"{page}/comments", page, **data).status_code == 302
    assert post(browser, f"{page}/comments", page, **data).status_code == 302
    assert db.session.query(Comment).filter_by(commitment_id=c.id).count() == 1


def test_a_stale_page_gets_the_fresh_state_and_a_clear_message(browser, people, create_commitment_):
    c = create_commitment_(people.plan, people.drafter)
    db.session.commit()
    as_(browser, people.drafter)
    page = f"/commitments/{c.id}"
    version = str(c.version)
    first = post(browser, f"{page}/events", page, event="submit", version=version)
    assert first.status_code == 302
    again = post(browser, f"{page}/events", page, event="submit", version=version, comment="x")
    assert again.status_code == 409
    body = text(again)
    assert "Someone acted on this before you" in body
    assert "Civil-society review" in body  # the fresh state
    assert '<p class="text typed">x</p>' in body  # the comment typed is kept


def test_the_vote_shows_the_tally_by_side_and_what_the_rule_still_needs(
    browser, people, create_commitment_
):
    c = create_commitment_(people.plan, people.drafter)
    fire(c, "submit", people.drafter)
    fire(c, "endorse", people.cso1)
    cast_vote(c, people.msf_gov1, "approve", "Yes.")
    cast_vote(c, people.msf_gov2, "approve", "Yes.")
    db.session.commit()
    as_(browser, people.msf_cso1)
    body = text(browser.get(f"/commitments/{c.id}"))
    assert "One more approval from the civil society side." in body
    assert f'action="/commitments/{c.id}/votes"' in body
    page = f"/commitments/{c.id}"
    assert (
        post(browser, f"{page}/votes", page, decision="approve", comment="Yes.").status_code == 302
    )
    body = text(browser.get(page))
    assert "The forum decided:" in body and "approved by the forum" in body
    assert 'class="vote"' not in body  # no second vote offered


def test_the_workflow_diagram_marks_the_state_and_has_a_text_equivalent(
    client, people, create_commitment_
):
    people.plan.is_public = True
    c = create_commitment_(people.plan, people.drafter)
    db.session.commit()
    body = text(client.get(f"/commitments/{c.id}"))
    svg = re.search(r"<svg class=\"diagram\".*?</svg>", body, re.S).group()
    assert 'role="img"' in svg and "<title" in svg
    assert re.search(r'<g class="st now">.*?Draft', svg)
    assert "Draft: Submit for review → Civil-society review" in body


def test_a_commitment_page_weighs_less_than_150_kb(client, people, create_commitment_):
    people.plan.is_public = True
    c = create_commitment_(people.plan, people.drafter)
    db.session.commit()
    page = client.get(f"/commitments/{c.id}")
    css = re.search(r'href="(/static/[^"]+)"', page.get_data(as_text=True)).group(1)
    with client.get(css) as stylesheet:
        total = len(page.get_data()) + len(stylesheet.get_data())
    assert total < 150 * 1024, total


def test_compare_highlights_changed_words(browser, people, create_commitment_):
    from workflow.plans.operations import update_commitment

    c = create_commitment_(people.plan, people.drafter)
    update_commitment(c, people.drafter, {"problem": "Licence data is lost."}, version=c.version)
    db.session.commit()
    as_(browser, people.cso1)
    body = browser.get(f"/commitments/{c.id}/compare?a=1&b=2").get_data(as_text=True)
    assert (
        "<del>scattered</del>"
        in body.replace("<del>scattered and hard to find.</del>", "<del>scattered</del>")
        or "<del>" in body
    )
    assert "<ins>lost.</ins>" in body


def test_my_work_lists_what_waits_oldest_first(browser, people, create_commitment_):
    older = create_commitment_(people.plan, people.drafter, title="Older")
    newer = create_commitment_(people.plan, people.drafter, title="Newer")
    for c in (older, newer):
        fire(c, "submit", people.drafter)
        fire(c, "endorse", people.cso1)
    db.session.commit()
    as_(browser, people.msf_gov1)
    body = text(browser.get("/my-work"))
    assert body.index("Older") < body.index("Newer")
    assert body.count("Cast your vote") == 2


def test_my_work_drops_a_vote_once_cast(browser, people, create_commitment_):
    voted, waiting = (create_commitment_(people.plan, people.drafter) for _ in range(2))
    for c in (voted, waiting):
        fire(c, "submit", people.drafter)
        fire(c, "endorse", people.cso1)
    cast_vote(voted, people.msf_gov1, "approve", "Yes.")
    db.session.commit()
    as_(browser, people.msf_gov1)
    body = text(browser.get("/my-work"))
    assert body.count("Cast your vote") == 1


def test_my_work_shows_the_oldest_of_each_kind_and_pages_the_rest(
    browser, people, create_commitment_, monkeypatch
):
    monkeypatch.setattr(mywork, "SHOWN", 2)
    monkeypatch.setattr(mywork, "PAGE", 2)
    for n in range(5):
        create_commitment_(people.plan, people.drafter, title=f"Draft number {n}")
    db.session.commit()
    as_(browser, people.drafter)
    body = text(browser.get("/my-work"))
    assert "Draft number 0" in body and "Draft number 1" in body
    assert "Draft number 2" not in body
    assert "3 more items, waiting for less time" in body
    assert "/my-work?kind=revise" in browser.get("/my-work").get_data(as_text=True)
    second = text(browser.get("/my-work?kind=revise&page=2"))
    assert "Draft number 2" in second and "Draft number 3" in second
    assert "Draft number 1" not in second and "Draft number 4" not in second
    assert "Previous page" in second and "Next page" in second
    last = text(browser.get("/my-work?kind=revise&page=3"))
    assert "Draft number 4" in last and "Next page" not in last
    assert browser.get("/my-work?kind=revise&page=4").status_code == 404
    assert browser.get("/my-work?kind=nonsense").status_code == 404


def _implementing(people, create_commitment_):
    c = create_commitment_(people.plan, people.drafter)
    fire(c, "submit", people.drafter)
    fire(c, "endorse", people.cso1)
    for member in people.msf[:3]:
        cast_vote(c, member, "approve", "Yes.")
    fire(c, "sign_off", people.signatory)
    db.session.commit()
    return c


def _report_form(c, **extra):
    return {
        "period_label": "2025 Q1",
        "period_start": "2025-01-01",
        "period_end": "2025-03-31",
        "completion": "limited",
        "narrative": "Started.",
        **extra,
    }


def test_an_upload_is_checked_by_its_content_not_its_name(
    app: Flask, browser, people, create_commitment_
):
    import io

    c = _implementing(people, create_commitment_)
    as_(browser, people.implementer)
    url = f"/commitments/{c.id}/reports/new"
    data = _report_form(c, csrf_token=csrf_token(browser, url))
    data["files"] = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "report.pdf")
    refused = browser.post(url, data=data, content_type="multipart/form-data")
    assert refused.status_code == 400
    body = text(refused)
    assert "must be a PDF, an image or an office document" in body
    assert 'value="2025 Q1"' in body  # what was typed stays
    assert db.session.query(Attachment).count() == 0

    data = _report_form(c, csrf_token=csrf_token(browser, url))
    data["files"] = (io.BytesIO(PDF), "../../evidence.pdf")
    assert browser.post(url, data=data, content_type="multipart/form-data").status_code == 302
    kept = db.session.query(Attachment).one()
    assert kept.filename == "evidence.pdf" and kept.content_type == "application/pdf"
    stored = Path(app.instance_path) / "uploads" / kept.stored_name
    assert stored.read_bytes() == PDF
    assert re.fullmatch(r"[0-9a-f]{32}", kept.stored_name)
    with browser.get(f"/attachments/{kept.id}") as served:
        assert served.status_code == 200 and served.data == PDF
        assert served.headers["Content-Disposition"].startswith("attachment")
        assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_the_point_of_contact_sets_up_and_configures_a_plan(browser, people):
    from workflow.plans.models import ActionPlan

    as_(browser, people.poc)
    form = {
        "slug": "nap-6",
        "country": "Mongolia",
        "title": "Sixth plan",
        "period_start": "2027-01-01",
        "period_end": "2026-12-31",  # before the start: refused next to the field
        "reporting_cycle": "annual",
        "approval_rule": "simple_majority",
    }
    refused = post(browser, "/plans/new", "/plans/new", **form)
    assert refused.status_code in (400, 422)
    assert 'id="p-period_end-error"' in text(refused)
    assert 'value="Sixth plan"' in text(refused)
    form["period_end"] = "2028-12-31"
    created = post(browser, "/plans/new", "/plans/new", **form, is_public="yes")
    assert created.status_code == 302
    plan = db.session.query(ActionPlan).filter_by(slug="nap-6").one()
    assert plan.approval_rule == "simple_majority" and plan.is_public
    settings = f"/plans/{plan.id}/settings"
    taken = post(browser, settings, settings, **{**form, "slug": people.plan.slug})
    assert 'id="p-slug-error"' in text(taken)
    assert post(browser, settings, settings, **form).status_code == 302  # not public now
    db.session.refresh(plan)
    assert plan.is_public is False


def test_a_plan_sets_its_own_stage_durations_and_the_due_date_follows(
    browser, people, create_commitment_
):
    from datetime import timedelta

    from workflow.definitions.registry import engine

    c = create_commitment_(people.plan, people.drafter)
    fire(c, "submit", people.drafter)
    db.session.commit()
    assert engine.due_at(c) == c.state_changed_at + timedelta(days=21)
    as_(browser, people.poc)
    settings = f"/plans/{people.plan.id}/settings"
    form = {
        "slug": people.plan.slug,
        "country": people.plan.country,
        "title": people.plan.title,
        "period_start": people.plan.period_start.isoformat(),
        "period_end": people.plan.period_end.isoformat(),
        "reporting_cycle": "quarterly",
        "approval_rule": "majority_with_parity",
        "is_public": "yes",
    }
    refused = post(browser, settings, settings, **form, **{"days-cso_review": "0"})
    assert 'id="days-cso_review-error"' in text(refused)
    assert post(browser, settings, settings, **form, **{"days-cso_review": "30"}).status_code == 302
    db.session.refresh(people.plan)
    assert people.plan.stage_days == {"cso_review": 30}
    assert engine.due_at(c) == c.state_changed_at + timedelta(days=30)


def test_a_stale_draft_keeps_what_was_typed_and_takes_the_fresh_version(
    browser, people, create_commitment_
):
    from workflow.plans.operations import update_commitment

    c = create_commitment_(people.plan, people.drafter)
    db.session.commit()
    as_(browser, people.drafter)
    edit = f"/commitments/{c.id}/edit"
    opened = text(browser.get(edit))
    version = re.search(r'name="version" value="(\d+)"', opened).group(1)
    update_commitment(c, people.poc, {"problem": "Changed meanwhile."}, version=c.version)
    db.session.commit()
    form = {
        "version": version,
        "title": c.title,
        "problem": "My own wording.",
        "milestone_count": "1",
        "milestones-0-description": "Design the register",
        "milestones-0-start_date": "2024-01-01",
        "milestones-0-end_date": "2024-06-30",
        "do": "save",
    }
    refused = post(browser, edit, edit, **form)
    assert refused.status_code == 409
    body = text(refused)
    assert "Someone acted on this before you" in body
    assert "My own wording." in body
    assert f'name="version" value="{c.version}"' in body  # saving again is a choice made knowingly
    form["version"] = str(c.version)
    form["milestones-0-end_date"] = "2023-01-01"
    wrong_dates = post(browser, edit, edit, **form)
    assert wrong_dates.status_code in (400, 422)
    assert 'id="milestones-0-end_date-error"' in text(wrong_dates)


def test_milestone_buttons_rearrange_the_form_without_saving(browser, people, create_commitment_):
    c = create_commitment_(people.plan, people.drafter)
    db.session.commit()
    as_(browser, people.drafter)
    edit = f"/commitments/{c.id}/edit"
    rows = {
        "version": str(c.version),
        "title": c.title,
        "milestone_count": "2",
        "milestones-0-description": "First",
        "milestones-1-description": "Second",
    }
    moved = text(post(browser, edit, edit, **rows, do="up-1"))
    assert moved.index(">Second</textarea>") < moved.index(">First</textarea>")
    removed = text(post(browser, edit, edit, **rows, do="remove-0"))
    assert ">First</textarea>" not in removed and ">Second</textarea>" in removed
    added = text(post(browser, edit, edit, **rows, do="add"))
    assert 'name="milestone_count" value="3"' in added
    db.session.refresh(c)
    assert [m.description for m in c.milestones] == ["Design the register", "Publish the data"]


def test_a_button_pressed_twice_acts_once_and_says_nothing_odd(browser, people, create_commitment_):
    c = create_commitment_(people.plan, people.drafter)
    db.session.commit()
    as_(browser, people.drafter)
    page = f"/commitments/{c.id}"
    body = text(browser.get(page))
    form_id = re.search(r'name="form_id" value="([^"]+-submit)"', body).group(1)
    data = {"event": "submit", "version": str(c.version), "form_id": form_id}
    assert post(browser, f"{page}/events", page, **data).status_code == 302
    assert post(browser, f"{page}/events", page, **data).status_code == 302  # not a 409
    db.session.refresh(c)
    assert c.state == "cso_review"
