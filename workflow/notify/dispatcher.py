"""Deliver the outbox: claim one due row at a time, render it, send it, record the outcome.

A claim (status `sending` and the time it was made) is committed before any network I/O, one
row at a time, so a dispatcher that dies holds back only the message it had in hand: another
takes that row over once the claim is NOTIFY_CLAIM_TIMEOUT_SECONDS old, and counts the attempt
that died, so a message that kills its dispatcher every time stops at NOTIFY_MAX_ATTEMPTS.
Each outcome is written, and counted, only where the claim is still this dispatcher's. A sent
mark is committed with the next claim (or at the end of the batch), one commit per message: it
is written before that claim, so the guarantees above are unchanged.

The message is rendered after the claim, from the log entry the row names, in the recipient's
language at that moment; what a transition's mail says to all its recipients is worked out once
a batch (memo.py). Its Message-ID is made of the row id and a random id stored once per
database, the same on every attempt.

A row is sent twice only when the server took it and the outcome was never recorded: the
dispatcher died between the server's reply to DATA and the commit, or the reply to DATA never
arrived (a timeout or a dropped connection after the message was sent: the server may have
taken it, and the retry sends it again). The repeat carries the same Message-ID.
`check_settings` keeps MAIL_TIMEOUT well below the claim timeout so that a server answering each
step of the exchange within MAIL_TIMEOUT cannot have its message taken over while it is sent.
Claims are compared by time across dispatchers: their clocks must agree to well within the
claim timeout.
"""

from __future__ import annotations

import logging
import math
import os
import random
import secrets
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
from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..database import read_only
from ..engine.audit import utcnow
from ..extensions import db, mail
from .compose import CannotCompose, Email, render_message
from .memo import RenderMemo
from .models import FAILED, PENDING, SENDING, SENT, SUPPRESSED, Installation, OutboxMessage

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
    """A claimed row and its rendered message, copied so no session is open during network I/O."""

    id: int
    claimed_at: datetime
    attempts: int
    to_address: str
    to_name: str | None
    message_id: str
    email: Email | None = None


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
    """Claim, render and deliver up to `limit` due outbox rows, one at a time; return the counts.

    Once `stop` is set, the message in hand is finished and nothing more is claimed.
    """
    if app is not None:
        with app.app_context():
            return send_pending(limit=limit, stop=stop)
    if db.session.new or db.session.dirty or db.session.deleted:
        # The claim commits: refuse rather than commit someone else's unfinished work.
        raise RuntimeError("commit or roll back the session before sending the outbox")
    config = current_app.config
    check_settings(config)
    sender: _SmtpSender | _FileSender = (
        _SmtpSender() if config.get("MAIL_SERVER") else _FileSender()
    )
    counts = Counts()
    # What a transition's mail says to everyone, kept for the batch (a few seconds): a record or
    # plan title edited meanwhile reaches the next batch's mail. The recipient's name, language
    # and active flag are read afresh for each message.
    memo = RenderMemo()
    # A message just sent: its mark is written, and committed with the next claim.
    unsaved: Claimed | None = None
    try:
        for _ in range(limit or config["NOTIFY_BATCH_SIZE"]):
            if _stopping(stop):
                break
            item = claim_next(unsaved, memo)
            unsaved = None
            if item is None:
                break
            if isinstance(item, Counts):  # settled without sending (failed or suppressed)
                counts += item
                continue
            counts += sender.deliver(item)
            unsaved = item if db.session().in_transaction() else None
    finally:
        try:
            if unsaved is not None:
                _commit()
        finally:
            sender.close()
    return counts


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


# What the claim returns: the row as the message is composed from it, read in the same statement.
CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.attempts,
    OutboxMessage.recipient_id,
    OutboxMessage.to_address,
    OutboxMessage.template,
    OutboxMessage.audience,
    OutboxMessage.log_entry_id,
    OutboxMessage.notice_id,
)


def claim_next(
    unsaved: Claimed | None = None, memo: RenderMemo | None = None
) -> Claimed | Counts | None:
    """Claim the next due row and commit, then render its message; None when nothing is due.

    `unsaved` is a message just sent whose mark is written but not committed: it is committed
    with this claim, one commit per message instead of two. `memo` is the batch's (see
    send_pending).
    Taking over a row whose claim timed out counts the attempt that died with its dispatcher.
    Returns Counts instead when the row was settled without sending: failed for good after too
    many such deaths (or when it cannot be rendered), or suppressed for a deactivated recipient.
    """
    now = utcnow()
    due = due_condition(now)
    if unsaved is None:
        # A cheap read first: on SQLite the claim takes the write lock, so take it only for
        # work (with a mark unsaved, the transaction holds it already).
        with read_only():
            anything = db.session.scalar(select(OutboxMessage.id).where(due).limit(1))
            db.session.rollback()
        if anything is None:
            return None
    try:
        row = _claim(due, now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if unsaved is not None:  # the claim failed, not the mark: keep the mark
            _record_sent(unsaved, commit=True)
        raise
    if row is None:
        return None
    item = Claimed(
        id=row.id,
        claimed_at=now,
        attempts=row.attempts,
        to_address=row.to_address,
        to_name=None,
        message_id=message_id(row.id),
    )
    if row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        error = f"its dispatcher stopped while sending it, {row.attempts} time(s)"
        return _record_failure(item, error, permanent=True, attempted=False)
    return _render(item, row, memo)


def _claim(due, now: datetime) -> OutboxMessage | None:
    """Mark the first due row as ours in one statement; return it as claimed, unattached."""
    first_due = (
        select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.id)
        .limit(1)
        # PostgreSQL: rows another dispatcher holds are skipped, not waited for.
        # SQLite renders no FOR UPDATE; its write transactions begin IMMEDIATE instead.
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == first_due)
        .values(
            status=SENDING,
            claimed_at=now,
            attempts=OutboxMessage.attempts + case((OutboxMessage.status == SENDING, 1), else_=0),
        )
        .returning(*CLAIMED_COLUMNS),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    if claimed is None:
        return None
    # A plain object, never added to the session: composing reads it, nothing writes it.
    return OutboxMessage(**claimed._asdict())


def _render(item: Claimed, row: OutboxMessage, memo: RenderMemo | None) -> Claimed | Counts:
    """Render a claimed row's message from its log entry, reading only."""
    try:
        with read_only():
            recipient = (
                db.session.get(User, row.recipient_id, populate_existing=True)
                if row.recipient_id
                else None
            )
            active = recipient is None or recipient.active
            email = render_message(row, memo) if active else None
            name = recipient.name if recipient is not None else None
            item = replace(item, to_name=name, email=email)
            db.session.rollback()
    except Exception as exc:
        db.session.rollback()
        log.exception("outbox message %s could not be rendered", item.id)
        return _record_failure(item, _describe(exc), permanent=isinstance(exc, CannotCompose))
    finally:
        db.session.expunge_all()
    if item.email is None:  # deactivated while the message waited: never sent, on purpose
        _record(
            item, status=SUPPRESSED, last_error="not sent: the recipient's account was deactivated"
        )
        return Counts()
    return item


def installation_id() -> str:
    """Return this database's random id, made once: it keeps Message-IDs apart between sites."""
    cached = current_app.extensions.get("cocreate_installation")
    if cached:
        return cached
    with read_only():
        uid = db.session.scalar(select(Installation.uid).where(Installation.id == 1))
        db.session.rollback()
    if uid is None:
        try:
            db.session.add(Installation(id=1, uid=secrets.token_hex(8)))
            db.session.commit()
        except IntegrityError:  # another process made it first: use theirs
            db.session.rollback()
        uid = db.session.scalar(select(Installation.uid).where(Installation.id == 1))
        db.session.rollback()
    current_app.extensions["cocreate_installation"] = uid
    return uid


def message_id(row_id: int) -> str:
    """Return the Message-ID of an outbox row: the same on every attempt."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"] or ""
    _, address = sender if isinstance(sender, tuple) else parseaddr(sender)
    domain = address.rpartition("@")[2] or "cocreate.local"
    return f"<cocreate-outbox-{row_id}.{installation_id()}@{domain}>"


def build_message(item: Claimed) -> Message:
    """Build the Flask-Mail message for a claimed row, text and HTML, with its stable id."""
    assert item.email is not None
    recipient = (item.to_name, item.to_address) if item.to_name else item.to_address
    message = Message(
        subject=item.email.subject,
        recipients=[recipient],
        body=item.email.text,
        html=item.email.html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={
            # RFC 3834: automatic mail, so out-of-office replies are not sent back to it.
            "Auto-Submitted": "auto-generated",
            "Content-Language": item.email.language,
        },
    )
    message.msgId = item.message_id
    message.date = time.time()
    return message


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th failure: doubling, capped (before jitter)."""
    config = current_app.config
    base = float(config["NOTIFY_RETRY_BASE_SECONDS"])
    cap = float(config["NOTIFY_RETRY_MAX_SECONDS"])
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


class _SmtpSender:
    """One SMTP connection for a pass, opened for its first message; once broken, it stays so."""

    def __init__(self) -> None:
        config = current_app.config
        # Read the settings now rather than at start-up, and send for real even under TESTING:
        # the outbox is the only sender, and "no server" already means "write files".
        self.state = mail.init_mail(config)
        self.state.suppress = False
        # Flask-Mail's MAIL_MAX_EMAILS reconnects inside send(), after the server accepted the
        # message and before its outcome is recorded: a failed reconnect would retry a delivered
        # message. NOTIFY_BATCH_SIZE already bounds the messages sent over one connection.
        self.state.max_emails = None
        self.where = f"SMTP {config['MAIL_SERVER']}:{config['MAIL_PORT']}"
        self.timeout = float(config["MAIL_TIMEOUT"])
        self.connection: TimeoutConnection | None = None
        self.broken: str | None = None

    def deliver(self, item: Claimed) -> Counts:
        """Send one claimed message and record what became of it."""
        if self.broken is None and self.connection is None:
            connection = TimeoutConnection(self.state, timeout=self.timeout)
            try:
                connection.__enter__()
            except (smtplib.SMTPException, OSError) as exc:
                self._break(exc)
            else:
                self.connection = connection
        if self.broken is not None:
            # The server cannot be reached this pass: every message claimed waits for a retry.
            return _record_failure(item, self.broken)
        assert self.connection is not None
        try:
            self.connection.send(build_message(item))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if 421 in codes:  # the server is closing the connection (smtplib closed it)
                self._break(exc)
                return _record_failure(item, self.broken or _describe(exc))
            # 5xx for the recipient is final; 4xx (mailbox busy, greylisting) is retried.
            return _record_failure(item, _describe(exc), permanent=min(codes) >= 500)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                self._break(exc)
                return _record_failure(item, self.broken or _describe(exc))
            permanent = exc.smtp_code >= 500 and isinstance(exc, smtplib.SMTPDataError)
            return _record_failure(item, _describe(exc), permanent=permanent)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            # Includes a timeout waiting for the reply to DATA: the server may have the
            # message already, and the retry may repeat it (same Message-ID).
            self._break(exc)
            return _record_failure(item, self.broken or _describe(exc))
        except Exception as exc:  # this message cannot be built or sent; the rest can
            log.exception("outbox message %s could not be sent", item.id)
            return _record_failure(item, _describe(exc))
        return _record_sent(item)

    def _break(self, exc: BaseException) -> None:
        self.broken = f"{self.where}: {_describe(exc)}"
        log.warning("mail delivery interrupted, retrying later: %s", self.broken)
        self.close()

    def close(self) -> None:
        """Say goodbye to the server, if a connection is open."""
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.__exit__(None, None, None)


class _FileSender:
    """Write each message as an .eml file in MAIL_FILE_DIR (the demo and development)."""

    def __init__(self) -> None:
        self.folder = Path(current_app.config["MAIL_FILE_DIR"])

    def deliver(self, item: Claimed) -> Counts:
        """Write one claimed message and record it sent."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = build_message(item).as_bytes()
            # Named by time then id, so a directory listing reads in sending order.
            name = f"{utcnow():%Y%m%dT%H%M%S%f}Z-{item.id:010d}.eml"
            partial = self.folder / f".{name}.part"
            partial.write_bytes(data)
            os.replace(partial, self.folder / name)  # a reader never sees half a message
        except Exception as exc:
            log.exception("outbox message %s could not be written", item.id)
            return _record_failure(item, _describe(exc))
        return _record_sent(item)

    def close(self) -> None:
        """Nothing to close."""


def _stopping(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


def _record_sent(item: Claimed, commit: bool = False) -> Counts:
    """Write the sent mark, left for the next claim (or the end of the batch) to commit."""
    values = {
        "status": SENT,
        "sent_at": utcnow(),
        "attempts": item.attempts + 1,
        "last_error": None,
        "message_id": item.message_id,
    }
    return Counts(sent=1) if _record(item, commit=commit, **values) else Counts()


def _record_failure(
    item: Claimed, error: str, *, permanent: bool = False, attempted: bool = True
) -> Counts:
    attempts = item.attempts + 1 if attempted else item.attempts
    if permanent or attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        if not _record(item, status=FAILED, attempts=attempts, last_error=error):
            return Counts()
        log.error(
            "outbox message %s failed for good after %d attempt(s): %s", item.id, attempts, error
        )
        return Counts(failed=1)
    # Jitter spreads the retries of messages that failed together (a server outage).
    delay = retry_delay(attempts).total_seconds() * random.uniform(1.0, 1.5)
    retry_at = utcnow() + timedelta(seconds=delay)
    values = {"status": PENDING, "attempts": attempts, "last_error": error}
    if not _record(item, next_attempt_at=retry_at, **values):
        return Counts()
    return Counts(retried=1)


def _record(item: Claimed, commit: bool = True, **values: Any) -> bool:
    """Write one outcome, only if the row is still ours; say whether it was."""
    if _update_if_ours(item, commit, **values):
        return True
    log.warning(
        "outbox message %s was taken over by another dispatcher; its outcome here is not kept",
        item.id,
    )
    return False


def _update_if_ours(item: Claimed, commit: bool, **values: Any) -> bool:
    """Update a claimed row (and commit), only while this dispatcher's claim on it holds."""
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
        if commit:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result.rowcount == 1


def _commit() -> None:
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
