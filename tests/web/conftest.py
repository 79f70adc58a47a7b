"""Fixtures for the pages: the demo data inside the test's rolled-back transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from workflow.demo.loader import load_demo
from workflow.extensions import db as _db
from workflow.plans.models import ActionPlan

from .helpers import PASSWORD


@pytest.fixture
def member(create_user_):
    return create_user_(email="member@example.org", name="Mona Member", password=PASSWORD)


@pytest.fixture
def demo(db) -> ActionPlan:
    """Load the demo plan through the real operations; the test's rollback removes it."""
    result = load_demo()
    assert result is not None
    return result.plan


@pytest.fixture
def count_statements() -> Callable[[], object]:
    """Return a context manager that counts the SQL statements sent to the database inside it."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_conn, _cursor, statement, _params, _context, _many) -> None:
            statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
