"""The embedded SQLite database is set up for several writers: WAL, busy timeout, foreign keys."""

import pytest
from sqlalchemy import text

from workflow.database import read_only
from workflow.extensions import db


def test_sqlite_pragmas(fresh_app):
    with fresh_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_write_transactions_take_the_lock_up_front(fresh_app):
    """A write transaction holds the write lock from BEGIN; a read-only one does not."""
    with fresh_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as writer:
            writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is ours
            with db.engine.connect() as other:
                other.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
                with pytest.raises(Exception, match="database is locked"):
                    other.execute(text("SELECT 1"))
                other.rollback()
                with read_only():
                    assert other.execute(text("SELECT 1")).scalar() == 1


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
