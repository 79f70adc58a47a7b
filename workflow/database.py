"""Database engine setup: SQLite pragmas and write transactions that begin IMMEDIATE."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

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
