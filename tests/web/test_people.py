"""The members page of a plan and the administrator's pages: who may, what they do."""

from __future__ import annotations

from sqlalchemy import select

from workflow.accounts.models import Organisation, PlanMembership
from workflow.accounts.roles import MSF_MEMBER
from workflow.extensions import db

from .helpers import PASSWORD, csrf_token, sign_in, signed_in_as, text


def with_password(*users):
    for user in users:
        user.set_password(PASSWORD)
    db.session.flush()


def test_the_members_page_lists_roles_and_sides(browser, cast):
    with_password(cast.poc)
    sign_in(browser, cast.poc.email)
    body = text(browser.get(f"/plans/{cast.plan.slug}/members"))
    assert "<h1>Members of the plan</h1>" in body
    for user in (cast.drafter, cast.msf_gov1, cast.msf_cso2, cast.implementer):
        assert user.email in body
    assert body.count('data-label="Side of the forum">Government</td>') == 2
    assert body.count('data-label="Side of the forum">Civil society</td>') == 2
    assert "Take this role away" in body
    index = text(browser.get("/"))
    assert f'href="/plans/{cast.plan.slug}/members"' in index


def test_only_the_point_of_contact_and_administrators_manage_members(browser, cast, create_user_):
    url = f"/plans/{cast.plan.slug}/members"
    with_password(cast.drafter, cast.msf_gov1, cast.outsider)
    for user in (cast.drafter, cast.msf_gov1, cast.outsider):
        sign_in(browser, user.email)
        assert browser.get(url).status_code == 403
        assert f'href="{url}"' not in text(browser.get("/"))  # no link they cannot follow
        browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    admin = create_user_(password=PASSWORD, is_admin=True)
    sign_in(browser, admin.email)
    assert browser.get(url).status_code == 200


def test_revoking_a_role_takes_it_away_once(browser, cast):
    with_password(cast.poc)
    sign_in(browser, cast.poc.email)
    url = f"/plans/{cast.plan.slug}/members"
    membership = db.session.scalar(
        select(PlanMembership).where(
            PlanMembership.user_id == cast.msf_cso1.id, PlanMembership.role == MSF_MEMBER
        )
    )
    revoke = f"{url}/{membership.id}/revoke"
    token = csrf_token(browser, url)
    response = browser.post(revoke, data={"csrf_token": token})
    assert response.status_code == 302 and response.location == url
    assert "MSF CSO 1 no longer holds the role MSF member." in text(browser.get(url))
    assert db.session.get(PlanMembership, membership.id) is None

    again = browser.post(revoke, data={"csrf_token": token})  # the button pressed twice
    assert again.status_code == 302
    assert "That role had been taken away already." in text(browser.get(url))
    assert browser.post(revoke, data={}).status_code == 400  # no CSRF token


def test_a_private_plans_members_page_is_404_to_outsiders(browser, cast):
    cast.plan.is_public = False
    with_password(cast.outsider)
    sign_in(browser, cast.outsider.email)
    assert browser.get(f"/plans/{cast.plan.slug}/members").status_code == 404
    assert browser.get("/plans/no-such-plan/members").status_code == 404


def test_an_administrator_deactivates_an_account_whose_history_stays(
    browser, cast, create_user_, create_commitment_
):
    commitment = create_commitment_(cast.plan, cast.drafter)
    admin = create_user_(name="Ada Admin", password=PASSWORD, is_admin=True)
    with_password(cast.drafter)
    drafter_browser = browser.application.test_client()
    sign_in(drafter_browser, cast.drafter.email)
    assert signed_in_as(drafter_browser) == "Drafter"

    sign_in(browser, admin.email)
    page = text(browser.get("/admin/accounts"))
    assert cast.drafter.email in page and "Deactivate" in page
    token = csrf_token(browser, "/admin/accounts")
    url = f"/admin/accounts/{cast.drafter.id}/deactivate"
    assert browser.post(url, data={"csrf_token": token}).status_code == 302
    assert "is deactivated; what they did stays on record." in text(browser.get("/admin/accounts"))
    assert browser.post(url, data={"csrf_token": token}).status_code == 302  # twice: no harm
    assert "was deactivated already." in text(browser.get("/admin/accounts"))

    db.session.refresh(cast.drafter)
    assert cast.drafter.active is False
    assert signed_in_as(drafter_browser) is None
    history = text(browser.get(f"/commitments/{commitment.id}"))
    assert "Drafter" in history  # the record still names who wrote it

    own = f"/admin/accounts/{admin.id}/deactivate"
    browser.post(own, data={"csrf_token": token})
    assert "You cannot deactivate your own account." in text(browser.get("/admin/accounts"))


def test_an_administrator_adds_organisations(browser, create_user_):
    admin = create_user_(password=PASSWORD, is_admin=True)
    sign_in(browser, admin.email)
    token = csrf_token(browser, "/admin/organisations")
    data = {"csrf_token": token, "name": "  Open Society   Forum ", "sector": "civil_society"}
    assert browser.post("/admin/organisations", data=data).status_code == 302
    body = text(browser.get("/admin/organisations"))
    assert "Open Society Forum is added." in body
    assert 'data-label="Sector">Civil society</td>' in body
    again = text(browser.post("/admin/organisations", data=data))
    assert 'id="name-error">An organisation with this name exists already.' in again
    missing = text(browser.post("/admin/organisations", data={"csrf_token": token, "name": ""}))
    assert 'id="name-error">Enter the organisation&#39;s name.' in missing or (
        'id="name-error">Enter the organisation\'s name.' in missing
    )
    assert 'id="sector-error">Choose the sector.' in missing
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Open Society Forum"))


def test_the_administration_is_for_administrators(browser, cast):
    with_password(cast.poc)
    assert browser.get("/admin/accounts").status_code == 302  # to sign in
    sign_in(browser, cast.poc.email)
    for url in ("/admin/accounts", "/admin/organisations"):
        assert browser.get(url).status_code == 403
    assert 'href="/admin/accounts"' not in text(browser.get("/"))


def test_inviting_a_forum_member_with_the_other_side_moves_them(browser, cast):
    with_password(cast.poc)
    sign_in(browser, cast.poc.email)
    url = f"/plans/{cast.plan.slug}/members"
    data = {
        "csrf_token": csrf_token(browser, url),
        "email": cast.msf_gov1.email,
        "roles": [MSF_MEMBER],
        "sector": "civil_society",
        "language": "en",
    }
    assert browser.post(url, data=data).status_code == 302
    assert f"{cast.msf_gov1.email} now holds: MSF member." in text(browser.get(url))
    sides = db.session.scalars(
        select(PlanMembership.sector).where(PlanMembership.user_id == cast.msf_gov1.id)
    ).all()
    assert sides == ["civil_society"]
    assert browser.post(url, data=data).status_code == 302  # again: nothing more to change
    assert "holds these roles already." in text(browser.get(url))
