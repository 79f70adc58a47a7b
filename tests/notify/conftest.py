"""A real SMTP server in-process (aiosmtpd), and a committed plan with one user per role."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from tests.conftest import COMPLETE_COMMITMENT, World, build_world
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.models import OutboxMessage
from workflow.plans.models import ActionPlan
from workflow.plans.operations import create_commitment
from workflow.plans.schemas import parse_commitment


def free_port() -> int:
    """Return a local TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content().replace("\r\n", "\n")


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message; it can refuse, hang up or be slow.

    `during_data`, when set, runs in a worker thread while the client waits for the reply to
    DATA, with the message's Message-ID: the moment another dispatcher could act.
    """

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy: set[str] = field(default_factory=set)
    shut_down_at: set[str] = field(default_factory=set)
    delay: float = 0.0
    during_data: Callable[[str], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        if address in self.busy:
            return "450 4.2.1 Mailbox busy, try again later"
        if address in self.shut_down_at:
            return "421 4.3.2 Service shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        if self.during_data is not None:
            await asyncio.to_thread(self.during_data, message["Message-ID"])
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.handler = Recorder()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse_new_connections(self) -> None:
        """Stop listening; connections already open go on (callable from any thread)."""
        assert self._controller is not None and self._controller.server is not None
        self._controller.loop.call_soon_threadsafe(self._controller.server.close)

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def recipients(self) -> list[str]:
        """Return every envelope recipient, one per delivered copy, sorted."""
        return sorted(rcpt for r in self.received for rcpt in r.rcpt_tos)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """An SMTP server that is not running yet: its port refuses connections until start()."""
    server = SmtpServer()
    yield server
    server.stop()


def point_at(app: Flask, server: SmtpServer, **extra) -> Flask:
    """Send the app's mail to `server`."""
    settings = {
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "Cocreate <no-reply@cocreate.test>",
    }
    app.config.update({**settings, **extra})
    return app


def queue_mail(app, world: World, commitments: int) -> list[int]:
    """Commit `commitments` drafts taken through submit and endorse; return the outbox ids."""
    with app.app_context():
        plan = db.session.get(ActionPlan, world.plan_id)
        for _ in range(commitments):
            values = parse_commitment(COMPLETE_COMMITMENT, creating=True)
            commitment = create_commitment(plan, world.user("drafter"), values)
            fire(commitment, "submit", world.user("drafter"))
            fire(commitment, "endorse", world.user("cso1"))
        db.session.commit()
        return list(db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


@pytest.fixture
def mail_app(fresh_app: Flask, smtp: SmtpServer) -> Flask:
    """An app with real commits whose mail goes to the in-process SMTP server."""
    return point_at(fresh_app, smtp)


@pytest.fixture
def world(fresh_app: Flask) -> World:
    return build_world(fresh_app)


def expected_id(app: Flask, row_id: int) -> str:
    """Return the Message-ID the outbox row `row_id` goes out under on `app`'s installation."""
    from workflow.notify.dispatcher import message_id

    with app.app_context():
        return message_id(row_id)
