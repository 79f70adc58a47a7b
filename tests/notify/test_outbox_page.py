"""The administrators' outbox page and the backlog in /health."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import select, update

from workflow.engine.audit import utcnow
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.models import FAILED, PENDING, OutboxMessage

from .conftest import World

PASSWORD = "a long passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sign_in(client, email: str) -> None:
    form = client.get("/login").get_data(as_text=True)
    token = TOKEN.search(form).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302


def queued(app, world: World) -> list[int]:
    with app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready.")
        db.session.commit()
        return list(db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


def make_user(app, email: str, *, admin: bool) -> None:
    from workflow.accounts.operations import create_user

    with app.app_context():
        user = create_user(email, email.split("@")[0], PASSWORD)
        user.is_admin = admin
        db.session.commit()


def test_health_reports_the_backlog_and_the_oldest_wait(fresh_app, world):
    client = fresh_app.test_client()
    assert client.get("/health").get_json() == {
        "status": "ok",
        "outbox": {"waiting": 0, "oldest_age_seconds": None},
    }
    ids = queued(fresh_app, world)
    with fresh_app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == ids[0])
            .values(created_at=utcnow() - timedelta(minutes=30))
        )
        db.session.commit()
    outbox = client.get("/health").get_json()["outbox"]
    assert outbox["waiting"] == len(ids) == 3
    assert 1800 <= outbox["oldest_age_seconds"] < 1900


def test_an_administrator_sees_failures_and_retries_one(fresh_app, world):
    ids = queued(fresh_app, world)
    with fresh_app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == ids[1])
            .values(status=FAILED, attempts=8, last_error="SMTPRecipientsRefused: 550 no such")
        )
        db.session.commit()
    make_user(fresh_app, "admin@example.org", admin=True)
    client = fresh_app.test_client()
    sign_in(client, "admin@example.org")

    body = html.unescape(client.get("/admin/outbox").get_data(as_text=True))
    assert "Failed: 1" in body and "Pending: 2" in body
    assert "550 no such" in body
    assert f'id="message-{ids[1]}"' in body and f'id="message-{ids[0]}"' not in body
    pending = html.unescape(client.get("/admin/outbox?status=pending").get_data(as_text=True))
    assert f'id="message-{ids[0]}"' in pending and "Retry" not in pending

    token = TOKEN.search(body).group(1)
    assert client.post(f"/admin/outbox/{ids[1]}/retry").status_code == 400  # no CSRF token
    response = client.post(f"/admin/outbox/{ids[1]}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    with fresh_app.app_context():
        row = db.session.get(OutboxMessage, ids[1])
        assert (row.status, row.attempts) == (PENDING, 0)
        assert row.next_attempt_at <= utcnow()
    again = client.post(f"/admin/outbox/{ids[1]}/retry", data={"csrf_token": token})
    assert again.status_code == 409  # only a failed message is retried


def test_only_administrators_see_the_outbox(fresh_app, world):
    ids = queued(fresh_app, world)
    client = fresh_app.test_client()
    assert client.get("/admin/outbox").status_code == 404
    make_user(fresh_app, "someone@example.org", admin=False)
    sign_in(client, "someone@example.org")
    assert client.get("/admin/outbox").status_code == 404
    token = TOKEN.search(client.get("/").get_data(as_text=True)).group(1)
    response = client.post(f"/admin/outbox/{ids[0]}/retry", data={"csrf_token": token})
    assert response.status_code == 404
