"""A mail server that is down, slow or refusing loses nothing; retries back off, then stop."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

from sqlalchemy import select, update

from tests.conftest import build_app, scratch_database
from workflow.engine.audit import utcnow
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import Claimed, claim_next, retry_delay, send_pending
from workflow.notify.models import FAILED, PENDING, SENDING, SENT, OutboxMessage

from .conftest import SmtpServer, World, expected_id, point_at


def submit(app, world: World) -> None:
    """Commit a submit by the drafter: three rows, for the POC and the two CSO reviewers."""
    with app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready.")
        db.session.commit()


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def make_due(app) -> None:
    """Let time pass: every waiting row becomes due now."""
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == PENDING)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_a_down_server_loses_nothing_and_each_mail_goes_out_once(fresh_app, world, smtp_down):
    app = point_at(fresh_app, smtp_down, NOTIFY_RETRY_BASE_SECONDS=60)
    submit(app, world)
    with app.app_context():
        assert world.commitment().state == "cso_review"  # the transition did not wait for mail

    before = utcnow()
    assert send_pending(app) == (0, 3, 0)
    rows = outbox(app)
    assert [(r.status, r.attempts, r.sent_at) for r in rows] == [(PENDING, 1, None)] * 3
    for row in rows:
        assert f"127.0.0.1:{smtp_down.port}" in row.last_error
        assert "Connection refused" in row.last_error
        assert row.next_attempt_at >= before + timedelta(seconds=60)

    assert send_pending(app) == (0, 0, 0)  # not due yet: nothing is tried
    smtp_down.start()
    assert send_pending(app) == (0, 0, 0)
    assert smtp_down.received == []

    make_due(app)
    assert send_pending(app) == (3, 0, 0)
    make_due(app)
    assert send_pending(app) == (0, 0, 0)
    assert smtp_down.recipients() == sorted(world.emails[r] for r in ("poc", "cso1", "cso2"))
    ids = sorted(r.message["Message-ID"] for r in smtp_down.received)
    assert ids == sorted(expected_id(app, r.id) for r in rows)
    assert [(r.status, r.attempts, r.last_error) for r in outbox(app)] == [(SENT, 2, None)] * 3


def test_after_the_attempt_limit_a_row_fails_for_good(fresh_app, world, smtp_down):
    app = point_at(fresh_app, smtp_down, NOTIFY_MAX_ATTEMPTS=3)
    submit(app, world)
    assert send_pending(app) == (0, 3, 0)
    make_due(app)
    assert send_pending(app) == (0, 3, 0)
    make_due(app)
    assert send_pending(app) == (0, 0, 3)
    rows = outbox(app)
    assert [(r.status, r.attempts) for r in rows] == [(FAILED, 3)] * 3
    assert all("Connection refused" in r.last_error for r in rows)

    smtp_down.start()
    make_due(app)
    assert send_pending(app) == (0, 0, 0)
    assert smtp_down.received == []


def test_the_backoff_doubles_up_to_its_cap(fresh_app):
    fresh_app.config.update(NOTIFY_RETRY_BASE_SECONDS=10, NOTIFY_RETRY_MAX_SECONDS=35)
    with fresh_app.app_context():
        delays = [retry_delay(n).total_seconds() for n in range(1, 6)]
    assert delays == [10, 20, 35, 35, 35]


def test_a_refused_mailbox_fails_at_once_and_the_batch_goes_on(fresh_app, world, smtp):
    app = point_at(fresh_app, smtp)
    smtp.handler.refuse.add(world.emails["cso1"])
    submit(app, world)
    assert send_pending(app) == (2, 0, 1)
    assert smtp.recipients() == sorted(world.emails[r] for r in ("poc", "cso2"))
    by_address = {r.to_address: r for r in outbox(app)}
    refused = by_address[world.emails["cso1"]]
    assert (refused.status, refused.attempts) == (FAILED, 1)
    assert "550" in refused.last_error


def test_a_server_hanging_up_mid_batch_loses_nothing(fresh_app, world, smtp):
    app = point_at(fresh_app, smtp)
    smtp.handler.shut_down_at.add(world.emails["cso1"])
    submit(app, world)
    # Rows go out in id order: the POC's first, then cso1's, where the server hangs up.
    assert send_pending(app) == (1, 2, 0)
    assert smtp.recipients() == [world.emails["poc"]]
    waiting = [r for r in outbox(app) if r.status == PENDING]
    assert sorted(r.to_address for r in waiting) == sorted(
        world.emails[r] for r in ("cso1", "cso2")
    )
    assert all("421" in r.last_error and r.attempts == 1 for r in waiting)

    smtp.handler.shut_down_at.clear()
    make_due(app)
    assert send_pending(app) == (2, 0, 0)
    assert smtp.recipients() == sorted(world.emails[r] for r in ("poc", "cso1", "cso2"))


def test_a_silent_server_times_out(fresh_app, world):
    # Accepts the TCP connection (the kernel does) but never sends the SMTP greeting.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        app = point_at(fresh_app, SmtpServer(), MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5)
        submit(app, world)
        started = time.monotonic()
        assert send_pending(app) == (0, 3, 0)
        assert time.monotonic() - started < 5
    rows = outbox(app)
    assert all(r.status == PENDING and "timed out" in r.last_error for r in rows)


def test_a_stale_claim_is_taken_again_and_a_fresh_one_is_not(fresh_app, world, smtp):
    app = point_at(fresh_app, smtp, NOTIFY_CLAIM_TIMEOUT_SECONDS=600)
    submit(app, world)
    first, second, third = (r.id for r in outbox(app))
    with app.app_context():
        # A dispatcher that died 11 minutes ago mid-batch, and one busy for a minute now.
        for row_id, age in ((first, 660), (second, 60)):
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .values(status=SENDING, claimed_at=utcnow() - timedelta(seconds=age))
            )
        db.session.commit()
    assert send_pending(app) == (2, 0, 0)
    statuses = {r.id: r.status for r in outbox(app)}
    assert statuses == {first: SENT, second: SENDING, third: SENT}
    sent_ids = sorted(r.message["Message-ID"] for r in smtp.received)
    assert sent_ids == sorted(expected_id(app, i) for i in (first, third))


def test_a_delivered_message_is_not_retried_when_a_reconnect_would_fail(fresh_app, world, smtp):
    # Flask-Mail's MAIL_MAX_EMAILS reconnects inside send(), after the server took the message.
    app = point_at(fresh_app, smtp, MAIL_MAX_EMAILS=1)
    submit(app, world)
    first_id = expected_id(app, outbox(app)[0].id)

    def go_away_after_the_first(msg_id: str) -> None:
        if msg_id == first_id:
            smtp.refuse_new_connections()

    smtp.handler.during_data = go_away_after_the_first
    assert send_pending(app) == (3, 0, 0)
    assert [(r.status, r.attempts) for r in outbox(app)] == [(SENT, 1)] * 3
    assert len(smtp.received) == 3


def test_a_message_that_kills_its_dispatcher_every_time_stops_at_the_attempt_limit(
    fresh_app, world, smtp
):
    app = point_at(fresh_app, smtp, NOTIFY_MAX_ATTEMPTS=3, NOTIFY_CLAIM_TIMEOUT_SECONDS=600)
    submit(app, world)
    poison = outbox(app)[0].id

    def die_holding_it() -> None:
        # What a dispatcher killed while sending leaves: its claim, which then times out.
        with app.app_context():
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == poison)
                .values(status=SENDING, claimed_at=utcnow() - timedelta(seconds=601))
            )
            db.session.commit()

    die_holding_it()
    assert send_pending(app) == (3, 0, 0)  # taken over: one attempt died, this one went out
    assert {r.id: r.attempts for r in outbox(app)}[poison] == 2

    with app.app_context():
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == poison).values(attempts=0)
        )
        db.session.commit()
    for _ in range(2):
        die_holding_it()
        with app.app_context():  # each takeover counts the death; the dispatcher dies again
            assert isinstance(claim_next(), Claimed)
    die_holding_it()
    smtp.clear()
    assert send_pending(app) == (0, 0, 1)  # the third death reaches the limit: failed for good
    row = {r.id: r for r in outbox(app)}[poison]
    assert (row.status, row.attempts) == (FAILED, 3)
    assert "stopped while sending it" in row.last_error
    assert smtp.received == []


def test_a_4xx_for_a_recipient_is_retried_with_jittered_backoff_and_a_5xx_is_not(
    fresh_app, world, smtp
):
    app = point_at(fresh_app, smtp, NOTIFY_RETRY_BASE_SECONDS=100)
    smtp.handler.busy = {world.emails["cso1"]}
    smtp.handler.refuse.add(world.emails["cso2"])
    before = utcnow()
    submit(app, world)
    assert send_pending(app) == (1, 1, 1)
    rows = {r.to_address: r for r in outbox(app)}
    busy, refused = rows[world.emails["cso1"]], rows[world.emails["cso2"]]
    assert (busy.status, busy.attempts) == (PENDING, 1) and "450" in busy.last_error
    assert before + timedelta(seconds=100) <= busy.next_attempt_at
    assert busy.next_attempt_at <= utcnow() + timedelta(seconds=150)
    assert (refused.status, refused.attempts) == (FAILED, 1) and "550" in refused.last_error


def test_message_ids_differ_between_installations(fresh_app, tmp_path):
    with scratch_database(tmp_path / "other") as url:
        other = build_app(url, tmp_path / "other" / "instance")
        try:
            assert expected_id(fresh_app, 1) != expected_id(other, 1)
            assert expected_id(fresh_app, 1) == expected_id(fresh_app, 1)
        finally:
            with other.app_context():
                db.session.remove()
                db.engine.dispose()
