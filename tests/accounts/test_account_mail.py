"""Password reset and invitations, mailed through the outbox to a real SMTP server."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.notify.conftest import SmtpServer, point_at
from tests.web.helpers import PASSWORD, csrf_token, sign_in, signed_in_as, text
from workflow.accounts.models import PlanMembership, User
from workflow.accounts.operations import create_user, grant_role
from workflow.accounts.roles import GOVERNMENT, MSF_MEMBER, POC
from workflow.extensions import db
from workflow.notify.dispatcher import send_pending
from workflow.notify.models import OutboxMessage
from workflow.plans.models import ActionPlan

LINK = re.compile(r"http://cocreate\.test(/(?:password/reset|invitation)/[A-Za-z0-9._-]+)")


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(fresh_app: Flask, smtp: SmtpServer) -> Flask:
    """An app with real commits, its mail going to the SMTP server; a plan and its POC."""
    point_at(fresh_app, smtp)
    with fresh_app.app_context():
        plan = ActionPlan(
            slug="nap-5",
            country="Mongolia",
            title="Fifth National Action Plan",
            period_start=date(2024, 1, 1),
            period_end=date(2027, 12, 31),
        )
        db.session.add(plan)
        db.session.flush()
        poc = create_user("poc@example.org", "Pat Contact", PASSWORD)
        grant_role(plan, poc, POC)
        create_user("member@example.org", "Mona Member", PASSWORD, language="mn")
        db.session.commit()
    return fresh_app


def deliver(app: Flask, smtp: SmtpServer) -> list:
    smtp.clear()
    counts = send_pending(app)
    assert counts.failed == counts.retried == 0
    return smtp.received


def link_in(message) -> str:
    found = LINK.search(message.text)
    assert found, message.text
    assert found.group(0) in message.html
    return found.group(1)


def outbox_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def ask_for_reset(client, email: str):
    token = csrf_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"csrf_token": token, "email": email})


def set_password(client, path: str, password: str):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": password})


def test_a_forgotten_password_is_reset_by_a_mailed_single_use_link(site, smtp):
    client = site.test_client()
    assert ">Forgot your password?</a>" in text(client.get("/login"))
    response = ask_for_reset(client, "Member@Example.org")
    assert response.status_code == 200
    assert "a link to choose a new password is on its way" in text(response)
    assert "Member@Example.org" in text(response)
    assert response.headers["Cache-Control"] == "no-store"

    (message,) = deliver(site, smtp)
    assert message.rcpt_tos == ["member@example.org"]
    assert message.message["Content-Language"] == "mn"  # the account's language
    path = link_in(message)
    assert path.startswith("/password/reset/")

    form = client.get(path)
    assert form.status_code == 200 and 'autocomplete="new-password"' in text(form)
    assert form.headers["Cache-Control"] == "no-store"
    assert form.headers["Referrer-Policy"] == "same-origin"  # the secret stays on this site
    response = set_password(client, path, "a fresh new passphrase")
    assert response.status_code == 302 and response.location == "/"
    assert signed_in_as(client) == "Mona Member"

    again = site.test_client().get(path)
    assert again.status_code == 400  # used once: the password it was made for is gone
    assert "The link has been used already" in text(again)
    other = site.test_client()
    assert sign_in(other, "member@example.org").status_code == 200  # the old password: refused
    assert sign_in(other, "member@example.org", "a fresh new passphrase").status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(site, smtp):
    client = site.test_client()
    known = text(ask_for_reset(client, "poc@example.org"))
    unknown = text(ask_for_reset(client, "nobody@example.org"))

    def normalised(body: str, email: str) -> str:
        return re.sub(r'value="[^"]+"', "", body).replace(email, "EMAIL")

    assert normalised(known, "poc@example.org") == normalised(unknown, "nobody@example.org")
    assert [m.rcpt_tos for m in deliver(site, smtp)] == [["poc@example.org"]]


def test_reset_mails_are_limited_per_account(site, smtp):
    client = site.test_client()
    limit = site.config["PASSWORD_RESET_MAILS"]
    for _ in range(limit + 2):
        ask_for_reset(client, "poc@example.org")
    assert len(deliver(site, smtp)) == limit


def test_a_reset_link_expires(site, smtp, monkeypatch):
    client = site.test_client()
    ask_for_reset(client, "poc@example.org")
    path = link_in(deliver(site, smtp)[0])
    monkeypatch.setitem(site.config, "PASSWORD_RESET_MAX_AGE_SECONDS", -1)
    response = client.get(path)
    assert response.status_code == 400
    assert "The link has expired." in text(response)
    thief = site.test_client()
    token = csrf_token(thief)
    data = {"csrf_token": token, "password": "x" * 12, "confirm": "x" * 12}
    assert thief.post(path, data=data).status_code == 400
    monkeypatch.setitem(site.config, "PASSWORD_RESET_MAX_AGE_SECONDS", 3600)
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    assert client.get(tampered).status_code == 400


def test_a_new_password_must_be_long_enough_and_typed_twice(site, smtp):
    client = site.test_client()
    ask_for_reset(client, "poc@example.org")
    path = link_in(deliver(site, smtp)[0])
    token = csrf_token(client, path)
    response = client.post(
        path, data={"csrf_token": token, "password": "short", "confirm": "shorter"}
    )
    body = text(response)
    assert response.status_code == 200
    assert 'id="password-error">A password has between 10 and 1000 characters.' in body
    assert 'id="confirm-error">The two passwords differ; type them again.' in body
    assert signed_in_as(client) is None
    assert client.get(path).status_code == 200  # nothing was set: the link still works


def invite(client, slug: str, **data):
    token = csrf_token(client, f"/plans/{slug}/members")
    return client.post(f"/plans/{slug}/members", data={"csrf_token": token, **data})


def test_the_point_of_contact_invites_a_new_msf_member_who_sets_a_password(site, smtp):
    poc = site.test_client()
    sign_in(poc, "poc@example.org")
    response = invite(
        poc,
        "nap-5",
        email="New.Person@Example.org",
        name="Nora New",
        roles=[MSF_MEMBER],
        sector=GOVERNMENT,
        language="en",
    )
    assert response.status_code == 302
    page = text(poc.get("/plans/nap-5/members"))
    assert "new.person@example.org now holds: MSF member." in page
    assert "An invitation to choose a password is on its way to them." in page
    assert "Nora New" in page and "Government" in page

    (message,) = deliver(site, smtp)
    assert message.rcpt_tos == ["new.person@example.org"]
    assert "Pat Contact gave you these roles on the action plan Fifth National" in message.text
    assert "a member of the MSF" in message.text
    path = link_in(message)
    assert path.startswith("/invitation/")

    newcomer = site.test_client()
    assert newcomer.get(path).status_code == 200
    assert set_password(newcomer, path, "my own passphrase").status_code == 302
    assert signed_in_as(newcomer) == "Nora New"
    assert newcomer.get(path).status_code == 400  # an invitation works once

    with site.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
        held = db.session.execute(
            select(PlanMembership.role, PlanMembership.sector).where(
                PlanMembership.user_id == user.id
            )
        ).all()
        assert held == [(MSF_MEMBER, GOVERNMENT)]


def test_inviting_someone_with_an_account_gives_roles_and_says_so_once(site, smtp):
    poc = site.test_client()
    sign_in(poc, "poc@example.org")
    data = {"email": "member@example.org", "roles": ["drafter", "implementer"], "language": "en"}
    assert invite(poc, "nap-5", **data).status_code == 302
    (message,) = deliver(site, smtp)
    assert message.rcpt_tos == ["member@example.org"]
    assert "/invitation/" not in message.text  # they have a password: sign in as usual
    assert "http://cocreate.test/login" in message.text

    before = outbox_count(site)
    assert invite(poc, "nap-5", **data).status_code == 302  # the form sent twice
    assert outbox_count(site) == before  # no second mail, no second role
    assert "member@example.org holds these roles already." in text(poc.get("/plans/nap-5/members"))


def test_the_invitation_form_keeps_what_was_typed_and_names_each_problem(site):
    poc = site.test_client()
    sign_in(poc, "poc@example.org")
    response = invite(poc, "nap-5", email="not an address", name="Tom Typed", roles=[MSF_MEMBER])
    body = text(response)
    assert response.status_code == 200
    assert 'id="sector-error">An MSF member sits on one side: choose it.' in body
    assert 'value="Tom Typed"' in body and 'value="not an address"' in body
    assert re.search(r'value="msf_member"[^>]*checked|checked[^>]*value="msf_member"', body)
    response = invite(poc, "nap-5", email="not an address", roles=["drafter"])
    assert 'id="email-error">This is not a valid email address.' in text(response)
    response = invite(poc, "nap-5", email="someone@example.org")
    assert 'id="roles-error">Choose at least one role.' in text(response)
    assert outbox_count(site) == 0


def test_an_administrator_opens_an_account_and_its_owner_chooses_a_password(site, smtp):
    with site.app_context():
        create_user("admin@example.org", "Ada Admin", PASSWORD, is_admin=True)
        db.session.commit()
    admin = site.test_client()
    sign_in(admin, "admin@example.org")
    token = csrf_token(admin, "/admin/accounts")
    response = admin.post(
        "/admin/accounts",
        data={
            "csrf_token": token,
            "email": "fresh@example.org",
            "name": "Fay Fresh",
            "organisation": "0",
            "language": "mn",
        },
    )
    assert response.status_code == 302
    assert "invited, no password yet" in text(admin.get("/admin/accounts"))
    (message,) = deliver(site, smtp)
    assert message.message["Content-Language"] == "mn"
    path = link_in(message)
    owner = site.test_client()
    assert set_password(owner, path, "fay's own passphrase").status_code == 302
    assert signed_in_as(owner) == "Fay Fresh"
