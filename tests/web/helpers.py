"""What page tests do again and again: read a page, find its CSRF token, sign in and out."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "a long passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def text(response: TestResponse) -> str:
    """Return the response body as text, HTML entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(browser: FlaskClient, url: str = "/login") -> str:
    """Return the CSRF token of a form on the page at `url`."""
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in(
    browser: FlaskClient,
    email: str,
    password: str = PASSWORD,
    next_url: str | None = None,
    **extra: str,
) -> TestResponse:
    """Send the sign-in form as a person would."""
    url = "/login" if next_url is None else f"/login?next={next_url}"
    data = {"csrf_token": csrf_token(browser, url), "email": email, "password": password, **extra}
    if next_url is not None:
        data["next"] = next_url
    return browser.post("/login", data=data)


def sign_out(browser: FlaskClient) -> TestResponse:
    """Press the header's sign-out button."""
    return browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})


def signed_in_as(browser: FlaskClient) -> str | None:
    """Return the name the page header shows as signed in, or None when it offers to sign in."""
    body = text(browser.get("/"))
    # In English or, for an account that chose it, Mongolian.
    found = re.search(r"(?:Signed in as |Нэвтэрсэн: )([^<]+)</span>", body)
    if found:
        return found.group(1)
    assert ">Sign in</a>" in body or ">Нэвтрэх</a>" in body
    return None
