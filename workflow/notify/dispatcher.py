"""Deliver the outbox: claim due rows, send them over one SMTP connection, record each outcome.

A claim is committed before any network I/O, so a crash mid-send leaves rows `sending`; they are
claimed again once NOTIFY_CLAIM_TIMEOUT_SECONDS have passed. Each outcome is committed as soon as
it is known, so such a crash can send again at most the one message that was in flight.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import NamedTuple

from flask import Flask, current_app
from flask_mail import Connection, Message
from sqlalchemy import and_, or_, select, update

from ..accounts.models import User
from ..database import read_only
from ..engine.audit import utcnow
from ..extensions import db, mail
from .models import FAILED, PENDING, SENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000


class Counts(NamedTuple):
    """How many claimed rows went out, will be retried, or failed for good."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: tuple) -> Counts:  # type: ignore[override]
        return Counts(*(a + b for a, b in zip(self, other, strict=True)))

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


@dataclass(frozen=True)
class Claimed:
    """What a claimed row needs for sending, copied so no session is open during network I/O."""

    id: int
    claimed_at: datetime
    attempts: int
    to_address: str
    to_name: str | None
    recipient_active: bool
    language: str
    subject: str
    body_text: str
    body_html: str


class ConnectionLost(Exception):
    """The SMTP connection cannot carry more messages; the rest of the batch waits for a retry."""


class TimeoutConnection(Connection):
    """Flask-Mail's connection, with a timeout on the socket (Flask-Mail opens smtplib without)."""

    def __init__(self, state, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        server, port = self.mail.server, self.mail.port
        # smtplib's own TLS default does not check the server's certificate; this one does.
        context = ssl.create_default_context()
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(server, port, timeout=self.timeout, context=context)
        else:
            host = smtplib.SMTP(server, port, timeout=self.timeout)
        try:
            host.set_debuglevel(int(self.mail.debug))
            if self.mail.use_tls:
                host.starttls(context=context)
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host

    def __exit__(self, exc_type, exc_value, tb) -> None:
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()  # the server went away: nothing left to say goodbye to


def send_pending(app: Flask | None = None, limit: int | None = None) -> Counts:
    """Claim up to `limit` due outbox rows and deliver them; return what became of them."""
    if app is not None:
        with app.app_context():
            return send_pending(limit=limit)
    if db.session.new or db.session.dirty or db.session.deleted:
        # The claim commits: refuse rather than commit someone else's unfinished work.
        raise RuntimeError("commit or roll back the session before sending the outbox")
    config = current_app.config
    counts = Counts()
    batch = []
    for item in claim_due(limit or config["NOTIFY_BATCH_SIZE"]):
        if item.recipient_active:
            batch.append(item)
        else:  # deactivated while the message waited: it is never sent
            error = "not sent: the recipient's account was deactivated"
            counts += _record_failure(item, error, permanent=True)
    if not batch:
        return counts
    if config.get("MAIL_SERVER"):
        return counts + _deliver_smtp(batch)
    return counts + _deliver_files(batch)


def drain(app: Flask | None = None, limit: int | None = None) -> Counts:
    """Send batches until nothing is due, or until a batch sends nothing (the server is down)."""
    if app is not None:
        with app.app_context():
            return drain(limit=limit)
    size = limit or current_app.config["NOTIFY_BATCH_SIZE"]
    total = Counts()
    while True:
        counts = send_pending(limit=size)
        total += counts
        if counts.total < size or counts.sent == 0:
            return total


def due_condition(now: datetime):
    """Return the SQL condition for rows a dispatcher may claim at `now`."""
    stale = now - timedelta(seconds=current_app.config["NOTIFY_CLAIM_TIMEOUT_SECONDS"])
    return or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < stale),
    )


def claim_due(limit: int) -> list[Claimed]:
    """Mark up to `limit` due rows `sending` and commit, before any message leaves."""
    now = utcnow()
    # A cheap read first: on SQLite the claim takes the write lock, so take it only for work.
    with read_only():
        anything = db.session.scalar(select(OutboxMessage.id).where(due_condition(now)).limit(1))
        db.session.rollback()
    if anything is None:
        return []
    try:
        ids = db.session.scalars(
            select(OutboxMessage.id)
            .where(due_condition(now))
            .order_by(OutboxMessage.id)
            .limit(limit)
            # PostgreSQL: rows another dispatcher holds are skipped, not waited for.
            # SQLite renders no FOR UPDATE; its write transactions begin IMMEDIATE instead.
            .with_for_update(skip_locked=True)
        ).all()
        if not ids:
            db.session.rollback()
            return []
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=SENDING, claimed_at=now),
            execution_options={"synchronize_session": False},
        )
        rows = db.session.execute(
            select(OutboxMessage, User.name, User.active)
            .outerjoin(User, User.id == OutboxMessage.recipient_id)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        ).all()
        batch = [
            Claimed(
                id=row.id,
                claimed_at=now,
                attempts=row.attempts,
                to_address=row.to_address,
                to_name=name,
                recipient_active=active is not False,
                language=row.language,
                subject=row.subject,
                body_text=row.body_text,
                body_html=row.body_html,
            )
            for row, name, active in rows
        ]
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    db.session.expunge_all()
    return batch


def message_id(row_id: int) -> str:
    """Return the Message-ID of an outbox row: the same on every attempt."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"] or ""
    _, address = sender if isinstance(sender, tuple) else parseaddr(sender)
    domain = address.rpartition("@")[2] or "cocreate.local"
    return f"<cocreate-outbox-{row_id}@{domain}>"


def build_message(item: Claimed) -> Message:
    """Build the Flask-Mail message for a claimed row, text and HTML, with its stable id."""
    recipient = (item.to_name, item.to_address) if item.to_name else item.to_address
    message = Message(
        subject=item.subject,
        recipients=[recipient],
        body=item.body_text,
        html=item.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={
            # RFC 3834: automatic mail, so out-of-office replies are not sent back to it.
            "Auto-Submitted": "auto-generated",
            "Content-Language": item.language,
        },
    )
    message.msgId = message_id(item.id)
    message.date = time.time()
    return message


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th failure: doubling, capped."""
    config = current_app.config
    base = float(config["NOTIFY_RETRY_BASE_SECONDS"])
    cap = float(config["NOTIFY_RETRY_MAX_SECONDS"])
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _deliver_smtp(batch: list[Claimed]) -> Counts:
    config = current_app.config
    # Read the settings now rather than at start-up, and send for real even under TESTING:
    # the outbox is the only sender, and "no server" already means "write files".
    state = mail.init_mail(config)
    state.suppress = False
    counts = Counts()
    remaining = list(batch)
    try:
        with TimeoutConnection(state, timeout=float(config["MAIL_TIMEOUT"])) as connection:
            while remaining:
                item = remaining[0]
                try:
                    connection.send(build_message(item))
                except smtplib.SMTPRecipientsRefused as exc:
                    codes = [code for code, _ in exc.recipients.values()]
                    if 421 in codes:  # the server is closing the connection (smtplib closed it)
                        raise ConnectionLost(_describe(exc)) from exc
                    remaining.pop(0)
                    permanent = all(code >= 500 for code in codes)
                    counts += _record_failure(item, _describe(exc), permanent=permanent)
                    continue
                except smtplib.SMTPResponseException as exc:
                    if exc.smtp_code == 421:  # the server is closing the connection
                        raise ConnectionLost(_describe(exc)) from exc
                    remaining.pop(0)
                    counts += _record_failure(item, _describe(exc))
                    continue
                except (smtplib.SMTPServerDisconnected, OSError) as exc:
                    raise ConnectionLost(_describe(exc)) from exc
                except Exception as exc:  # this message cannot be built or sent; the rest can
                    log.exception("outbox message %s could not be sent", item.id)
                    remaining.pop(0)
                    counts += _record_failure(item, _describe(exc))
                    continue
                remaining.pop(0)
                counts += _record_sent(item)
    except (ConnectionLost, smtplib.SMTPException, OSError) as exc:
        error = str(exc) if isinstance(exc, ConnectionLost) else _describe(exc)
        error = f"SMTP {config['MAIL_SERVER']}:{config['MAIL_PORT']}: {error}"
        log.warning(
            "mail delivery interrupted, %d message(s) will be retried: %s", len(remaining), error
        )
        for item in remaining:
            counts += _record_failure(item, error)
    return counts


def _deliver_files(batch: list[Claimed]) -> Counts:
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    counts = Counts()
    for item in batch:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            data = build_message(item).as_bytes()
            # Named by time then id, so a directory listing reads in sending order.
            name = f"{utcnow():%Y%m%dT%H%M%S%f}Z-{item.id:010d}.eml"
            partial = folder / f".{name}.part"
            partial.write_bytes(data)
            os.replace(partial, folder / name)  # a reader never sees half a message
        except Exception as exc:
            log.exception("outbox message %s could not be written", item.id)
            counts += _record_failure(item, _describe(exc))
            continue
        counts += _record_sent(item)
    return counts


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


def _record_sent(item: Claimed) -> Counts:
    now = utcnow()
    _record(item, status=SENT, sent_at=now, attempts=item.attempts + 1, last_error=None)
    return Counts(sent=1)


def _record_failure(item: Claimed, error: str, *, permanent: bool = False) -> Counts:
    attempts = item.attempts + 1
    if permanent or attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        _record(item, status=FAILED, attempts=attempts, last_error=error)
        log.error(
            "outbox message %s failed for good after %d attempt(s): %s", item.id, attempts, error
        )
        return Counts(failed=1)
    _record(
        item,
        status=PENDING,
        attempts=attempts,
        last_error=error,
        next_attempt_at=utcnow() + retry_delay(attempts),
    )
    return Counts(retried=1)


def _record(item: Claimed, **values) -> None:
    """Write one outcome, only if the row is still ours (a stale claim may have been re-taken)."""
    try:
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == item.id,
                OutboxMessage.status == SENDING,
                OutboxMessage.claimed_at == item.claimed_at,
            )
            .values(**values),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if result.rowcount != 1:
        log.warning("outbox message %s was claimed again by another dispatcher", item.id)
