"""Domain errors the engine raises; the web layer maps them to 403, 422 and 409."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l


class Joined:
    """Parts (lazy strings among them) joined when read, so each is in the reader's language."""

    def __init__(self, parts: Iterable[Any], separator: str = "; ") -> None:
        self.parts = list(parts)
        self.separator = separator

    def __str__(self) -> str:
        return self.separator.join(str(p) for p in self.parts)


class WorkflowError(Exception):
    """Base class: a request the workflow refuses, with a message a person can act on."""

    status = 400
    code = "workflow_error"

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.text = message  # may be a lazy string: rendered in the language of whoever reads it

    @property
    def message(self) -> str:
        """Return the message in the current language."""
        return str(self.text)


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

    def __init__(self, event: str, reasons: list[Any]) -> None:
        super().__init__(
            _l("'%(event)s' cannot happen yet: %(reasons)s", event=event, reasons=Joined(reasons))
        )
        self.reasons = reasons


class StaleVersion(WorkflowError):
    status = 409
    code = "stale_version"

    def __init__(self, expected: int | None, current: int | None) -> None:
        parts: list[Any] = []
        if current is None:  # a concurrent write caught at flush time: its version is unknown
            parts.append(_l("someone else changed the record at the same moment"))
        else:
            parts.append(
                _l(
                    "the record changed since you read it (it is now at version %(current)s)",
                    current=current,
                )
            )
        if expected is not None:
            parts.append(_l("you sent version %(expected)s", expected=expected))
        parts.append(_l("reload it and try again"))
        super().__init__(Joined(parts))
        self.expected = expected
        self.current = current


class InvalidEvent(WorkflowError):
    status = 409
    code = "invalid_event"
