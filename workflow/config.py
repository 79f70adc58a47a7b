"""Configuration in layers: class defaults, the instance folder, then environment variables."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask


class Defaults:
    """Safe defaults for the embedded SQLite setup; production overrides them by environment."""

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Mail: an empty server means "write .eml files to the instance folder" (the demo).
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Cocreate <no-reply@cocreate.local>"
    MAIL_TIMEOUT = 10  # seconds for every SMTP connection
    NOTIFY_BATCH_SIZE = 50
    NOTIFY_MAX_ATTEMPTS = 8
    NOTIFY_RETRY_BASE_SECONDS = 60
    NOTIFY_RETRY_MAX_SECONDS = 3600  # the backoff doubles from the base up to this
    NOTIFY_CLAIM_TIMEOUT_SECONDS = 600
    NOTIFY_REMIND_DAYS_BEFORE = 3  # a reminder goes this many days before a due date
    NOTIFY_REPORT_DUE_DAYS = 30  # a progress report is due this many days after its period
    # The hour (UTC) from which the background sender queues the day's digests; 0 is 08:00 in
    # Ulaanbaatar. Production may run `flask notify digest` from cron instead.
    NOTIFY_DIGEST_HOUR = 0
    NOTIFY_RETENTION_DAYS = 90  # sent rows are deleted after this many days (0: never)
    NOTIFY_BACKGROUND = False  # `make run` turns it on: a thread drains the outbox
    NOTIFY_INTERVAL_SECONDS = 5
    BASE_URL = "http://127.0.0.1:5000"
    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ("en", "mn")
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # Argon2id cost: the library's recommended defaults (RFC 9106 low-memory profile).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 65536
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600  # "remember me": a month, in seconds
    # Sign-in throttling: this many refused attempts within the window, then 429 until they age.
    SIGN_IN_THROTTLE_SECONDS = 15 * 60
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 10
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = 50
    # Password reset and invitation links: how long they work (each works once).
    PASSWORD_RESET_MAX_AGE_SECONDS = 3600
    # At most this many reset mails per account within the window (seconds), against mail bombing.
    PASSWORD_RESET_MAILS = 3
    PASSWORD_RESET_MAIL_WINDOW = 3600
    INVITATION_MAX_AGE_SECONDS = 14 * 24 * 3600
    # Proxies in front of the app whose X-Forwarded-For/-Proto to trust (0: none).
    PROXY_COUNT = 0
    SESSION_COOKIE_SAMESITE = "Lax"
    JSON_SORT_KEYS = False


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill app.config from defaults, instance config, environment and test overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    # The two conventional names, then every COCREATE_* variable (e.g. COCREATE_MAIL_SERVER).
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.from_prefixed_env("COCREATE")
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'cocreate.db'}")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault("MAIL_FILE_DIR", str(instance / "mail"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres:// and postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(path: Path) -> str:
    """Return a random key kept in the instance folder, so no secret lives in the repository.

    Created readable by its owner only, and exclusively: when several workers start at once,
    the first one's key wins and every worker reads that one.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):  # another process may have created it and not written it yet
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and start again")
