"""A dispatcher sends a row only while its claim on it holds, and counts only what it recorded."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select, update

from workflow import create_app
from workflow.engine.audit import utcnow
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import Counts, UnsafeSettings, send_pending
from workflow.notify.models import PENDING, SENDING, SENT, OutboxMessage

from .conftest import SmtpServer, World, expected_id, point_at, queue_mail


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_batch_that_outlives_its_claim_sends_each_message_once(mail_app, world, smtp):
    # The claim lasts 6 s; the server takes 0.15 s a message, so 54 messages take over 8 s.
    # The mail timeout leaves 4x headroom over the server's pace for a busy test process.
    mail_app.config.update(NOTIFY_CLAIM_TIMEOUT_SECONDS=6, MAIL_TIMEOUT=0.6)
    ids = queue_mail(mail_app, world, commitments=6)
    smtp.handler.delay = 0.15
    results: dict[str, Counts] = {}
    first = threading.Thread(
        target=lambda: results.__setitem__("first", send_pending(mail_app, limit=len(ids)))
    )
    first.start()
    time.sleep(6.4)  # the rows the first has not reached yet are now claimed 6.4 s ago
    assert first.is_alive() and len(smtp.received) < len(ids) - 5, (
        f"the first finished early: {results}, {len(smtp.received)} of {len(ids)}"
    )
    results["second"] = send_pending(mail_app, limit=len(ids))
    first.join(timeout=60)

    assert results["second"].sent > 0, "the second dispatcher found nothing to take over"
    assert Counter(r.message["Message-ID"] for r in smtp.received) == Counter(
        expected_id(mail_app, i) for i in ids
    )
    assert results["first"].sent + results["second"].sent == len(ids)
    assert {(r.status, r.attempts) for r in outbox(mail_app)} == {(SENT, 1)}


def test_a_row_taken_over_mid_send_is_neither_recorded_nor_counted(mail_app, world: World, smtp):
    with mail_app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
    first = outbox(mail_app)[0].id
    taken_at = utcnow()

    def take_over(msg_id: str) -> None:
        # What another dispatcher's claim does once this one's has timed out.
        if msg_id == expected_id(mail_app, first):
            with mail_app.app_context():
                db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == first)
                    .values(status=SENDING, claimed_at=taken_at)
                )
                db.session.commit()

    smtp.handler.during_data = take_over
    assert send_pending(mail_app) == (2, 0, 0)
    rows = {r.id: r for r in outbox(mail_app)}
    assert (rows[first].status, rows[first].claimed_at, rows[first].attempts) == (
        SENDING,
        taken_at,
        0,
    )
    assert [r.status for i, r in rows.items() if i != first] == [SENT, SENT]


def test_a_row_taken_over_before_its_turn_is_not_sent(mail_app, world: World, smtp):
    with mail_app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
    first, second, third = (r.id for r in outbox(mail_app))
    taken_at = utcnow()

    def take_over_the_last(msg_id: str) -> None:
        if msg_id == expected_id(mail_app, first):
            with mail_app.app_context():
                db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == third)
                    .values(status=SENDING, claimed_at=taken_at)
                )
                db.session.commit()

    smtp.handler.during_data = take_over_the_last
    assert send_pending(mail_app) == (2, 0, 0)
    assert [r.message["Message-ID"] for r in smtp.received] == [
        expected_id(mail_app, first),
        expected_id(mail_app, second),
    ]
    assert outbox(mail_app)[2].claimed_at == taken_at


@pytest.mark.parametrize(
    ("mail_timeout", "claim_timeout"), [(61, 600), (10, 60), (0, 600), ("soon", 600)]
)
def test_a_mail_timeout_not_well_below_the_claim_timeout_is_refused(
    fresh_app, world: World, smtp: SmtpServer, mail_timeout, claim_timeout
):
    app = point_at(
        fresh_app, smtp, MAIL_TIMEOUT=mail_timeout, NOTIFY_CLAIM_TIMEOUT_SECONDS=claim_timeout
    )
    with app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
    with pytest.raises(UnsafeSettings, match="MAIL_TIMEOUT"):
        send_pending(app)
    for command in (["notify", "send"], ["notify", "run", "--iterations", "1"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 1, result.output
        assert "Error: MAIL_TIMEOUT" in result.output
        assert "COCREATE_MAIL_TIMEOUT" in result.output
    assert {r.status for r in outbox(app)} == {PENDING}
    assert smtp.received == []

    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": "test",
        "NOTIFY_BACKGROUND": True,
        "MAIL_TIMEOUT": mail_timeout,
        "NOTIFY_CLAIM_TIMEOUT_SECONDS": claim_timeout,
    }
    with pytest.raises(UnsafeSettings, match="MAIL_TIMEOUT"):
        create_app(settings)


def test_the_default_timeouts_are_accepted(fresh_app):
    assert fresh_app.config["MAIL_TIMEOUT"] * 10 <= fresh_app.config["NOTIFY_CLAIM_TIMEOUT_SECONDS"]
    assert send_pending(fresh_app) == (0, 0, 0)
