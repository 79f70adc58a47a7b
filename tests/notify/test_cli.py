"""`flask notify send | run | status`, through Flask's CLI runner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from workflow import create_app
from workflow.engine.audit import utcnow
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.models import PENDING, SENT, SUPPRESSED, OutboxMessage

from .conftest import World, point_at


def submit(app, world: World) -> None:
    with app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready.")
        db.session.commit()


def statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_send_writes_files_when_no_server_is_set(fresh_app, world):
    submit(fresh_app, world)
    result = fresh_app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 3, retried later 0, failed 0" in result.output
    assert fresh_app.config["MAIL_FILE_DIR"] in result.output
    assert statuses(fresh_app) == [SENT] * 3


def test_send_with_the_server_down_exits_zero_and_keeps_the_mail(fresh_app, world, smtp_down):
    app = point_at(fresh_app, smtp_down)
    submit(app, world)
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 0, retried later 3, failed 0" in result.output
    assert statuses(app) == [PENDING] * 3


def test_send_exits_non_zero_when_it_crashes(fresh_app, tmp_path):
    # fresh_app keeps the shared rolled-back session out of the way; this app has its own
    # database, never migrated: there is no outbox to read.
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
            "SECRET_KEY": "test",
        }
    )
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code != 0
    assert "outbox" in str(result.exception)
    with app.app_context():
        db.engine.dispose()


def test_run_sends_on_each_pass_until_it_stops(fresh_app, world, smtp):
    app = point_at(fresh_app, smtp)
    submit(app, world)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notify", "run", "--interval", "0.1", "--iterations", "2"])
    assert result.exit_code == 0, result.output
    assert "sent 3, retried later 0, failed 0" in result.output
    assert result.output.rstrip().endswith("Stopped.")
    assert len(smtp.received) == 3
    assert statuses(app) == [SENT] * 3


def test_status_counts_rows_and_shows_the_errors(fresh_app, world, smtp_down):
    app = point_at(fresh_app, smtp_down, NOTIFY_MAX_ATTEMPTS=2)
    submit(app, world)
    runner = app.test_cli_runner()
    runner.invoke(args=["notify", "send"])
    with app.app_context():
        first = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id).limit(1))
        first.next_attempt_at = utcnow() - timedelta(seconds=1)
        first_id, first_address = first.id, first.to_address
        db.session.commit()
    assert "failed 1" in runner.invoke(args=["notify", "send"]).output

    result = runner.invoke(args=["notify", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:5] == [
        "pending    2",
        "sending    0",
        "sent       0",
        "failed     1",
        "suppressed 0",
    ]
    failed = result.output.split("Failed for good:")[1].split("Waiting to retry:")[0]
    assert f"#{first_id} to {first_address}, 2 attempt(s)" in failed
    assert "Connection refused" in failed
    waiting = result.output.split("Waiting to retry:")[1]
    assert waiting.count("1 attempt(s), next try") == 2
    assert "Connection refused" in waiting


def test_status_of_an_empty_outbox(fresh_app):
    with fresh_app.app_context():
        db.session.execute(update(OutboxMessage).values(status=SENT))  # touches nothing
        db.session.commit()
    result = fresh_app.test_cli_runner().invoke(args=["notify", "status"])
    assert result.exit_code == 0
    assert "Failed for good" not in result.output
    assert "Never sent" not in result.output
    assert "failed     0" in result.output


def test_status_shows_the_demo_history_mail_as_suppressed_and_send_leaves_it(fresh_app):
    runner = fresh_app.test_cli_runner()
    loaded = runner.invoke(args=["demo", "load", "--any-database"])
    assert loaded.exit_code == 0, loaded.output
    written = len(statuses(fresh_app))
    assert written > 50
    assert statuses(fresh_app) == [SUPPRESSED] * written

    result = runner.invoke(args=["notify", "status"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:5] == [
        "pending    0",
        "sending    0",
        "sent       0",
        "failed     0",
        f"suppressed {written}",
    ]
    never = result.output.split("Never sent, on purpose:")[1]
    assert never.strip() == f"{written} written while loading demo data; not sent"

    assert "sent 0, retried later 0" in runner.invoke(args=["notify", "send"]).output
    assert statuses(fresh_app) == [SUPPRESSED] * written
    mail_dir = Path(fresh_app.config["MAIL_FILE_DIR"])
    assert not mail_dir.exists() or not any(mail_dir.iterdir())
