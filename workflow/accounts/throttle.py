"""Slow down guessing and mail bombing: events counted per key (an account, an address).

The counts live in the database, the one store every worker process shares. Past a limit,
further attempts are refused before any password is checked, until the oldest events in the
window age out. Flush, never commit.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..engine.audit import utcnow
from ..extensions import db
from .models import ThrottleEvent


def key(kind: str, value: str) -> str:
    """Return the stored key of what is counted: `kind` ("account", ...) and a value, hashed."""
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


def sign_in_keys(email: str, address: str) -> list[tuple[str, int]]:
    """Return the keys a sign-in attempt counts against, each with its limit."""
    config = current_app.config
    return [
        (key("account", email), int(config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"])),
        (key("address", address), int(config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"])),
    ]


def retry_after(keys: list[tuple[str, int]], window_seconds: int | None = None) -> int:
    """Return how many seconds to wait until every key is below its limit again (0: now)."""
    window = _window(window_seconds)
    now = utcnow()
    wait = 0.0
    for key_hash, limit in keys:
        times = db.session.scalars(
            select(ThrottleEvent.created_at)
            .where(ThrottleEvent.key_hash == key_hash, ThrottleEvent.created_at > now - window)
            .order_by(ThrottleEvent.created_at)
        ).all()
        if len(times) >= limit:
            # Below the limit again once all but limit-1 of these events have aged out.
            free_at = times[len(times) - limit] + window
            wait = max(wait, (free_at - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else 0


def count(key_hash: str, window_seconds: int | None = None) -> int:
    """Return how many events `key_hash` had within the window."""
    since = utcnow() - _window(window_seconds)
    return db.session.scalar(
        select(func.count())
        .select_from(ThrottleEvent)
        .where(ThrottleEvent.key_hash == key_hash, ThrottleEvent.created_at > since)
    )


def record(keys: list[str]) -> None:
    """Count one event against each key; forget events older than any window."""
    now = utcnow()
    oldest = now - timedelta(seconds=max_window_seconds())
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.created_at <= oldest))
    for key_hash in keys:
        db.session.add(ThrottleEvent(key_hash=key_hash, created_at=now))
    db.session.flush()


def forget(key_hash: str) -> None:
    """Clear the events of one key (an account that signed in)."""
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.key_hash == key_hash))
    db.session.flush()


def max_window_seconds() -> int:
    """Return the longest window any count looks back over."""
    config = current_app.config
    return max(int(config["SIGN_IN_THROTTLE_SECONDS"]), int(config["PASSWORD_RESET_MAIL_WINDOW"]))


def _window(seconds: int | None) -> timedelta:
    return timedelta(seconds=seconds or int(current_app.config["SIGN_IN_THROTTLE_SECONDS"]))
