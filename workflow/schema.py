"""The building blocks of every declared shape, and the one way untrusted input is checked.

Request bodies (JSON, forms, CSV rows, command lines) are pydantic models built from these types.
The same models give the OpenAPI document its schemas, so what the document promises and what
the code accepts cannot drift apart. Errors come back keyed by path (`milestones[1].end_date`)
with a message in the caller's language.

Two kinds of refusal: a value of the wrong shape (a 400, which the document predicts) and values
of the right shape that disagree with each other or the stored record (an end before its start:
a 422). Rules of the second kind raise `Disagreement` from model validators.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .errors import InvalidInput

# Ids and versions are INTEGER columns (32-bit on PostgreSQL): anything larger is no id at all,
# a 404 in an address, never a crash in the database.
MAX_ID = 2**31 - 1
# Space is spelt out rather than written \s: JSON Schema (ECMA), Python and pydantic's regex
# engine each count different characters as space. This class holds every character any of them
# (and Python's strip) counts as space, plus NUL and the other controls.
_SPACE = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
# A visible character somewhere in the text (a pattern is read unanchored by both).
NOT_BLANK = f"[^{_SPACE}]"
WEB_ADDRESS = f"^https?://[^{_SPACE}]+$"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DAY_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")

# Errors of values that are well formed but disagree (with each other or the record): a 422.
DISAGREEMENT = "disagreement"

M = TypeVar("M", bound=BaseModel)


class Shape(BaseModel):
    """A request shape: unknown fields are refused, never silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Reply(BaseModel):
    """A response shape: every field is always sent, so the document lists them as required."""

    model_config = ConfigDict(
        json_schema_mode_override="serialization", json_schema_serialization_defaults_required=True
    )


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def unset(description: str | None = None) -> Any:
    """The default of a field that may be left out: absent, not null, in the document."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


def sent(model: BaseModel) -> dict[str, Any]:
    """Return the fields the caller sent, as plain values; nested shapes whole, with defaults."""
    return model.model_dump(include=set(model.model_fields_set))


def disagreement(field: str, message: Any) -> PydanticCustomError:
    """Return the error a model validator raises when `field` disagrees with another value."""
    return PydanticCustomError(
        DISAGREEMENT, "{field}: {message}", {"field": field, "message": message}
    )


def _whole_number(value: Any) -> Any:
    # JSON Schema counts 1.0 an integer; true, "1" and 1.5 are not.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("whole_number", "must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError("whole_number", "must be a whole number")
        return int(value)
    return value


def _day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and DAY_FORMAT.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("day", "must be a date written YYYY-MM-DD")


def _strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _strip(value: str) -> str:
    return value.replace("\x00", "").strip()


def _timestamp(value: datetime) -> str:
    # Stored times are naive UTC, to the microsecond the log's hash covers.
    return value.isoformat(timespec="microseconds") + "Z"


def text(max_length: int, description: str | None = None) -> Any:
    """Text that may be empty, stripped of surrounding space."""
    return Annotated[
        str, Field(max_length=max_length, description=description), AfterValidator(_strip)
    ]


def words(max_length: int, description: str | None = None) -> Any:
    """Text with at least one character that is not a space, stripped of surrounding space."""
    return Annotated[
        str,
        Field(min_length=1, max_length=max_length, pattern=NOT_BLANK, description=description),
        AfterValidator(_strip),
    ]


def one_of(values: Any) -> Any:
    """A text code limited to `values` (states, events, scales)."""
    return Literal.__getitem__(tuple(values))


# Constraints come before the validator, or pydantic leaves them out of the JSON Schema.
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole_number)]
Version = Annotated[
    int,
    Field(ge=1, le=MAX_ID, description="Optimistic lock: send the version you read."),
    BeforeValidator(_whole_number),
]
Day = Annotated[date, BeforeValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]
# Surrounding space is dropped before the check: Python's `$` (the fuzzer's) allows a final
# newline that pydantic's does not.
WebAddress = Annotated[
    str, Field(max_length=2000, pattern=WEB_ADDRESS), BeforeValidator(_strip_text)
]
Timestamp = Annotated[
    datetime,
    PlainSerializer(_timestamp, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
DayOut = Annotated[
    date,
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]


# --- checking input ------------------------------------------------------------------------------

# Each pydantic error type, as a message in the caller's language (ctx fills the blanks).
MESSAGES: dict[str, Any] = {
    "missing": lambda **_: _l("is required"),
    "string_type": lambda **_: _l("must be text"),
    "whole_number": lambda **_: _l("must be a whole number"),
    "int_type": lambda **_: _l("must be a whole number"),
    "int_parsing": lambda **_: _l("must be a whole number"),
    "int_from_float": lambda **_: _l("must be a whole number"),
    "bool_type": lambda **_: _l("must be true or false"),
    "bool_parsing": lambda **_: _l("must be true or false"),
    "greater_than_equal": lambda ge=0, **_: _l("must be at least %(ge)s", ge=ge),
    "less_than_equal": lambda le=0, **_: _l("must be at most %(le)s", le=le),
    "string_too_short": lambda **_: _l("must not be empty"),
    "string_too_long": lambda max_length=0, **_: _l(
        "must be at most %(max_length)s characters", max_length=max_length
    ),
    "too_long": lambda max_length=0, **_: _l(
        "must hold at most %(max_length)s items", max_length=max_length
    ),
    "too_short": lambda min_length=0, **_: _l(
        "must hold at least %(min_length)s items", min_length=min_length
    ),
    "list_type": lambda **_: _l("must be a list"),
    "model_type": lambda **_: _l("must be a JSON object"),
    "dict_type": lambda **_: _l("must be a JSON object"),
    "model_attributes_type": lambda **_: _l("must be a JSON object"),
    "day": lambda **_: _l("must be a date written YYYY-MM-DD"),
    "literal_error": lambda expected="", **_: _l("must be one of: %(expected)s", expected=expected),
    "extra_forbidden": lambda fields="", **_: _l(
        "is not a field here; send only: %(fields)s", fields=fields
    ),
    "pattern:" + NOT_BLANK: lambda **_: _l("must not be empty"),
    "pattern:" + SLUG: lambda **_: _l(
        "must be lowercase letters, digits and single hyphens (nap-5-2024)"
    ),
    "pattern:" + WEB_ADDRESS: lambda **_: _l(
        "must be a web address starting with http:// or https://"
    ),
}
FALLBACK = _l("is not valid here")


def validate(model: type[M], data: Any, *, where: str = "body") -> M:
    """Check `data` against `model`; raise InvalidInput naming every problem by its path."""
    if not isinstance(data, Mapping):
        raise InvalidInput({where: _l("must be a JSON object")})
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid_input(model, exc) from None


def invalid_input(model: type[BaseModel], exc: ValidationError) -> InvalidInput:
    """Turn pydantic's errors into the API's: a path per field and a message a person can act on.

    Only values that disagree (and are otherwise well formed) make it a 422; any error of shape
    makes the whole reply a 400, listing every problem found.
    """
    errors: dict[str, Any] = {}
    shape_errors = False
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == DISAGREEMENT:
            loc.append(ctx["field"])
            message = ctx["message"]
        else:
            shape_errors = True
            message = _message(model, error, loc, ctx)
        errors.setdefault(path(loc), message)
    return InvalidInput(errors, status=400 if shape_errors else 422)


def path(loc: list[Any]) -> str:
    """Write a pydantic location as the API names fields: `milestones[1].end_date` (from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        elif part:
            out += f".{part}" if out else str(part)
    return out or "body"


def _message(model: type[BaseModel], error: Mapping[str, Any], loc: list[Any], ctx: Any) -> Any:
    kind = error["type"]
    if kind == "string_pattern_mismatch":
        kind = "pattern:" + str(ctx.get("pattern"))
    build = MESSAGES.get(kind)
    if build is None:
        return FALLBACK
    values = {k: v for k, v in ctx.items() if isinstance(v, int | str)}
    if kind == "literal_error":
        values["expected"] = ", ".join(re.findall(r"'([^']*)'", ctx["expected"]))
    elif kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        values["fields"] = ", ".join(owner.model_fields) if owner else "-"
    return build(**values)


def _model_at(model: type[BaseModel], loc: list[Any]) -> type[BaseModel] | None:
    """Return the model a location inside `model` points at, to list the fields it takes."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Find the model inside list[...], X | None and Annotated[...]."""
    while get_origin(annotation) in (list, Union, Annotated) or type(annotation).__name__ == (
        "UnionType"
    ):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if not args:
            return None
        annotation = args[0]
    return annotation
