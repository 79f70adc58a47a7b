"""A live server on a free port and Debian's Chromium driven by Playwright.

The browser tests skip, saying why, only where no Chromium is installed; under CI=true a
missing Chromium fails them instead, so a CI run cannot pass without them.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from workflow.demo.loader import DEMO_PASSWORD, load_demo
from workflow.extensions import db as _db

from ..conftest import build_app, scratch_database

CHROMIUM = os.environ.get("COCREATE_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(os.environ.get("COCREATE_TEST_OUTPUT", ROOT / "test-output")) / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    reason = f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " - CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def db() -> Iterator[object]:
    """Browser tests commit for real, to the live server's own database (no rollback)."""
    yield _db


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app, with the demo data loaded, on a free port in a thread; yield its address."""
    _chromium_or_skip()
    tmp = tmp_path_factory.mktemp("live")
    with scratch_database(tmp) as url:
        app = build_app(url, tmp / "instance", WTF_CSRF_TIME_LIMIT=None)
        with app.app_context():
            load_demo()
            _db.session.commit()
            _db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=False)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=5)
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()


@pytest.fixture(scope="session")
def chromium(live_server: str):
    """Start Debian's Chromium once for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium_or_skip(), args=["--no-sandbox"])
        yield browser
        browser.close()


class Person:
    """One signed-in person in a browser context of their own."""

    def __init__(self, browser, base: str, email: str, *, locale: str = "en-GB", viewport=None):
        self.base = base
        self.context = browser.new_context(
            locale=locale, viewport=viewport or DESKTOP, base_url=base
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.goto("/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def person(chromium, live_server):
    """Return a function that signs a demo account in, in a browser context of its own."""
    opened: list[Person] = []

    def open_as(email: str, **kwargs) -> Person:
        p = Person(chromium, live_server, email, **kwargs)
        opened.append(p)
        return p

    yield open_as
    for p in opened:
        p.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where screenshots go, for a person to review."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
