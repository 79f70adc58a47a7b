"""Each recipient gets the email in their own language."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import send_pending
from workflow.notify.models import OutboxMessage

from .conftest import point_at

CYRILLIC = re.compile("[\u0400-\u04ff]")


def test_a_mongolian_reader_gets_the_mail_rendered_in_mn(fresh_app, world, smtp):
    app = point_at(fresh_app, smtp)
    with app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready.")
        db.session.commit()
        rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.template))
        assert dict(rows.all()) == {world.emails[r]: "transition" for r in ("cso1", "cso2", "poc")}
        # The language is the one the recipient has when the mail is sent, not when queued.
        world.user("cso1").language = "mn"
        db.session.commit()
    assert send_pending(app).sent == 3
    mails = {r.rcpt_tos[0]: r for r in smtp.received}
    mongolian, english = mails[world.emails["cso1"]], mails[world.emails["cso2"]]

    assert mongolian.message["Content-Language"] == "mn"
    assert english.message["Content-Language"] == "en"
    assert '<html lang="mn">' in mongolian.html
    assert '<html lang="en">' in english.html
    # The date is written by the locale's rules even before any catalogue is translated.
    assert "оны" in mongolian.text
    assert "оны" not in english.text
    assert "Ready." in mongolian.text


def test_a_mongolian_mail_about_the_vote_has_no_english_actor_or_decision(fresh_app, world, smtp):
    from workflow.review.operations import cast_vote

    app = point_at(fresh_app, smtp)
    with app.app_context():
        world.user("msf_cso2").language = "mn"
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))
        fire(c, "endorse", world.user("cso1"))
        db.session.commit()
    assert send_pending(app).sent > 0
    smtp.clear()
    with app.app_context():
        for role in ("msf_gov1", "msf_cso1", "msf_gov2"):
            cast_vote(world.commitment(), world.user(role), "approve", "Agreed.")
        db.session.commit()
    send_pending(app)
    (mail,) = [r for r in smtp.received if r.rcpt_tos == [world.emails["msf_cso2"]]]
    subject = str(mail.message["Subject"])
    assert "(" not in subject and CYRILLIC.search(subject)
    for body in (mail.text, mail.html):
        for english in ("MSF vote", "deciding vote", "The forum decided", "approve,", "Votes:"):
            assert english not in body, english
        assert "зөвлөлийн санал хураалт" in body
        assert "дэмжсэн 3" in body


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def test_every_mail_of_the_commitment_path_reads_in_mongolian(fresh_app, world, smtp):
    """Each event, each audience: nothing English but what people wrote (names, titles, links)."""
    from workflow.review.operations import cast_vote

    app = point_at(fresh_app, smtp)
    with app.app_context():
        people = [world.user(role) for role in world.user_ids]
        for person in people:
            person.language = "mn"
        written = {p.name for p in people} | {p.email for p in people}
        c = world.commitment()
        written |= {c.title, c.plan.title, c.plan.slug, "http://cocreate.test/commitments/"}
        fire(c, "submit", world.user("drafter"))
        fire(c, "request_changes", world.user("cso1"), comment="Baseline please.")
        fire(c, "submit", world.user("drafter"))
        fire(c, "endorse", world.user("cso2"))
        for role in ("msf_gov1", "msf_cso1", "msf_gov2"):
            cast_vote(world.commitment(), world.user(role), "approve", "Agreed.")
        fire(c, "send_back", world.user("signatory"), comment="Budget missing.")
        fire(c, "withdraw", world.user("poc"), comment="Merged.")
        db.session.commit()
    assert send_pending(app).sent > 20
    # The time zone's international abbreviation stays as it is written in Mongolian too.
    written |= {"Baseline please.", "Agreed.", "Budget missing.", "Merged.", "UTC"}
    kinds = set()
    for mail in smtp.received:
        assert mail.message["Content-Language"] == "mn"
        kinds.add(str(mail.message["Subject"]).split("] ", 1)[1].split(":")[1])
        for part in (str(mail.message["Subject"]), mail.text, html.unescape(mail.html)):
            for known in sorted(written, key=len, reverse=True):
                part = part.replace(known, "")
            part = re.sub(r"<[^>]+>|\d+", "", part)  # tags, and digits of dates
            assert not LATIN_WORD.search(part), (mail.message["Subject"], LATIN_WORD.findall(part))
    # Every event on the path had its own subject.
    assert len(kinds) == 6, kinds
