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
        """Note a problem with a field; the first one noted for a field is kept."""
        self.errors.setdefault(self._key(name), message)

    def has(self, name: str) -> bool:
        """Return whether the input names the field at all."""
        return name in self.data

    def _present(self, name: str, required: bool) -> bool:
        """Return whether the field holds a value; note it as missing when required."""
        if self.data.get(name) in (None, ""):
            if required:
                self.error(name, "is required")
            return False
        return True

    def _strings(self, name: str, what: str) -> list[str] | None:
        value = self.data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, f"must be a list of {what}")
            return None
        return value

    def text(
        self, name: str, *, required: bool = False, max_length: int = 20000, blank: bool = True
    ) -> str | None:
        """Return the field as stripped text, checking presence, blankness and length."""
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
        """Return the field as a whole number (true and false are not numbers here)."""
        if not self._present(name, required):
            return None
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, "must be a whole number")
            return None
        if minimum is not None and value < minimum:
            self.error(name, f"must be at least {minimum}")
        return value

    def choice(self, name: str, options: Collection[str], *, required: bool = False) -> str | None:
        """Return the field if it is one of `options`."""
        value = self.text(name, required=required)
        if value is not None and value not in options:
            self.error(name, f"must be one of: {', '.join(options)}")
            return None
        return value

    def choices(self, name: str, options: Collection[str]) -> list[str] | None:
        """Return the field as a list of distinct values, each one of `options`."""
        if not self._present(name, False) or (value := self._strings(name, "text values")) is None:
            return None
        unknown = [v for v in value if v not in options]
        if unknown:
            self.error(name, f"unknown value(s) {', '.join(unknown)}; use: {', '.join(options)}")
            return None
        return list(dict.fromkeys(value))

    def day(self, name: str, *, required: bool = False) -> date | None:
        """Return the field as a date written YYYY-MM-DD."""
        if not self._present(name, required):
            return None
        value = self.data[name]
        try:
            if isinstance(value, str):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.error(name, "must be a date written YYYY-MM-DD")
        return None

    def links(self, name: str) -> list[str] | None:
        """Return the field as a list of http(s) addresses."""
        if (
            not self._present(name, False)
            or (value := self._strings(name, "web addresses")) is None
        ):
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
