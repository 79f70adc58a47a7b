"""Small helpers shared by the models."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CheckConstraint


def one_of(
    column: str, values: Iterable[str], name: str, nullable: bool = False
) -> CheckConstraint:
    """Return a CHECK constraint that keeps `column` to the given text values."""
    listed = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({listed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=name)
