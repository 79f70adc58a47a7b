"""Domain errors the engine raises; the web layer maps them to 403, 422 and 409."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class: a request the workflow refuses, with a message a person can act on."""

    status = 400
    code = "workflow_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DefinitionError(WorkflowError):
    """A workflow definition is invalid; raised when it is loaded, never at run time."""

    code = "invalid_definition"

    def __init__(self, key: str, problems: list[str]) -> None:
        super().__init__(f"workflow definition '{key}' is invalid: " + "; ".join(problems))
        self.problems = problems


class NotAllowed(WorkflowError):
    status = 403
    code = "not_allowed"


class GuardFailed(WorkflowError):
    status = 422
    code = "guard_failed"

    def __init__(self, event: str, reasons: list[str]) -> None:
        super().__init__(f"'{event}' cannot happen yet: " + "; ".join(reasons))
        self.reasons = reasons


class StaleVersion(WorkflowError):
    status = 409
    code = "stale_version"

    def __init__(self, expected: int | None, current: int | None) -> None:
        if current is None:  # a concurrent write caught at flush time: its version is unknown
            message = "someone else changed the record at the same moment"
        else:
            message = f"the record changed since you read it (it is now at version {current})"
        if expected is not None:
            message += f"; you sent version {expected}"
        super().__init__(message + "; reload it and try again")
        self.expected = expected
        self.current = current


class InvalidEvent(WorkflowError):
    status = 409
    code = "invalid_event"
