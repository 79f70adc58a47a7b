"""A batch works out a transition's shared words once; every mail reads as if rendered alone."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import World
from workflow.accounts.models import User
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.compose import Email, render_message
from workflow.notify.dispatcher import message_id, send_pending
from workflow.notify.models import OutboxMessage

from .conftest import SmtpServer, point_at


def rendered_alone(app) -> dict[str, Email]:
    """Render every queued row on its own, each in a fresh session, by Message-ID."""
    with app.app_context():
        ids = db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
        mails = {}
        for row_id in ids:
            db.session.expunge_all()
            mails[message_id(row_id)] = render_message(db.session.get(OutboxMessage, row_id))
        db.session.rollback()
        return mails


def test_every_mail_of_the_commitment_path_is_the_mail_rendered_alone(
    fresh_app, world: World, smtp: SmtpServer
):
    from workflow.review.operations import cast_vote

    app = point_at(fresh_app, smtp)
    with app.app_context():
        for i, role in enumerate(sorted(world.user_ids)):  # both languages in every transition
            world.user(role).language = "mn" if i % 2 else "en"
        c = world.commitment()
        fire(c, "submit", world.user("drafter"), comment="Ready <b>& 'quoted'</b>")
        fire(c, "request_changes", world.user("cso1"), comment="Baseline please.\nTwo lines.")
        fire(c, "submit", world.user("drafter"))
        fire(c, "endorse", world.user("cso2"))
        for role in ("msf_gov1", "msf_cso1", "msf_gov2"):  # the gate fires: a vote count
            cast_vote(world.commitment(), world.user(role), "approve", "Agreed.")
        fire(c, "send_back", world.user("signatory"), comment="Budget missing.")
        fire(c, "withdraw", world.user("poc"), comment="Merged.")
        db.session.commit()
    expected = rendered_alone(app)
    assert len(expected) > 20

    assert send_pending(app).sent == len(expected)  # one batch
    assert len(smtp.received) == len(expected)
    for mail in smtp.received:
        alone = expected[mail.message["Message-ID"]]
        assert str(mail.message["Subject"]) == alone.subject
        assert mail.message["Content-Language"] == alone.language
        assert mail.text.rstrip("\n") == alone.text.rstrip("\n")
        assert mail.html.rstrip("\n") == alone.html.rstrip("\n")


def test_a_name_or_language_changed_during_a_batch_reaches_the_next_message(
    fresh_app, world: World, smtp: SmtpServer
):
    app = point_at(fresh_app, smtp)
    with app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        first, last = rows[0], rows[-1]
        first_address, last_id, last_address = first.to_address, last.recipient_id, last.to_address

    def rename_the_last(_message_id: str) -> None:
        smtp.handler.during_data = None  # once, while the first message is sent
        with app.app_context():
            person = db.session.get(User, last_id)
            person.name, person.language = "Renamed Reviewer", "mn"
            db.session.commit()

    smtp.handler.during_data = rename_the_last
    assert send_pending(app).sent == 3
    mails = {r.rcpt_tos[0]: r for r in smtp.received}
    assert mails[first_address].message["Content-Language"] == "en"
    renamed = mails[last_address]
    assert renamed.message["Content-Language"] == "mn"
    assert "Renamed Reviewer" in renamed.text and "Renamed Reviewer" in renamed.html
    assert "Renamed Reviewer" in str(renamed.message["To"])
    # Exactly what the same row renders alone, now.
    assert renamed.text.rstrip("\n") == rendered_alone(app)[renamed.message["Message-ID"]].text
