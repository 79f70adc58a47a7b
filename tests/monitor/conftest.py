"""Fixtures for the monitor pages: a signed-in test client and the demo with its earlier plans."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import g, request_started
from flask.testing import FlaskClient

from workflow.demo.loader import DEMO_PASSWORD, load_demo
from workflow.plans.models import ActionPlan

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MONGOLIA_CSV = (
    Path(__file__).resolve().parents[2] / "workflow" / "demo" / "mongolia_commitments.csv"
)


@pytest.fixture
def browser(app, client) -> FlaskClient:
    """The test client, forgetting the user and CSRF token kept in `g` between requests."""

    def forget(_sender, **_extra) -> None:
        for name in ("_login_user", "csrf_token", "csrf_valid"):
            g.pop(name, None)

    request_started.connect(forget, app)
    yield client
    request_started.disconnect(forget, app)


def csrf_token(browser: FlaskClient, url: str) -> str:
    found = TOKEN.search(browser.get(url).get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


@pytest.fixture
def sign_in(browser) -> Callable[[str], FlaskClient]:
    """Sign the browser in as a demo account (by its address) and return it."""

    def sign(email: str, password: str = DEMO_PASSWORD) -> FlaskClient:
        data = {"csrf_token": csrf_token(browser, "/login"), "email": email, "password": password}
        response = browser.post("/login", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return sign


@pytest.fixture
def demo(db) -> ActionPlan:
    """Load the demo (NAP V and the earlier plans); the test's rollback removes it."""
    result = load_demo()
    assert result is not None
    return result.plan
