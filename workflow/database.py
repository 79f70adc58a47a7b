"""Database engine setup: SQLite pragmas and write transactions that begin IMMEDIATE."""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

# Read-only work (GET requests) may begin DEFERRED; everything else begins IMMEDIATE so that a
# read-then-write transaction takes the write lock up front instead of failing with
# "database is locked" when another writer got there first.
_read_only: contextvars.ContextVar[bool] = contextvars.ContextVar("read_only", default=False)


@contextmanager
def read_only() -> Iterator[None]:
    """Mark the work inside as read-only, so SQLite transactions begin DEFERRED."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def set_read_only(value: bool) -> contextvars.Token:
    """Set the read-only flag for this context and return a token to reset it."""
    return _read_only.set(value)


def reset_read_only(token: contextvars.Token) -> None:
    """Restore the read-only flag set_read_only changed."""
    _read_only.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Install SQLite pragmas and IMMEDIATE transactions; other databases are left as they are."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from pysqlite so BEGIN is ours to emit (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


@contextmanager
def temporary_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database that is removed afterwards.

    On a PostgreSQL server it is a database of its own, so no two runs (tests, benchmarks) see
    each other's data; otherwise a new SQLite file in `folder`.
    """
    if not server_url or make_url(server_url).get_backend_name() != "postgresql":
        yield f"sqlite:///{folder / f'cocreate-{uuid.uuid4().hex[:8]}.db'}"
        return
    server = make_url(server_url)
    name = f"cocreate_tmp_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
