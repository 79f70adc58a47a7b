"""Benchmark: messages per second from the outbox to a local aiosmtpd server, against smtplib.

The same messages, in the same run: the dispatcher claims, renders and records each one; plain
smtplib sends the already rendered messages over one connection. Prints both and the ratio
(these machines are noisy: compare ratios, not absolute numbers).

    .venv/bin/python bench/outbox.py [--count 300] [--database-url URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and bench/transitions.py would
# hide the `transitions` library the engine imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import logging
import smtplib
import socket
import tempfile
import time
from datetime import date

from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import select

from workflow import create_app
from workflow.accounts.operations import create_user, grant_role
from workflow.config import normalise_database_url
from workflow.database import temporary_database
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.compose import render_message
from workflow.notify.dispatcher import Claimed, build_message, drain, message_id
from workflow.notify.models import OutboxMessage
from workflow.plans.models import ActionPlan
from workflow.plans.operations import create_commitment
from workflow.plans.schemas import parse_commitment

DRAFT = {
    "title": "Benchmark commitment",
    "problem": "p",
    "description": "d",
    "how_it_solves": "h",
    "ogp_values": ["access_to_information"],
    "lead_agency": "Cabinet Secretariat",
    "expected_results": "r",
    "milestones": [{"description": "m", "start_date": "2024-01-01", "end_date": "2024-12-31"}],
}


class Sink:
    """Count what arrives."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def queue(count: int) -> None:
    """Queue `count` messages: submits seen by three recipients each."""
    plan = ActionPlan(
        slug="bench",
        country="Benchland",
        title="Bench plan",
        period_start=date(2024, 1, 1),
        period_end=date(2027, 12, 31),
    )
    db.session.add(plan)
    db.session.flush()
    people = {}
    for role in ("drafter", "cso_reviewer", "cso_reviewer", "poc"):
        user = create_user(f"{role}{len(people)}@bench.example.org", role, None)
        grant_role(plan, user, role)
        people[user.email] = user
    drafter = next(u for e, u in people.items() if e.startswith("drafter"))
    values = parse_commitment(DRAFT, creating=True)
    for _ in range(-(-count // 3)):
        fire(create_commitment(plan, drafter, values), "submit", drafter)
    db.session.commit()


def rendered_messages() -> list:
    """Render every queued row as the dispatcher would, for the plain smtplib run."""
    messages = []
    for row in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        item = Claimed(row.id, row.created_at, 0, row.to_address, None, message_id(row.id))
        messages.append(build_message(Claimed(**{**item.__dict__, "email": render_message(row)})))
    db.session.rollback()
    return messages


def plain_rate(port: int, messages: list) -> float:
    """Send already rendered messages with smtplib over one connection; return per second."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for message in messages:
            smtp.sendmail(message.sender, message.send_to, message.as_bytes())
    return len(messages) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="messages per path")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: a SQLite file)")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    server = normalise_database_url(args.database_url) if args.database_url else None
    try:
        with tempfile.TemporaryDirectory() as tmp, temporary_database(server, Path(tmp)) as url:
            app = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": url,
                    "INSTANCE_PATH": tmp,
                    "SECRET_KEY": "bench",
                    "NOTIFY_BACKGROUND": False,
                    "MAIL_SERVER": "127.0.0.1",
                    "MAIL_PORT": port,
                    "NOTIFY_BATCH_SIZE": args.count + 10,
                }
            )
            with app.app_context():
                upgrade()
                queue(args.count)
                total = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
                messages = rendered_messages()
                plain = plain_rate(port, messages)
                db.session.remove()
                start = time.perf_counter()
                counts = drain()
                outbox = counts.sent / (time.perf_counter() - start)
                assert counts.sent == total, counts
                print(f"database: {db.engine.dialect.name}; {total} messages per path")
                print(f"outbox (claim, render, send, record): {outbox:8.1f} messages/s")
                print(f"plain smtplib, one connection:        {plain:8.1f} messages/s")
                print(f"outbox / smtplib ratio:               {outbox / plain:8.2f}")
                db.session.remove()
                db.engine.dispose()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
