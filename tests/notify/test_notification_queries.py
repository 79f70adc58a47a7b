"""The notification list reads what it summarizes in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import event, select

from tests.conftest import build_world
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.models import Notification

from .test_followers_inapp import PASSWORD, page, sign_in


def queries_for(app, client, url: str) -> int:
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page(client, url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_the_list_costs_the_same_queries_for_one_commitment_or_many(fresh_app):
    world = build_world(fresh_app, drafts=4)
    with fresh_app.app_context():
        world.user("poc").set_password(PASSWORD)
        fire(world.commitment(0), "submit", world.user("drafter"))
        db.session.commit()
    client = fresh_app.test_client()
    sign_in(client, world.emails["poc"])
    one = queries_for(fresh_app, client, "/notifications")

    with fresh_app.app_context():
        for index in (1, 2, 3):
            fire(world.commitment(index), "submit", world.user("drafter"))
            fire(world.commitment(index), "request_changes", world.user("cso1"), comment="More.")
        db.session.commit()
        listed = db.session.scalars(
            select(Notification).where(Notification.user_id == world.user_ids["poc"])
        ).all()
        assert len(listed) == 7
    listing = page(client, "/notifications")
    many = queries_for(fresh_app, client, "/notifications")
    for number in (1, 2, 3, 4):
        assert f"Commitment {number} submitted for civil-society review, by Drafter" in listing
    assert many == one
