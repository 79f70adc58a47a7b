"""Sessions end for real: at sign-out and at a new password, a cookie captured before is refused."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from workflow import create_app
from workflow.accounts.models import ThrottleEvent
from workflow.accounts.operations import create_user
from workflow.extensions import db

from .helpers import PASSWORD, csrf_token, sign_in, sign_out, signed_in_as, text

REFUSED = "The email address or the password is wrong, or the account is deactivated."


def replay(app, **cookies: str):
    """Return a new client holding only the given cookies, as a thief would."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def test_a_session_cookie_captured_before_sign_out_is_refused_after(app, browser, member):
    sign_in(browser, member.email)
    captured = browser.get_cookie("session").value
    assert signed_in_as(replay(app, session=captured)) == "Mona Member"  # the copy works now

    assert sign_out(browser).status_code == 302
    assert signed_in_as(browser) is None
    assert signed_in_as(replay(app, session=captured)) is None


def test_remember_me_keeps_the_account_signed_in_until_sign_out(app, browser, member):
    response = sign_in(browser, member.email, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember and "Expires=" in remember
    token = browser.get_cookie("remember_token").value

    # A browser restarted: the session cookie is gone, the remember cookie signs in again.
    assert signed_in_as(replay(app, remember_token=token)) == "Mona Member"

    sign_out(browser)
    assert browser.get_cookie("remember_token") is None  # the browser is told to drop it
    assert signed_in_as(replay(app, remember_token=token)) is None  # and a copy is refused


def test_without_remember_me_there_is_no_remember_cookie(browser, member):
    response = sign_in(browser, member.email)
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_a_new_password_ends_every_other_session(app, browser, member):
    sign_in(browser, member.email, remember="y")
    laptop_session = browser.get_cookie("session").value
    laptop_remember = browser.get_cookie("remember_token").value
    phone = app.test_client()
    sign_in(phone, member.email)
    assert signed_in_as(phone) == "Mona Member"

    page = browser.get("/account")
    assert page.status_code == 200 and "Change your password" in text(page)
    response = browser.post(
        "/account",
        data={
            "csrf_token": csrf_token(browser, "/account"),
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302 and response.location == "/account"
    assert "Your password is changed." in text(browser.get("/account"))
    assert signed_in_as(browser) == "Mona Member"  # the session that changed it goes on
    renewed = browser.get_cookie("remember_token").value  # and so does its "remember me"
    assert renewed != laptop_remember
    assert signed_in_as(replay(app, remember_token=renewed)) == "Mona Member"

    assert signed_in_as(phone) is None
    assert signed_in_as(replay(app, session=laptop_session)) is None
    assert signed_in_as(replay(app, remember_token=laptop_remember)) is None
    db.session.refresh(member)
    assert member.check_password("a brand new passphrase")
    assert not member.check_password(PASSWORD)


def test_the_password_change_form_says_what_is_wrong_next_to_the_field(browser, member):
    sign_in(browser, member.email)
    response = browser.post(
        "/account",
        data={
            "csrf_token": csrf_token(browser, "/account"),
            "current_password": "not it",
            "password": "short",
            "confirm": "other",
        },
    )
    body = text(response)
    assert response.status_code == 200
    assert 'id="password-error">A password has between 10 and 1000 characters.' in body
    assert 'id="confirm-error">The two passwords differ; type them again.' in body
    assert 'aria-describedby="password-error" aria-invalid="true"' in body or (
        'aria-invalid="true"' in body
    )
    response = browser.post(
        "/account",
        data={
            "csrf_token": csrf_token(browser, "/account"),
            "current_password": "not it",
            "password": "long enough now",
            "confirm": "long enough now",
        },
    )
    assert 'id="current_password-error">This is not your current password.' in text(response)
    db.session.refresh(member)
    assert member.check_password(PASSWORD)


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


# --- throttling -------------------------------------------------------------------------------


def wrong(browser, email: str, times: int) -> list[int]:
    return [sign_in(browser, email, "a wrong guess").status_code for _ in range(times)]


def test_sign_in_is_throttled_per_account(app, browser, member, create_user_):
    limit = app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]
    assert wrong(browser, member.email, limit) == [200] * limit
    response = sign_in(browser, member.email)  # even the right password, now
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    window = app.config["SIGN_IN_THROTTLE_SECONDS"]
    assert window - 5 <= wait <= window
    body = text(response)
    assert "Too many failed attempts to sign in. Try again in 15 minutes, at " in body
    assert REFUSED not in body
    assert signed_in_as(browser) is None

    # An unknown address is throttled alike: the answer does not tell who has an account.
    assert wrong(browser, "nobody@example.org", limit) == [200] * limit
    assert sign_in(browser, "nobody@example.org").status_code == 429

    # Another account from the same address is not held back by these.
    other = create_user_(email="other@example.org", name="Olga Other", password=PASSWORD)
    assert sign_in(browser, other.email).status_code == 302


def test_failures_age_out_and_a_sign_in_clears_the_accounts_count(app, browser, member):
    limit = app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]
    wrong(browser, member.email, limit)
    assert sign_in(browser, member.email).status_code == 429
    window = timedelta(seconds=app.config["SIGN_IN_THROTTLE_SECONDS"])
    db.session.execute(update(ThrottleEvent).values(created_at=ThrottleEvent.created_at - window))
    assert sign_in(browser, member.email).status_code == 302
    sign_out(browser)
    # The success cleared the account's count: a few slips later it still answers as usual.
    assert wrong(browser, member.email, limit - 1) == [200] * (limit - 1)
    assert sign_in(browser, member.email).status_code == 302


def test_sign_in_is_throttled_per_address(app, browser, create_user_, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_MAX_FAILURES_PER_ADDRESS", 4)
    member = create_user_(email="someone@example.org", password=PASSWORD)
    for n in range(4):
        assert sign_in(browser, f"guess{n}@example.org", "x").status_code == 200
    response = sign_in(browser, member.email)
    assert response.status_code == 429 and "Retry-After" in response.headers
    # From another address the same account signs in.
    elsewhere = app.test_client()
    token = csrf_token(elsewhere)
    response = elsewhere.post(
        "/login",
        data={"csrf_token": token, "email": member.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302


def test_the_throttle_message_is_translated(app, browser, member):
    limit = app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]
    wrong(browser, member.email, limit)
    response = browser.post(
        "/login?lang=mn",
        data={"csrf_token": csrf_token(browser), "email": member.email, "password": PASSWORD},
    )
    assert response.status_code == 429
    body = text(response)
    assert "Too many failed attempts" not in body
    assert re.search(r"role=\"alert\">[^<]*[\u0400-\u04ff]", body)


def test_the_throttle_is_shared_by_every_worker_process(fresh_app):
    """Two app instances on one database, as two gunicorn workers: one count for both."""
    second = create_app({**fresh_app.config, "INSTANCE_PATH": fresh_app.instance_path})
    with fresh_app.app_context():
        create_user("shared@example.org", "Sam Shared", PASSWORD)
        db.session.commit()
    limit = fresh_app.config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]
    workers = [fresh_app.test_client(), second.test_client()]
    answers = [
        sign_in(workers[n % 2], "shared@example.org", "a wrong guess").status_code
        for n in range(limit)
    ]
    assert answers == [200] * limit
    for worker in workers:
        response = sign_in(worker, "shared@example.org")
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    with second.app_context():
        db.engine.dispose()
