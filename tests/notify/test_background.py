"""The embedded dispatcher: one daemon thread per process that drains the outbox."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from workflow import create_app
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.background import (
    run_loop,
    start_background_dispatcher,
    stop_background_dispatcher,
)
from workflow.notify.models import SENT, OutboxMessage

from .conftest import SmtpServer, point_at


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def stopped() -> Iterator[None]:
    """Make sure no outbox thread outlives the test."""
    yield
    stop_background_dispatcher()


def test_create_app_starts_one_dispatcher_that_sends_after_commit(
    fresh_app, world, smtp: SmtpServer, stopped
):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": fresh_app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": fresh_app.instance_path,
        "SECRET_KEY": "test",
        "BASE_URL": "http://cocreate.test",
        "NOTIFY_BACKGROUND": True,
        "NOTIFY_INTERVAL_SECONDS": 0.1,
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": smtp.port,
    }
    served = create_app(config)
    again = create_app(config)
    threads = [t for t in threading.enumerate() if t.name == "cocreate-outbox"]
    assert len(threads) == 1 and threads[0].daemon
    assert start_background_dispatcher(again) is threads[0]

    with served.app_context():
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready.")
        time.sleep(0.3)  # several passes of the thread while the transition is uncommitted
        assert smtp.received == []
        db.session.commit()
    assert wait_for(lambda: len(smtp.received) == 3)

    stop_background_dispatcher()
    assert not threads[0].is_alive()
    with served.app_context():
        assert set(db.session.scalars(select(OutboxMessage.status))) == {SENT}
    for app in (served, again):
        with app.app_context():
            db.engine.dispose()


def test_the_loop_logs_errors_and_keeps_going(fresh_app, tmp_path, caplog):
    # A database that was never migrated makes every pass fail.
    broken = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "broken"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
            "SECRET_KEY": "test",
        }
    )
    with caplog.at_level(logging.ERROR, logger="workflow.notify.background"):
        run_loop(broken, threading.Event(), 0.01, iterations=3)
    failures = [r for r in caplog.records if "draining the outbox failed" in r.getMessage()]
    assert len(failures) == 3
    assert "no such table" in failures[0].exc_text
    with broken.app_context():
        db.engine.dispose()


def test_a_stop_request_ends_the_loop_between_passes(fresh_app, smtp):
    app = point_at(fresh_app, smtp)
    stop = threading.Event()
    worker = threading.Thread(target=run_loop, args=(app, stop, 60.0))
    worker.start()
    time.sleep(0.2)
    stop.set()  # it is waiting out the 60 s interval: the stop cuts the wait short
    worker.join(timeout=5)
    assert not worker.is_alive()
