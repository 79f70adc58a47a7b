"""Deliver the outbox: claim due rows, send them over one SMTP connection, record each outcome.

A claim (status `sending` and the time it was made) is committed before any network I/O, so a
dispatcher that dies mid-batch leaves rows that another takes over once the claim is
NOTIFY_CLAIM_TIMEOUT_SECONDS old. Just before each message goes out, the dispatcher renews its
claim on that one row with a conditional UPDATE and commits it; if the row is no longer its own
(the claim timed out and another dispatcher took it over) it skips the row. Each outcome is
written, and counted, only where the claim is still this dispatcher's.

So a row is sent twice only when one message's own SMTP exchange outlives the claim timeout, or
when a dispatcher dies after the server accepted a message and before the outcome was committed;
then that one message goes out again after the claim timeout, under the same Message-ID.
`check_settings` keeps MAIL_TIMEOUT well below the claim timeout so that a server answering each
step of the exchange within MAIL_TIMEOUT cannot cause the first (one that trickles its replies
can). Claims are compared by time across dispatchers: their clocks must agree to well within
the claim timeout.
"""

from __future__ import annotations

import logging
import math
import os
import smtplib
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask, current_app
from flask_mail import Connection, Message
from sqlalchemy import and_, or_, select, update

from ..accounts.models import User
from ..database import read_only
from ..engine.audit import utcnow
from ..extensions import db, mail
from .models import FAILED, PENDING, SENDING, SENT, SUPPRESSED, OutboxMessage

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000
# Sending one message waits for at least four server replies (MAIL FROM, RCPT TO, DATA, end of
# data), each for up to MAIL_TIMEOUT: the claim must outlast that with room to spare.
CLAIM_TIMEOUT_MARGIN = 10


class UnsafeSettings(RuntimeError):
    """Mail settings under which the outbox could send a message twice."""


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


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse a MAIL_TIMEOUT that is not well below NOTIFY_CLAIM_TIMEOUT_SECONDS."""
    mail_timeout = _seconds(config, "MAIL_TIMEOUT")
    claim_timeout = _seconds(config, "NOTIFY_CLAIM_TIMEOUT_SECONDS")
    if mail_timeout * CLAIM_TIMEOUT_MARGIN > claim_timeout:
        raise UnsafeSettings(
            f"MAIL_TIMEOUT ({mail_timeout:g} s) must be at most 1/{CLAIM_TIMEOUT_MARGIN} of "
            f"NOTIFY_CLAIM_TIMEOUT_SECONDS ({claim_timeout:g} s): one message waits for several "
            "server replies, each up to MAIL_TIMEOUT, and a message still being sent when its "
            "claim times out can be sent again by another dispatcher. Lower "
            "COCREATE_MAIL_TIMEOUT or raise COCREATE_NOTIFY_CLAIM_TIMEOUT_SECONDS."
        )


def _seconds(config: Mapping[str, Any], name: str) -> float:
    value = config.get(name)
    try:
        seconds = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise UnsafeSettings(
            f"{name} must be a positive number of seconds, not {value!r}: "
            f"set COCREATE_{name} to one."
        )
    return seconds


def send_pending(
    app: Flask | None = None, limit: int | None = None, stop: threading.Event | None = None
) -> Counts:
    """Claim up to `limit` due outbox rows and deliver them; return what became of them.

    Once `stop` is set, the message in hand is finished and the rest of the batch is handed
    back, due at once and with no attempt counted.
    """
    if app is not None:
        with app.app_context():
            return send_pending(limit=limit, stop=stop)
    if db.session.new or db.session.dirty or db.session.deleted:
        # The claim commits: refuse rather than commit someone else's unfinished work.
        raise RuntimeError("commit or roll back the session before sending the outbox")
    config = current_app.config
    check_settings(config)
    counts = Counts()
    batch = []
    for item in claim_due(limit or config["NOTIFY_BATCH_SIZE"]):
        if item.recipient_active:
            batch.append(item)
        else:  # deactivated while the message waited: never sent, on purpose
            _record(
                item,
                status=SUPPRESSED,
                last_error="not sent: the recipient's account was deactivated",
            )
    if not batch:
        return counts
    if config.get("MAIL_SERVER"):
        return counts + _deliver_smtp(batch, stop)
    return counts + _deliver_files(batch, stop)


def drain(
    app: Flask | None = None, limit: int | None = None, stop: threading.Event | None = None
) -> Counts:
    """Send batches until nothing is due, a batch sends nothing (the server is down) or `stop`."""
    if app is not None:
        with app.app_context():
            return drain(limit=limit, stop=stop)
    size = limit or current_app.config["NOTIFY_BATCH_SIZE"]
    total = Counts()
    while True:
        counts = send_pending(limit=size, stop=stop)
        total += counts
        if counts.total < size or counts.sent == 0 or _stopping(stop):
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


def _deliver_smtp(batch: list[Claimed], stop: threading.Event | None) -> Counts:
    config = current_app.config
    # Read the settings now rather than at start-up, and send for real even under TESTING:
    # the outbox is the only sender, and "no server" already means "write files".
    state = mail.init_mail(config)
    state.suppress = False
    # Flask-Mail's MAIL_MAX_EMAILS reconnects inside send(), after the server accepted the
    # message and before its outcome is recorded: a failed reconnect would retry a delivered
    # message. NOTIFY_BATCH_SIZE already bounds the messages sent over one connection.
    state.max_emails = None
    counts = Counts()
    remaining = list(batch)
    try:
        with TimeoutConnection(state, timeout=float(config["MAIL_TIMEOUT"])) as connection:
            while remaining and not _stopping(stop):
                item = _renew_claim(remaining[0])
                if item is None:
                    remaining.pop(0)
                    continue
                remaining[0] = item
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
    _release(remaining)
    return counts


def _deliver_files(batch: list[Claimed], stop: threading.Event | None) -> Counts:
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    counts = Counts()
    for index, claimed in enumerate(batch):
        if _stopping(stop):
            _release(batch[index:])
            break
        item = _renew_claim(claimed)
        if item is None:
            continue
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


def _stopping(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


def _renew_claim(item: Claimed) -> Claimed | None:
    """Renew the claim on a row just before sending it; None if another dispatcher has it now."""
    now = utcnow()
    if not _update_if_ours(item, claimed_at=now):
        log.warning(
            "outbox message %s was taken over by another dispatcher; not sending it", item.id
        )
        return None
    return replace(item, claimed_at=now)


def _release(items: list[Claimed]) -> None:
    """Hand back claimed rows that were not tried: due at once, no attempt counted."""
    for item in items:
        _update_if_ours(item, status=PENDING, claimed_at=None)
    if items:
        log.info("handed back %d unsent outbox message(s)", len(items))


def _record_sent(item: Claimed) -> Counts:
    now = utcnow()
    values = {"status": SENT, "sent_at": now, "attempts": item.attempts + 1, "last_error": None}
    return Counts(sent=1) if _record(item, **values) else Counts()


def _record_failure(item: Claimed, error: str, *, permanent: bool = False) -> Counts:
    attempts = item.attempts + 1
    if permanent or attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        if not _record(item, status=FAILED, attempts=attempts, last_error=error):
            return Counts()
        log.error(
            "outbox message %s failed for good after %d attempt(s): %s", item.id, attempts, error
        )
        return Counts(failed=1)
    retry_at = utcnow() + retry_delay(attempts)
    values = {"status": PENDING, "attempts": attempts, "last_error": error}
    if not _record(item, next_attempt_at=retry_at, **values):
        return Counts()
    return Counts(retried=1)


def _record(item: Claimed, **values: Any) -> bool:
    """Write one outcome, only if the row is still ours; say whether it was."""
    if _update_if_ours(item, **values):
        return True
    log.warning(
        "outbox message %s was taken over by another dispatcher; its outcome here is not kept",
        item.id,
    )
    return False


def _update_if_ours(item: Claimed, **values: Any) -> bool:
    """Update a claimed row and commit, only while this dispatcher's claim on it holds."""
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
    return result.rowcount == 1
