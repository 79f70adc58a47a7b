"""The columns a record needs for the engine to drive it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .audit import utcnow


class WorkflowRecord:
    """Mix into a model the engine fires events on; `record_type` names it in the log."""

    record_type: ClassVar[str]

    state: Mapped[str] = mapped_column(String(40))
    workflow_key: Mapped[str] = mapped_column(String(60))
    workflow_version: Mapped[int]
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # Optimistic locking: every UPDATE checks and bumps the version, so a stale write fails.
        return {"version_id_col": cls.__table__.c.version}
