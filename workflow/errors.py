"""Errors a request can meet, beyond the engine's own."""

from __future__ import annotations

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
    """The input is malformed; `errors` maps each field to what is wrong with it."""

    status = 400
    code = "invalid_input"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(WorkflowError):
    status = 404
    code = "not_found"


class Conflict(WorkflowError):
    """The request clashes with what is stored (a second vote in a round, say)."""

    status = 409
    code = "conflict"
