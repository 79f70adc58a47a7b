"""Signing in and out of the pages: CSRF, one answer for every refusal, no open redirect."""

from __future__ import annotations

import pytest
from werkzeug.test import TestResponse

from workflow.accounts.operations import grant_role
from workflow.accounts.roles import DRAFTER

from .helpers import PASSWORD, TOKEN, csrf_token, sign_in, signed_in_as, text

REFUSED = "The email address or the password is wrong, or the account is deactivated."


def test_sign_in_and_out(browser, member):
    form = text(browser.get("/login"))
    assert 'name="email"' in form and 'type="password"' in form
    assert 'autocomplete="current-password"' in form

    response = sign_in(browser, "Member@Example.org ")
    assert response.status_code == 302
    assert response.location == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert signed_in_as(browser) == "Mona Member"

    token = csrf_token(browser, "/")  # the sign-out form in the header carries one
    response = browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == "/"
    assert signed_in_as(browser) is None


def test_sign_out_is_never_a_get(browser, member):
    sign_in(browser, member.email)
    assert browser.get("/logout").status_code == 405
    assert signed_in_as(browser) == "Mona Member"


def test_forms_without_a_csrf_token_are_refused(app, browser, member):
    assert app.config["WTF_CSRF_ENABLED"] is True  # the suite runs with CSRF on, as deployed

    response = browser.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired or was not sent from this site." in text(response)
    assert signed_in_as(browser) is None

    forged = browser.post("/login", data={"csrf_token": "forged", "email": member.email})
    assert forged.status_code == 400
    assert signed_in_as(browser) is None

    sign_in(browser, member.email)
    assert browser.post("/logout").status_code == 400
    assert signed_in_as(browser) == "Mona Member"


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(browser, member):
    wrong = sign_in(browser, member.email, "not the passphrase")
    unknown = sign_in(browser, "nobody@example.org", "not the passphrase")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert REFUSED in text(response)
        with browser.session_transaction() as session:
            assert "_user_id" not in session
    assert signed_in_as(browser) is None

    def normalised(response: TestResponse, email: str) -> str:
        return TOKEN.sub("TOKEN", text(response)).replace(email, "EMAIL")

    assert normalised(wrong, member.email) == normalised(unknown, "nobody@example.org")


def test_missing_fields_are_named(browser):
    token = csrf_token(browser)
    body = text(browser.post("/login", data={"csrf_token": token, "email": "", "password": ""}))
    assert "Enter your email address." in body
    assert "Enter your password." in body
    assert REFUSED not in body


def test_a_deactivated_account_cannot_sign_in(browser, member, db):
    member.active = False
    db.session.flush()
    response = sign_in(browser, member.email)
    assert response.status_code == 200
    assert REFUSED in text(response)
    assert signed_in_as(browser) is None


def test_deactivating_an_account_ends_its_session(browser, member, db):
    sign_in(browser, member.email)
    assert signed_in_as(browser) == "Mona Member"
    member.active = False
    db.session.flush()
    assert signed_in_as(browser) is None


def test_sign_in_returns_to_a_local_page(browser, member):
    response = sign_in(browser, member.email, next_url="/commitments/5?tab=history")
    assert response.status_code == 302
    assert response.location == "/commitments/5?tab=history"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example/",
        "https:/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_never_redirects_to_another_site(browser, member, target):
    response = sign_in(browser, member.email, next_url=target)
    assert response.status_code == 302
    assert response.location == "/"
    # Already signed in, the form sends you on at once: through the same check.
    again = browser.get("/login", query_string={"next": target})
    assert again.status_code == 302 and again.location == "/"


def test_the_sign_in_link_returns_to_the_page_it_was_on(browser, cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    body = text(browser.get(f"/commitments/{c.id}"))
    assert f'href="/login?next=/commitments/{c.id}"' in body


def test_a_private_plans_page_opens_to_its_members_after_sign_in(
    browser, cast, create_commitment_, create_user_, db
):
    cast.plan.is_public = False
    c = create_commitment_(cast.plan, cast.drafter, title="A hidden commitment")
    for user in (cast.drafter, cast.outsider):
        user.set_password(PASSWORD)
    admin = create_user_(email="admin@example.org", password=PASSWORD, is_admin=True)
    db.session.flush()
    url = f"/commitments/{c.id}"

    assert browser.get(url).status_code == 404

    response = sign_in(browser, cast.drafter.email, next_url=url)
    assert response.location == url
    page = browser.get(url)
    assert page.status_code == 200
    assert "A hidden commitment" in text(page)
    assert "The plans you may see, and what you may do in them." in text(page)

    browser.post("/logout", data={"csrf_token": csrf_token(browser, url)})
    assert browser.get(url).status_code == 404

    sign_in(browser, cast.outsider.email)
    response = browser.get(url)
    assert response.status_code == 404
    assert "A hidden commitment" not in text(response)

    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    sign_in(browser, admin.email)
    assert browser.get(url).status_code == 200


def test_the_index_shows_a_private_plan_to_its_members_only_when_signed_in(
    browser, cast, create_plan, create_commitment_, db
):
    hidden = create_plan(title="An unpublished plan", is_public=False)
    grant_role(hidden, cast.drafter, DRAFTER)
    create_commitment_(hidden, cast.drafter, title="A hidden commitment")
    other = create_plan(title="Someone else's unpublished plan", is_public=False)
    for user in (cast.drafter, cast.outsider):
        user.set_password(PASSWORD)
    db.session.flush()

    anonymous = text(browser.get("/"))
    assert cast.plan.title in anonymous
    assert hidden.title not in anonymous and "A hidden commitment" not in anonymous

    sign_in(browser, cast.drafter.email)
    member_view = text(browser.get("/"))
    assert cast.plan.title in member_view
    assert hidden.title in member_view and "A hidden commitment" in member_view
    assert "not public: only its members see it" in member_view
    assert other.title not in member_view

    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    sign_in(browser, cast.outsider.email)
    outsider_view = text(browser.get("/"))
    assert cast.plan.title in outsider_view
    assert hidden.title not in outsider_view


def test_an_administrator_sees_every_plan(browser, create_plan, create_user_):
    hidden = create_plan(title="An unpublished plan", is_public=False)
    admin = create_user_(email="root@example.org", password=PASSWORD, is_admin=True)
    sign_in(browser, admin.email)
    assert hidden.title in text(browser.get("/"))


def test_the_signed_in_index_queries_do_not_grow_with_the_plans(
    browser, cast, create_plan, create_commitment_, count_statements, db
):
    cast.drafter.set_password(PASSWORD)
    create_commitment_(cast.plan, cast.drafter)
    sign_in(browser, cast.drafter.email)
    db.session.commit()  # both requests start alike: nothing loaded, the user read afresh
    with count_statements() as one:
        assert browser.get("/").status_code == 200
    for _ in range(3):
        hidden = create_plan(is_public=False)
        grant_role(hidden, cast.drafter, DRAFTER)
        for _ in range(3):
            create_commitment_(hidden, cast.drafter)
    db.session.commit()
    with count_statements() as more:
        body = text(browser.get("/"))
    assert body.count('href="/commitments/') == 10
    assert len(more) == len(one)
    # Two of them: the plans the visitor may draft commitments in; the unread notifications.
    assert len(more) <= 7, more
