"""`flask plans import` and the upload page: reports, refusals, all or nothing."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from workflow.extensions import db
from workflow.plans.models import ActionPlan, Commitment

from .conftest import MONGOLIA_CSV, csrf_token
from .test_opendata import HEADER, row


def commitments() -> int:
    return db.session.scalar(select(func.count()).select_from(Commitment))


def test_cli_imports_and_reports(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + row("TL0001") + row("TL0002", verifiable="Maybe"))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["plans", "import", str(bad)])
    assert refused.exit_code != 0
    assert "REJECTED line 3 (TL0002): 'Maybe' is not a level of verifiability" in refused.output
    assert "nothing was imported" in refused.output
    assert commitments() == 0
    partly = runner.invoke(args=["plans", "import", str(bad), "--skip-invalid"])
    assert partly.exit_code == 0, partly.output
    assert "imported 1 commitments" in partly.output
    assert commitments() == 1


def test_cli_imports_the_mongolia_file(app):
    result = app.test_cli_runner().invoke(args=["plans", "import", str(MONGOLIA_CSV)])
    assert result.exit_code == 0, result.output
    assert "imported 44 commitments; 0 were already there; 0 rejected" in result.output
    assert "created plan 'mongolia-action-plan-2019-2021'" in result.output


def upload(browser, text: str, skip: bool = False):
    data = {
        "csrf_token": csrf_token(browser, "/import"),
        "file": (io.BytesIO(text.encode()), "plans.csv"),
    }
    if skip:
        data["skip_invalid"] = "y"
    return browser.post("/import", data=data, content_type="multipart/form-data")


def test_the_poc_uploads_and_sees_each_rejected_line(demo, sign_in):
    browser = sign_in("poc@example.org")
    before = commitments()
    response = upload(browser, HEADER + "\n" + row("TL0001") + row("", title="No id"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was imported: 1 row is invalid." in body
    assert "Line 3 (-): ogp_id is empty" in body
    assert commitments() == before
    response = upload(browser, HEADER + "\n" + row("TL0001") + row("", title="No id"), skip=True)
    assert "Imported 1 commitments" in response.get_data(as_text=True)
    assert commitments() == before + 1
    assert db.session.scalar(select(ActionPlan).where(ActionPlan.title.like("Testland%")))


def test_only_a_poc_or_admin_may_import(demo, sign_in, browser):
    assert browser.get("/import").status_code == 302  # to the sign-in page
    sign_in("drafter@example.org")
    assert browser.get("/import").status_code == 403
    response = browser.post("/import", data={"file": (io.BytesIO(b"x"), "a.csv")})
    assert response.status_code in (400, 403)
    assert commitments() == 9 + 36


def test_the_upload_needs_its_csrf_token(demo, sign_in):
    browser = sign_in("poc@example.org")
    response = browser.post(
        "/import",
        data={"file": (io.BytesIO((HEADER + "\n" + row("TL0001")).encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert commitments() == 9 + 36
