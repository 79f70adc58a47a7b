"""Several dispatchers at once: each row is claimed by one of them and sent exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select, text

from tests.conftest import ON_POSTGRES
from workflow.extensions import db
from workflow.notify.dispatcher import Counts, send_pending
from workflow.notify.models import SENT, OutboxMessage

from .conftest import expected_id, queue_mail


def test_four_dispatchers_in_threads_send_each_row_once(mail_app, world, smtp):
    ids = queue_mail(mail_app, world, commitments=6)
    assert len(ids) == 6 * (3 + 6)
    smtp.handler.delay = 0.005  # keep connections open long enough to overlap
    barrier = threading.Barrier(4)
    results: list[Counts] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait(timeout=30)
            while (counts := send_pending(mail_app, limit=4)).total:
                results.append(counts)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sum(c.sent for c in results) == len(ids)
    assert sum(c.retried + c.failed for c in results) == 0
    message_ids = Counter(r.message["Message-ID"] for r in smtp.received)
    assert message_ids == Counter(expected_id(mail_app, i) for i in ids)
    with mail_app.app_context():
        rows = db.session.scalars(select(OutboxMessage))
        assert {(r.status, r.attempts) for r in rows} == {(SENT, 1)}


@pytest.mark.skipif(not ON_POSTGRES, reason="SKIP LOCKED is PostgreSQL's; SQLite has one writer")
def test_rows_another_dispatcher_holds_are_skipped_not_waited_for(mail_app, world, smtp):
    ids = queue_mail(mail_app, world, commitments=1)
    held = ids[:2]
    with mail_app.app_context(), db.engine.connect() as other:
        transaction = other.begin()
        # Another dispatcher, mid-claim: it holds the first two rows' locks.
        other.execute(
            text("SELECT id FROM outbox WHERE id IN (:a, :b) FOR UPDATE"),
            {"a": held[0], "b": held[1]},
        )
        outcome: list[Counts] = []
        worker = threading.Thread(target=lambda: outcome.append(send_pending(mail_app)))
        worker.start()
        worker.join(timeout=20)
        transaction.rollback()
        worker.join(timeout=20)
    assert outcome == [(len(ids) - 2, 0, 0)], "the dispatcher waited for the locked rows"
    sent = {r.message["Message-ID"] for r in smtp.received}
    assert sent == {expected_id(mail_app, i) for i in ids[2:]}
    assert send_pending(mail_app) == (2, 0, 0)
