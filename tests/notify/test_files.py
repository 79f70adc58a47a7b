"""With no mail server configured, each message is written as an .eml file instead."""

from __future__ import annotations

from email import message_from_bytes, policy

from sqlalchemy import select

from workflow import create_app
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import message_id, send_pending
from workflow.notify.models import SENT, OutboxMessage


def test_messages_are_written_as_readable_eml_files(fresh_app, world, tmp_path):
    folder = tmp_path / "outgoing"
    fresh_app.config.update(MAIL_SERVER="", MAIL_FILE_DIR=str(folder))
    with fresh_app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready for review.")
        db.session.commit()
        fire(world.commitment(), "endorse", world.user("cso1"), comment="Well argued.")
        db.session.commit()

    assert send_pending(fresh_app, limit=4) == (4, 0, 0)  # in two batches, to see the order
    assert send_pending(fresh_app) == (5, 0, 0)
    assert send_pending(fresh_app) == (0, 0, 0)

    with fresh_app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        assert all(r.status == SENT and r.sent_at is not None for r in rows)
        ids = [r.id for r in rows]
        expected = [(message_id(r.id), r.to_address) for r in rows]

    files = sorted(folder.iterdir())
    assert all(p.suffix == ".eml" for p in files)  # no partly written file is left behind
    # Named by time then id: a sorted listing is the sending order, one file per row.
    assert [p.name.rsplit("-", 1)[1] for p in files] == [f"{i:010d}.eml" for i in ids]
    messages = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]
    assert [(m["Message-ID"], m["To"].addresses[0].addr_spec) for m in messages] == expected

    first = messages[0]
    assert first["From"].addresses[0].addr_spec == "no-reply@cocreate.local"
    assert first["Subject"] == "[world] Commitment 1 submitted for civil-society review"
    text = first.get_body(("plain",)).get_content()
    assert "Ready for review." in text
    assert "http://cocreate.test/commitments/" in text
    assert "<html lang=" in first.get_body(("html",)).get_content()


def test_the_default_folder_is_mail_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}",
            "SECRET_KEY": "test",
        }
    )
    assert app.config["MAIL_FILE_DIR"] == str(instance / "mail")
    with app.app_context():
        db.engine.dispose()
