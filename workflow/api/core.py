"""The API's edge: bearer tokens, JSON errors, and one transaction per request.

Every view is registered with `route`: it loads, checks, calls one operation and returns what
to send. A view that writes is committed here, once, after it returns; any error rolls the whole
request back in `answer_error`, so a refused request writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, Generic, TypeVar

from flask import Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as NoSuchRoute

from ..accounts.auth import user_for_token
from ..accounts.models import User
from ..errors import GuardFailed, InvalidInput, StaleVersion, WorkflowError
from ..extensions import db
from ..schema import validate
from . import bp

M = TypeVar("M", bound=BaseModel)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})
MAX_BODY_BYTES = 1024 * 1024
REALM = 'Bearer realm="cocreate"'

# What a view returns: a body, or a body with a status and headers.
Body = Mapping[str, Any] | BaseModel
Reply = Body | tuple[Body, int] | tuple[Body, int, dict]

READ = ("401", "404")
WRITE = ("400", "401", "403", "404", "409", "422")
FIRE = WRITE


@dataclass(frozen=True)
class Operation:
    """What the document says of one route: its shapes, its refusals, its words."""

    rule: str
    method: str
    operation_id: str
    tag: str
    summary: str
    reply: type[BaseModel] | None
    status: int = 200
    body: type[BaseModel] | None = None
    errors: tuple[str, ...] = READ
    description: str | None = None
    public: bool = False


OPERATIONS: list[Operation] = []


class Unauthorized(WorkflowError):
    """No usable bearer token: answered 401 with a challenge naming the scheme."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: Any, *, invalid_token: bool = False) -> None:
        super().__init__(message)
        self.challenge = REALM + (', error="invalid_token"' if invalid_token else "")


def route(
    rule: str,
    method: str = "GET",
    *,
    reply: type[BaseModel] | None,
    summary: str,
    tag: str,
    status: int = 200,
    body: type[BaseModel] | None = None,
    errors: tuple[str, ...] | None = None,
    description: str | None = None,
    operation_id: str | None = None,
    endpoint: str | None = None,
) -> Callable:
    """Register a view and its entry in the document; commit once after a write returns.

    A view that takes a body receives `body`, a `Body` of the declared shape: it loads its
    record first (an unknown id is a 404 whatever the body holds), then calls `body()`.
    """

    def register(view: Callable[..., Reply]) -> Callable[..., Reply]:
        name = endpoint or view.__name__

        @wraps(view)
        def run(**kwargs: Any) -> Any:
            if body is not None:
                kwargs["body"] = Body(body)
            answer = view(**kwargs)
            # The reply is built from the flushed rows, so it is sent only if this commit holds.
            if request.method not in SAFE_METHODS:
                db.session.commit()
            return _as_json(answer)

        bp.add_url_rule(rule, endpoint=name, view_func=run, methods=[method])
        OPERATIONS.append(
            Operation(
                rule=rule,
                method=method.lower(),
                operation_id=operation_id or _camel(name),
                tag=tag,
                summary=summary,
                reply=reply,
                status=status,
                body=body,
                errors=errors or (WRITE if body is not None else READ),
                description=description,
                public=f"api.{name}" in PUBLIC_ENDPOINTS,
            )
        )
        return run

    return register


class Body(Generic[M]):
    """The request's body, checked against its declared shape when the view asks for it."""

    def __init__(self, model: type[M]) -> None:
        self.model = model

    def __call__(self) -> M:
        """Return the body as an instance of the shape; raise InvalidInput naming each problem."""
        return validate(self.model, json_body())


def _as_json(answer: Reply) -> Any:
    if isinstance(answer, tuple):
        return (_as_json(answer[0]), *answer[1:])
    if isinstance(answer, BaseModel):
        return answer.model_dump(mode="json")
    return answer


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def current_user() -> User:
    """Return the user whose token authenticated this request."""
    return g.api_user


@bp.before_request
def authenticate() -> None:
    """Accept a bearer token and nothing else: never the session cookie of the pages."""
    request.max_content_length = MAX_BODY_BYTES
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise Unauthorized(
            _l(
                "no API token was sent; send the header 'Authorization: Bearer <token>' "
                "(`flask users token EMAIL` prints a token)"
            )
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            _l("the Authorization header must read 'Bearer <token>'"), invalid_token=True
        )
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized(
            _l(
                "the API token is unknown or revoked, or its account is deactivated; "
                "ask for a new token"
            ),
            invalid_token=True,
        )
    g.api_user = user


def json_body() -> Any:
    """Return the request's JSON body; raise InvalidInput when it is empty or not JSON."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidInput({"body": _l("is empty; send a JSON object")})
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise InvalidInput(
            {"body": _l("is not valid JSON (%(problem)s); send a JSON object", problem=str(exc))}
        ) from None


def created(body: Mapping[str, Any], location: str) -> Reply:
    """Return a 201 reply pointing at the new resource."""
    return body, 201, {"Location": location}


def error_reply(status: int, code: str, message: str, **extra: Any) -> Response:
    """Return the API's error object: {"error": {"code", "message", ...}}."""
    response = jsonify(error={"code": code, "message": message, **extra})
    response.status_code = status
    return response


@bp.errorhandler(Exception)
def answer_error(exc: Exception) -> Response:
    """Roll the request back and answer with a JSON error; never a stack trace."""
    db.session.rollback()
    if isinstance(exc, WorkflowError):
        return _workflow_error(exc)
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if isinstance(exc, StaleDataError):
        return error_reply(
            409,
            StaleVersion.code,
            _("the record changed while your request ran; reload it and try again"),
        )
    if isinstance(exc, IntegrityError):
        # Two requests raced for the same unique slot (a number, a vote); the loser may retry.
        current_app.logger.warning("API integrity conflict on %s %s: %s", *_where(), exc.orig)
        return error_reply(
            409, "conflict", _("another change was saved at the same moment; reload and try again")
        )
    current_app.logger.exception("API request failed: %s %s", *_where())
    return error_reply(500, "internal_error", _("internal error; it has been logged"))


@bp.before_app_request
def answer_unknown_route() -> Response | None:
    """Answer unknown addresses and methods under the API in JSON, like every other error."""
    exc = request.routing_exception
    prefix = bp.url_prefix or ""
    under_api = request.path == prefix or request.path.startswith(prefix + "/")
    if under_api and isinstance(exc, (NoSuchRoute, MethodNotAllowed)):
        return _http_error(exc)
    return None


def _workflow_error(exc: WorkflowError) -> Response:
    extra: dict[str, Any] = {}
    if isinstance(exc, GuardFailed):
        extra["reasons"] = [str(r) for r in exc.reasons]
    if isinstance(exc, InvalidInput):
        extra["fields"] = {k: str(v) for k, v in exc.errors.items()}
    if isinstance(exc, StaleVersion) and exc.current is not None:
        extra["current_version"] = exc.current
    response = error_reply(exc.status, exc.code, exc.message, **extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = exc.challenge
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    headers = {}
    if isinstance(exc, NoSuchRoute):
        document = (bp.url_prefix or "") + "/openapi.json"
        message = _(
            "there is nothing at %(path)s; %(document)s lists what the API offers",
            path=request.path,
            document=document,
        )
    elif isinstance(exc, MethodNotAllowed):
        allowed = sorted(set(exc.valid_methods or ()) - {"HEAD", "OPTIONS"})
        message = _(
            "%(method)s is not accepted here; use %(allowed)s",
            method=request.method,
            allowed=", ".join(allowed),
        )
        headers["Allow"] = ", ".join(exc.valid_methods or ())
    else:
        message = exc.description or exc.name
    response = error_reply(status, code, message)
    response.headers.update(headers)
    return response


def _where() -> tuple[str, str]:
    return request.method, request.path
