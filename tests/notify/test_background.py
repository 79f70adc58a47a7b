"""The embedded dispatcher: one daemon thread per serving process, started by its first request."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from workflow import ROOT, create_app
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.background import run_loop, stop_background_dispatcher
from workflow.notify.dispatcher import drain
from workflow.notify.models import PENDING, SENT, OutboxMessage

from .conftest import SmtpServer, expected_id, point_at, queue_mail


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


def outbox_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "cocreate-outbox"]


def background_config(app: Flask, smtp: SmtpServer) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": "test",
        "BASE_URL": "http://cocreate.test",
        "NOTIFY_BACKGROUND": True,
        "NOTIFY_INTERVAL_SECONDS": 0.1,
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": smtp.port,
    }


def test_the_first_request_starts_one_dispatcher_that_sends_after_commit(
    fresh_app, world, smtp: SmtpServer, stopped
):
    config = background_config(fresh_app, smtp)
    served = create_app(config)
    again = create_app(config)
    assert outbox_threads() == [], "creating an app must not start the thread"

    assert served.test_client().get("/health").status_code == 200
    threads = outbox_threads()
    assert len(threads) == 1 and threads[0].daemon
    assert again.test_client().get("/health").status_code == 200
    assert served.test_client().get("/health").status_code == 200
    assert outbox_threads() == threads

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


def process_env(app: Flask, smtp: SmtpServer, **extra: object) -> dict[str, str]:
    """The environment of a `flask` process on the test's database, mail and background thread."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test",
            "COCREATE_NOTIFY_BACKGROUND": "true",
            "COCREATE_NOTIFY_INTERVAL_SECONDS": "0.1",
            "COCREATE_MAIL_SERVER": smtp.host,
            "COCREATE_MAIL_PORT": str(smtp.port),
            "COCREATE_MAIL_DEFAULT_SENDER": "no-reply@cocreate.test",
            **{f"COCREATE_{k}": str(v) for k, v in extra.items()},
        }
    )
    return env


@pytest.mark.parametrize(
    ("command", "given"),
    [
        (["users", "token", "drafter@example.org"], None),
        # A command that takes a moment, as `flask demo load` does: time enough to claim rows.
        (["shell"], "import time; time.sleep(1.5)\n"),
    ],
)
def test_a_cli_command_starts_no_dispatcher(fresh_app, world, smtp: SmtpServer, command, given):
    ids = queue_mail(fresh_app, world, commitments=1)
    smtp.handler.delay = 1.0  # were a thread to start, the command would end mid-batch
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=process_env(fresh_app, smtp),
        input=given,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with fresh_app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage)))
    assert [(r.status, r.claimed_at) for r in rows] == [(PENDING, None)] * len(ids)
    assert smtp.received == []


EXIT_MID_BATCH = """
import time
from sqlalchemy import func, select
from workflow import create_app
from workflow.extensions import db
from workflow.notify.models import SENT, OutboxMessage

app = create_app()
assert app.test_client().get("/health").status_code == 200
deadline = time.monotonic() + 30
sent = 0
while not sent and time.monotonic() < deadline:
    time.sleep(0.05)
    with app.app_context():
        sent = db.session.scalar(select(func.count()).where(OutboxMessage.status == SENT))
print("exiting", flush=True)
"""


def test_exit_finishes_the_message_in_hand_and_hands_back_the_rest(
    fresh_app, world, smtp: SmtpServer
):
    ids = queue_mail(fresh_app, world, commitments=1)
    smtp.handler.delay = 0.5
    process = subprocess.Popen(
        [sys.executable, "-c", EXIT_MID_BATCH],
        cwd=ROOT,
        env=process_env(fresh_app, smtp, MAIL_TIMEOUT=3),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "exiting\n"
        exiting = time.monotonic()
        assert process.wait(timeout=30) == 0, process.stderr.read()
        assert time.monotonic() - exiting < 3 + 2  # at most MAIL_TIMEOUT, and some start-up
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()

    with fresh_app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    sent = [r for r in rows if r.status == SENT]
    handed_back = [r for r in rows if r.status != SENT]
    assert 0 < len(sent) < len(ids), "the process did not exit mid-batch"
    assert {(r.status, r.claimed_at, r.attempts) for r in handed_back} == {(PENDING, None, 0)}
    assert len(smtp.received) == len(sent)

    smtp.handler.delay = 0
    assert drain(point_at(fresh_app, smtp)) == (len(handed_back), 0, 0)  # due now, not in 10 min
    assert Counter(r.message["Message-ID"] for r in smtp.received) == Counter(
        expected_id(fresh_app, i) for i in ids
    )


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
