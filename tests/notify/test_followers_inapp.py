"""Followers hear of decisive outcomes; the bell, the list, preferences and the daily digest."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from workflow.accounts.operations import create_user
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import send_pending
from workflow.notify.models import DIGEST_TEMPLATE, Notification, OutboxMessage
from workflow.review.operations import add_comment, cast_vote, respond_to_comment

from .conftest import World, point_at

PASSWORD = "a long passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sign_in(client, email: str) -> None:
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "email": email, "password": PASSWORD}
    assert client.post("/login", data=data).status_code == 302


def token_of(client, url: str) -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def to_signoff(world: World, submitted: bool = False) -> None:
    c = world.commitment()
    if not submitted:
        fire(c, "submit", world.user("drafter"))
    fire(c, "endorse", world.user("cso1"))
    for role in ("msf_gov1", "msf_cso1", "msf_gov2"):
        cast_vote(c, world.user(role), "approve", "Agreed.")


def test_commenters_and_people_who_chose_to_follow_hear_of_outcomes(fresh_app, world: World, smtp):
    app = point_at(fresh_app, smtp)
    with app.app_context():
        create_user("watcher@example.org", "Watcher", PASSWORD)
        db.session.commit()
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))
        comment = add_comment(c, world.user("cso2"), "Name the agency.", None)
        respond_to_comment(comment, c, world.user("drafter"), "Done.", "adopted")
        db.session.commit()
    client = app.test_client()
    sign_in(client, "watcher@example.org")
    body = page(client, f"/commitments/{world.commitment_id}")
    assert "Follow this commitment" in body
    token = token_of(client, f"/commitments/{world.commitment_id}")
    response = client.post(
        f"/commitments/{world.commitment_id}/follow", data={"csrf_token": token, "following": "1"}
    )
    assert response.status_code == 302
    assert "Stop following" in page(client, f"/commitments/{world.commitment_id}")
    assert client.post(f"/commitments/{world.commitment_id}/follow").status_code == 400  # CSRF

    with app.app_context():
        send_pending(app)
    smtp.clear()
    with app.app_context():
        to_signoff(world, submitted=True)  # the vote approves: a decisive outcome
        db.session.commit()
    send_pending(app)
    to = smtp.recipients()
    assert "watcher@example.org" in to
    assert world.emails["cso2"] in to  # commented: follows without asking
    follower_mail = next(r for r in smtp.received if r.rcpt_tos == ["watcher@example.org"])
    assert "as a follower of it" in follower_mail.text

    # Stopping wins over following without asking.
    with app.app_context():
        from workflow.notify.operations import set_following

        set_following(world.user_ids["cso2"], world.commitment_id, False)
        db.session.commit()
        smtp.clear()
        fire(world.commitment(), "sign_off", world.user("signatory"))
        db.session.commit()
    send_pending(app)
    assert world.emails["cso2"] not in smtp.recipients()
    assert "watcher@example.org" in smtp.recipients()


def test_the_bell_counts_unread_and_opening_one_marks_it_read(fresh_app, world: World):
    with fresh_app.app_context():
        world.user("cso1").set_password(PASSWORD)
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
    client = fresh_app.test_client()
    sign_in(client, world.emails["cso1"])
    home = page(client, "/")
    assert re.search(r">Notifications <span[^>]*>\(1\)</span></a>", home)
    listing = page(client, "/notifications")
    assert "Commitment 1 submitted for civil-society review, by Drafter" in listing
    with fresh_app.app_context():
        (note,) = db.session.scalars(
            select(Notification).where(Notification.user_id == world.user_ids["cso1"])
        ).all()
    token = token_of(client, "/notifications")
    response = client.post(f"/notifications/{note.id}/open", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/commitments/{world.commitment_id}")
    assert "Notifications (" not in page(client, "/")
    # Someone else's notification cannot be opened.
    with fresh_app.app_context():
        other = db.session.scalar(
            select(Notification.id).where(Notification.user_id != world.user_ids["cso1"])
        )
    assert (
        client.post(f"/notifications/{other}/open", data={"csrf_token": token}).status_code == 404
    )


def test_a_digest_gathers_what_a_person_chose_to_hear_once_a_day(fresh_app, world: World, smtp):
    app = point_at(fresh_app, smtp)
    with app.app_context():
        world.user("poc").set_password(PASSWORD)
        db.session.commit()
    client = app.test_client()
    sign_in(client, world.emails["poc"])
    form = page(client, "/notifications/preferences")
    assert '<label for="pref-updates">' in form
    token = token_of(client, "/notifications/preferences")
    response = client.post(
        "/notifications/preferences",
        data={"csrf_token": token, "updates": "digest", "followed": "off"},
    )
    assert response.status_code == 200 and "Saved." in html.unescape(response.get_data(True))

    with app.app_context():
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))  # the POC hears of it: in the digest
        fire(c, "request_changes", world.user("cso1"), comment="Name the agency.")
        db.session.commit()
    send_pending(app)
    assert world.emails["poc"] not in smtp.recipients()
    smtp.clear()

    result = app.test_cli_runner().invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    assert "digests 1, notifications gathered 2" in result.output
    again = app.test_cli_runner().invoke(args=["notify", "digest"])
    assert "digests 0, notifications gathered 0" in again.output
    assert send_pending(app) == (1, 0, 0)
    (digest,) = smtp.received
    assert digest.rcpt_tos == [world.emails["poc"]]
    text = digest.text
    assert "Fifth National Action Plan" in text
    newer, older = text.index("Changes requested"), text.index("submitted")
    assert newer < older  # newest first
    with app.app_context():
        row = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.template == DIGEST_TEMPLATE)
        )
        assert row.recipient_id == world.user_ids["poc"]


def test_a_request_with_a_deadline_is_mailed_at_once_whatever_the_preference(
    fresh_app, world: World, smtp
):
    app = point_at(fresh_app, smtp)
    with app.app_context():
        from workflow.notify.operations import set_preferences

        set_preferences(world.user_ids["cso1"], {"updates": "off"})
        fire(world.commitment(), "submit", world.user("drafter"))  # cso1 must review by a date
        db.session.commit()
    send_pending(app)
    assert world.emails["cso1"] in smtp.recipients()


def test_the_background_senders_hour_queues_one_round_of_digests_a_day(fresh_app, world: World):
    """From NOTIFY_DIGEST_HOUR on, the hourly housekeeping queues digests once that day."""
    from datetime import datetime

    from workflow.notify.digest import digest_due
    from workflow.notify.models import DIGEST
    from workflow.notify.operations import set_preferences
    from workflow.notify.retention import hourly_housekeeping

    fresh_app.config["NOTIFY_DIGEST_HOUR"] = 0  # any time today is past it
    with fresh_app.app_context():
        set_preferences(world.user_ids["poc"], {"updates": DIGEST})
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
        assert digest_due(datetime(2030, 5, 1, 0, 30), 0)
        assert not digest_due(datetime(2030, 5, 1, 6, 0), 7)  # before the hour: not yet
    hourly_housekeeping(fresh_app)
    hourly_housekeeping(fresh_app)  # the next hour: today's round is queued already
    with fresh_app.app_context():
        digests = db.session.scalars(
            select(OutboxMessage.recipient_id).where(OutboxMessage.template == DIGEST_TEMPLATE)
        ).all()
    assert digests == [world.user_ids["poc"]]


def test_a_follower_outside_the_plan_is_told_as_they_chose(fresh_app, world: World):
    """Followers who hold no role on the event are read with their own choices for outcomes."""
    from workflow.notify.models import DIGEST, FOLLOWED, OFF
    from workflow.notify.operations import set_following, set_preferences

    with fresh_app.app_context():
        quiet = create_user("quiet@example.org", "Quiet", PASSWORD).id
        daily = create_user("daily@example.org", "Daily", PASSWORD).id
        for user_id, mode in ((quiet, OFF), (daily, DIGEST)):
            set_following(user_id, world.commitment_id, True)
            set_preferences(user_id, {FOLLOWED: mode})
        db.session.commit()
        to_signoff(world)  # the vote approves: a decisive outcome
        db.session.commit()
        notes = {
            n.user_id: n
            for n in db.session.scalars(
                select(Notification).where(Notification.user_id.in_([quiet, daily]))
            )
        }
        assert {n.kind for n in notes.values()} == {FOLLOWED}
        assert not notes[quiet].digest_pending and notes[daily].digest_pending
        mailed = db.session.scalars(
            select(OutboxMessage.recipient_id).where(OutboxMessage.recipient_id.in_([quiet, daily]))
        ).all()
        assert mailed == []
