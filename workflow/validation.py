"""Check and convert untrusted input (JSON bodies, form data, CSV rows) into typed values."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import date
from typing import Any

from .errors import InvalidInput


class Checker:
    """Collect every problem with an input before raising, so one reply lists them all."""

    def __init__(self, data: Any, *, where: str = "") -> None:
        if not isinstance(data, Mapping):
            raise InvalidInput({where or "body": "must be a JSON object"})
        self.data = data
        self.where = where
        self.errors: dict[str, str] = {}

    def _key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(self._key(name), message)

    def has(self, name: str) -> bool:
        return name in self.data

    def text(
        self, name: str, *, required: bool = False, max_length: int = 20000, blank: bool = True
    ) -> str | None:
        if name not in self.data or self.data[name] is None:
            if required:
                self.error(name, "is required")
            return None
        value = self.data[name]
        if not isinstance(value, str):
            self.error(name, "must be text")
            return None
        value = value.strip()
        if not blank and not value:
            self.error(name, "must not be empty")
        elif len(value) > max_length:
            self.error(name, f"must be at most {max_length} characters")
        return value

    def integer(
        self, name: str, *, required: bool = False, minimum: int | None = None
    ) -> int | None:
        if name not in self.data or self.data[name] is None:
            if required:
                self.error(name, "is required")
            return None
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, "must be a whole number")
            return None
        if minimum is not None and value < minimum:
            self.error(name, f"must be at least {minimum}")
        return value

    def choice(self, name: str, options: Collection[str], *, required: bool = False) -> str | None:
        value = self.text(name, required=required)
        if value is not None and value not in options:
            self.error(name, f"must be one of: {', '.join(options)}")
            return None
        return value

    def choices(self, name: str, options: Collection[str]) -> list[str] | None:
        if name not in self.data or self.data[name] is None:
            return None
        value = self.data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, "must be a list of text values")
            return None
        unknown = [v for v in value if v not in options]
        if unknown:
            self.error(name, f"unknown value(s) {', '.join(unknown)}; use: {', '.join(options)}")
            return None
        return list(dict.fromkeys(value))

    def day(self, name: str, *, required: bool = False) -> date | None:
        if name not in self.data or self.data[name] in (None, ""):
            if required:
                self.error(name, "is required")
            return None
        value = self.data[name]
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _raise()
        except (ValueError, TypeError):
            self.error(name, "must be a date written YYYY-MM-DD")
            return None

    def links(self, name: str) -> list[str] | None:
        if name not in self.data or self.data[name] is None:
            return None
        value = self.data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, "must be a list of web addresses")
            return None
        bad = [v for v in value if not v.startswith(("http://", "https://"))]
        if bad:
            self.error(name, f"must be web addresses starting with http:// or https:// ({bad[0]})")
            return None
        return value

    def each(self, name: str, what: str) -> Iterator[Checker]:
        """Yield a Checker per object in the list `name`; their problems become this one's."""
        raw = self.data[name]
        if not isinstance(raw, list):
            self.error(name, f"must be a list of {what}")
            return
        for i, item in enumerate(raw, start=1):
            where = f"{self._key(name)}[{i}]"
            if not isinstance(item, Mapping):
                self.errors.setdefault(where, "must be a JSON object")
                continue
            child = Checker(item, where=where)
            yield child
            self.errors.update(child.errors)

    def done(self) -> None:
        """Raise InvalidInput listing every problem found, if any."""
        if self.errors:
            raise InvalidInput(self.errors)


def _raise() -> date:
    raise TypeError
