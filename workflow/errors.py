"""Errors a request can meet, beyond the engine's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .engine.errors import GuardFailed, InvalidEvent, NotAllowed, StaleVersion, WorkflowError

__all__ = [
    "GuardFailed",
    "InvalidEvent",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "StaleVersion",
    "WorkflowError",
]


class InvalidInput(WorkflowError):
    """The input is wrong; `errors` maps each field's path to what is wrong with it.

    A 400 when a value has the wrong shape; a 422 when well-formed values disagree (an end
    date before its start), which no schema can say.
    """

    status = 400
    code = "invalid_input"

    def __init__(self, errors: Mapping[str, Any], *, status: int = 400) -> None:
        super().__init__(LazyJoin(errors))
        self.errors = dict(errors)
        self.status = status


class LazyJoin:
    """`field: problem; ...`, rendered in the language current when it is read."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


class NotFound(WorkflowError):
    status = 404
    code = "not_found"


class Conflict(WorkflowError):
    """The request clashes with what is stored (a second vote in a round, say)."""

    status = 409
    code = "conflict"
