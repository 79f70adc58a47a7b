"""`flask notify ...`: deliver the outbox."""

from __future__ import annotations

import signal
import threading
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..database import read_only
from ..engine.audit import utcnow
from ..extensions import db
from .background import run_loop
from .digest import queue_digests
from .dispatcher import Counts, UnsafeSettings, check_settings, drain
from .models import FAILED, PENDING, STATUSES, SUPPRESSED, OutboxMessage
from .reminders import send_reminders
from .retention import prune_sent

notify_cli = AppGroup("notify", help="Deliver notification email from the outbox.")


def _describe(counts: Counts) -> str:
    return f"sent {counts.sent}, retried later {counts.retried}, failed {counts.failed}"


@notify_cli.command("send")
@click.option("--limit", type=click.IntRange(min=1), help="Messages per batch.")
def send_command(limit: int | None) -> None:
    """Send every message that is due now, once."""
    try:
        counts = drain(limit=limit)
    except UnsafeSettings as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_describe(counts))
    if not current_app.config.get("MAIL_SERVER") and counts.sent:
        click.echo(f"No MAIL_SERVER set: messages were written to {_mail_dir()}")


@notify_cli.command("run")
@click.option("--interval", type=click.FloatRange(min=0.1), help="Seconds between passes.")
@click.option(
    "--iterations",
    type=click.IntRange(min=1),
    help="Stop after this many passes (default: run until interrupted).",
)
def run_command(interval: float | None, iterations: int | None) -> None:
    """Send due messages every few seconds until interrupted (a production worker)."""
    app = current_app._get_current_object()
    try:
        check_settings(app.config)
    except UnsafeSettings as exc:
        raise click.ClickException(str(exc)) from None
    interval = interval or float(app.config["NOTIFY_INTERVAL_SECONDS"])
    stop = threading.Event()
    previous = _stop_on_signals(stop)
    click.echo(f"Sending the outbox every {interval:g} s; Ctrl+C to stop.")
    try:
        run_loop(
            app,
            stop,
            interval,
            iterations=iterations,
            report=lambda counts: click.echo(_describe(counts)),
        )
    except KeyboardInterrupt:  # a second Ctrl+C: stop now; claimed rows are taken over later
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo("Stopped.")


@notify_cli.command("reminders")
@click.option(
    "--at",
    "at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    help="Act as if it were this moment, in UTC (catching up after downtime; tests).",
)
def reminders_command(at: datetime | None) -> None:
    """Queue reminders before due dates and escalations after them, each once."""
    sent = send_reminders(at or utcnow())
    db.session.commit()
    click.echo(
        f"reminders {sent.reminders}, escalations {sent.escalations}, messages {sent.messages}"
    )


@notify_cli.command("digest")
def digest_command() -> None:
    """Queue each person's daily digest of what they chose to hear of once a day."""
    mails, gathered = queue_digests()
    db.session.commit()
    click.echo(f"digests {mails}, notifications gathered {gathered}")


@notify_cli.command("prune")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    help="Keep sent rows this many days (default: NOTIFY_RETENTION_DAYS).",
)
def prune_command(days: int | None) -> None:
    """Delete sent rows older than the retention period; the log keeps what happened."""
    removed = prune_sent(days)
    db.session.commit()
    click.echo(f"removed {removed} sent message(s)")


@notify_cli.command("status")
@click.option("--limit", default=50, show_default=True, help="Rows to list per section.")
def status_command(limit: int) -> None:
    """Show how many messages are in each state, the failing ones and what was never sent."""
    with read_only():
        counts = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        failed = _rows(OutboxMessage.status == FAILED, limit)
        retrying = _rows(
            (OutboxMessage.status == PENDING) & OutboxMessage.last_error.is_not(None), limit
        )
        suppressed = db.session.execute(
            select(OutboxMessage.last_error, func.count())
            .where(OutboxMessage.status == SUPPRESSED)
            .group_by(OutboxMessage.last_error)
            .order_by(func.count().desc())
        ).all()
    width = max(len(status) for status in STATUSES)
    for status in STATUSES:
        click.echo(f"{status:{width}} {counts.get(status, 0)}")
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(f"No MAIL_SERVER set: messages are written to {_mail_dir()}")
    for heading, rows in (("Failed for good", failed), ("Waiting to retry", retrying)):
        if not rows:
            continue
        click.echo(f"\n{heading}:")
        for row in rows:
            when = (
                f", next try {row.next_attempt_at:%Y-%m-%d %H:%M} UTC"
                if row.status == PENDING
                else ""
            )
            click.echo(f"  #{row.id} to {row.to_address}, {row.attempts} attempt(s){when}")
            click.echo(f"    {row.template} of log entry {row.log_entry_id}")
            click.echo(f"    error: {row.last_error}")
    if suppressed:
        click.echo("\nNever sent, on purpose:")
        for reason, count in suppressed:
            click.echo(f"  {count} {reason or 'no reason recorded'}")


def _stop_on_signals(stop: threading.Event) -> dict[int, object]:
    """Let Ctrl+C and SIGTERM finish the message in hand and hand back the rest of its batch.

    A second Ctrl+C stops at once.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handle(signum: int, _frame: object) -> None:
        stop.set()
        signal.signal(signum, previous[signum])

    for sig in previous:
        signal.signal(sig, handle)
    return previous


def _rows(condition, limit: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(condition).order_by(OutboxMessage.id).limit(limit)
        )
    )


def _mail_dir() -> str:
    return str(current_app.config["MAIL_FILE_DIR"])
