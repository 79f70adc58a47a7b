"""A dispatcher killed with SIGKILL mid-batch and started again loses nothing.

Only the message the server had in hand at the kill may arrive twice, under the same
Message-ID; the rest of the batch goes out at once, not after the claim timeout. Runs on the
suite's database: SQLite by default, PostgreSQL with DATABASE_URL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from workflow.extensions import db
from workflow.notify.models import SENDING, SENT, OutboxMessage

from .conftest import SmtpServer, expected_id, queue_mail

ROOT = Path(__file__).resolve().parents[2]
CLAIM_TIMEOUT = 8  # seconds: the in-flight message waits this long after the kill


def dispatcher(app, smtp: SmtpServer) -> subprocess.Popen:
    """Start `flask notify run` in a process of its own, on the test's database and server."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test",
            "COCREATE_MAIL_SERVER": smtp.host,
            "COCREATE_MAIL_PORT": str(smtp.port),
            "COCREATE_MAIL_DEFAULT_SENDER": "no-reply@cocreate.test",
            "COCREATE_MAIL_TIMEOUT": "0.4",
            "COCREATE_NOTIFY_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
            "COCREATE_NOTIFY_BATCH_SIZE": "40",
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "notify", "run", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def statuses(app) -> Counter:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
        db.session.rollback()
    return Counter(dict(rows))


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_sigkill_mid_batch_loses_nothing_and_repeats_only_the_message_in_flight(
    fresh_app, world, smtp: SmtpServer
):
    fresh_app.config["MAIL_DEFAULT_SENDER"] = "no-reply@cocreate.test"  # as the processes have
    ids = queue_mail(fresh_app, world, commitments=4)
    assert len(ids) >= 20
    kill_at = 6  # the server is reading the 6th message when its sender dies
    killed = threading.Event()
    in_flight: list[str] = []
    first = dispatcher(fresh_app, smtp)

    def kill_during_data(message_id: str) -> None:
        if not killed.is_set() and len(smtp.received) + 1 == kill_at:
            in_flight.append(message_id)
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed.set()

    smtp.handler.during_data = kill_during_data
    second = None
    try:
        assert killed.wait(timeout=60), "the dispatcher never reached the message to kill it in"
        smtp.handler.during_data = None
        # What the dead dispatcher holds back: the message in flight, no more.
        assert statuses(fresh_app)[SENDING] == 1
        killed_at = time.monotonic()
        second = dispatcher(fresh_app, smtp)
        # Everything but the message in flight goes out long before its claim times out.
        assert wait_for(lambda: statuses(fresh_app)[SENT] == len(ids) - 1, CLAIM_TIMEOUT - 1)
        assert time.monotonic() - killed_at < CLAIM_TIMEOUT
        assert wait_for(lambda: statuses(fresh_app)[SENT] == len(ids), CLAIM_TIMEOUT + 20)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    received = Counter(r.message["Message-ID"] for r in smtp.received)
    expected = {expected_id(fresh_app, i) for i in ids}
    assert set(received) == expected, "a message was lost or one came from nowhere"
    repeats = {mid: n for mid, n in received.items() if n > 1}
    assert set(repeats) <= set(in_flight) and all(n == 2 for n in repeats.values()), repeats
    with fresh_app.app_context():
        rows = {
            expected_id(fresh_app, r.id): r
            for r in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        }
    # The attempt that died with its dispatcher is counted.
    assert rows[in_flight[0]].attempts == 2
    assert {r.attempts for mid, r in rows.items() if mid != in_flight[0]} == {1}
    assert all(r.message_id == mid for mid, r in rows.items())
