"""The transition writes small rows; the dispatcher renders each message when it sends it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, select, update

from workflow.engine.audit import utcnow
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import send_pending
from workflow.notify.models import PENDING, SENT, OutboxMessage

from .conftest import point_at


def test_a_row_holds_what_composes_its_message_and_no_text(fresh_app, world, smtp):
    app = point_at(fresh_app, smtp)
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("outbox")}
        assert not columns & {"subject", "body_text", "body_html", "language"}
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready.")
        db.session.commit()
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        audience = {r.to_address: (r.template, r.audience) for r in rows}
        assert audience == {
            world.emails["poc"]: ("transition", "poc"),
            world.emails["cso1"]: ("transition", "cso_reviewer"),
            world.emails["cso2"]: ("transition", "cso_reviewer"),
        }
        assert len({r.log_entry_id for r in rows}) == 1 and rows[0].log_entry_id
        assert all(r.message_id is None for r in rows)

    assert send_pending(app) == (3, 0, 0)
    by_id = {r.message["Message-ID"]: r for r in smtp.received}
    with app.app_context():
        for row in db.session.scalars(select(OutboxMessage)):
            assert row.status == SENT and row.sent_at is not None
            mail = by_id[row.message_id]  # the row proves which message went out
            assert mail.rcpt_tos == [row.to_address]
    cso = next(r for r in smtp.received if r.rcpt_tos == [world.emails["cso1"]])
    assert "Please review the draft" in cso.text  # the next step of the role in the row
    assert "Ready." in cso.text


def test_sent_rows_are_pruned_after_the_retention_period(fresh_app, world, smtp):
    app = point_at(fresh_app, smtp, NOTIFY_RETENTION_DAYS=30)
    with app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
    assert send_pending(app, limit=2) == (2, 0, 0)
    with app.app_context():
        old, recent = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.status == SENT)
        ).all()
        for row_id, age in ((old, 31), (recent, 29)):
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .values(sent_at=utcnow() - timedelta(days=age))
            )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["notify", "prune"])
    assert result.exit_code == 0, result.output
    assert "removed 1 sent message(s)" in result.output
    with app.app_context():
        left = dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
    assert old not in left
    assert left[recent] == SENT
    assert sorted(left.values()) == [PENDING, SENT]  # a row still to send is never pruned
