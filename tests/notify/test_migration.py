"""Migration 0002: the outbox accepts `suppressed`, and going back turns such rows into `sent`."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from tests.test_migrations import schema_differences
from workflow.extensions import db
from workflow.notify.models import STATUSES, SUPPRESSED


def add_row(status: str) -> int:
    """Insert an outbox row with `status` and commit, in the schema at hand; return its id."""
    columns = {c["name"] for c in inspect(db.session.connection()).get_columns("outbox")}
    if "body_text" in columns:  # before 0003: the row carries its text
        names, values = "language, subject, body_text, body_html", "'en', 'S', 'T', '<p>T</p>'"
    else:
        names, values = "template, audience", "'transition', 'poc'"
    row_id = db.session.execute(
        text(
            f"INSERT INTO outbox (to_address, {names}, status, attempts, created_at,"
            f" next_attempt_at) VALUES ('a@example.org', {values}, :status, 0,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"status": status},
    ).scalar_one()
    db.session.commit()
    return row_id


def status_check() -> str:
    (check,) = [
        c["sqltext"]
        for c in inspect(db.engine).get_check_constraints("outbox")
        if c["name"] == "ck_outbox_status"
    ]
    return check


def refused(status: str) -> bool:
    try:
        add_row(status)
    except IntegrityError:
        db.session.rollback()
        return True
    return False


def test_suppressed_is_a_status_and_downgrade_maps_it_to_sent(fresh_app):
    with fresh_app.app_context():
        assert SUPPRESSED in STATUSES
        assert all(f"'{s}'" in status_check() for s in STATUSES)
        kept = add_row(SUPPRESSED)
        assert refused("bounced")

        downgrade(revision="0001")
        assert "suppressed" not in status_check()
        assert db.session.execute(text("SELECT status FROM outbox")).scalars().all() == ["sent"]
        assert refused(SUPPRESSED)

        upgrade()
        assert schema_differences() == []
        assert "'suppressed'" in status_check()
        assert refused("bounced")
        added = add_row(SUPPRESSED)
        rows = db.session.execute(text("SELECT id, status FROM outbox ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(kept, "sent"), (added, SUPPRESSED)]


def outbox_shape() -> tuple:
    inspector = inspect(db.engine)
    return (
        inspector.get_columns("outbox"),
        inspector.get_pk_constraint("outbox"),
        sorted(inspector.get_foreign_keys("outbox"), key=lambda fk: fk["name"]),
        sorted(inspector.get_indexes("outbox"), key=lambda ix: ix["name"]),
    )


def test_the_copied_table_keeps_its_columns_keys_and_index(fresh_app):
    # On SQLite the constraint change copies the table: nothing else of it may be lost.
    with fresh_app.app_context():
        downgrade(revision="0001")
        before = outbox_shape()
        upgrade(revision="0002")
        assert repr(outbox_shape()) == repr(before)


def test_0003_keeps_sent_rows_and_gives_back_no_text_it_never_had(fresh_app):
    with fresh_app.app_context():
        downgrade(revision="0002")
        sent = add_row("sent")
        waiting = add_row("pending")
        upgrade()
        assert schema_differences() == []
        rows = db.session.execute(
            text("SELECT id, status, template, audience FROM outbox ORDER BY id")
        ).all()
        assert [tuple(r) for r in rows] == [
            (sent, "sent", "transition", ""),
            (waiting, "pending", "transition", ""),
        ]
        assert db.session.execute(text("SELECT count(*) FROM installation")).scalar() == 1
        db.session.rollback()

        downgrade(revision="0002")
        rows = db.session.execute(text("SELECT id, status FROM outbox ORDER BY id")).all()
        # A row not yet sent has no text in the old schema: it is never sent, on purpose.
        assert [tuple(r) for r in rows] == [(sent, "sent"), (waiting, SUPPRESSED)]
        db.session.rollback()
        upgrade()
