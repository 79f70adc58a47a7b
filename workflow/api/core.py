"""The API's edge: bearer tokens, JSON errors, and one transaction per request.

Every view is registered with `route`: it loads, checks, calls one operation and returns what
to send. A view that writes is committed here, once, after it returns; any error rolls the whole
request back in `answer_error`, so a refused request writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from functools import wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as NoSuchRoute

from ..accounts.auth import user_for_token
from ..accounts.models import User
from ..errors import GuardFailed, InvalidInput, StaleVersion, WorkflowError
from ..extensions import db
from ..validation import Checker
from . import bp

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})
MAX_BODY_BYTES = 1024 * 1024
REALM = 'Bearer realm="cocreate"'

# What a view returns: a body, or a body with a status and headers.
Reply = Mapping[str, Any] | tuple[Mapping[str, Any], int] | tuple[Mapping[str, Any], int, dict]


class Unauthorized(WorkflowError):
    """No usable bearer token: answered 401 with a challenge naming the scheme."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str, *, invalid_token: bool = False) -> None:
        super().__init__(message)
        self.challenge = REALM + (', error="invalid_token"' if invalid_token else "")


def route(rule: str, methods: Collection[str] = ("GET",)) -> Callable:
    """Register a view under the API; commit once after it returns when the method writes."""

    def register(view: Callable[..., Reply]) -> Callable[..., Reply]:
        @wraps(view)
        def run(**kwargs: Any) -> Reply:
            reply = view(**kwargs)
            # The reply is built from the flushed rows, so it is sent only if this commit holds.
            if request.method not in SAFE_METHODS:
                db.session.commit()
            return reply

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=run, methods=list(methods))
        return run

    return register


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
            "no API token was sent; send the header 'Authorization: Bearer <token>' "
            "(`flask users token EMAIL` prints a token)"
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "the Authorization header must read 'Bearer <token>'", invalid_token=True
        )
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized(
            "the API token is unknown or revoked, or its account is deactivated; "
            "ask for a new token",
            invalid_token=True,
        )
    g.api_user = user


def json_body() -> Any:
    """Return the request's JSON body; raise InvalidInput when it is empty or not JSON."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidInput({"body": "is empty; send a JSON object"})
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise InvalidInput({"body": f"is not valid JSON ({exc}); send a JSON object"}) from None


def reject_unknown(check: Checker, known: Collection[str]) -> None:
    """Note every field of the body that is not in `known`."""
    for name in sorted(set(check.data) - set(known)):
        check.error(name, f"is not a field here; send only: {', '.join(known)}")


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
            "the record changed while your request ran; reload it and try again",
        )
    if isinstance(exc, IntegrityError):
        # Two requests raced for the same unique slot (a number, a vote); the loser may retry.
        current_app.logger.warning("API integrity conflict on %s %s: %s", *_where(), exc.orig)
        return error_reply(
            409, "conflict", "another change was saved at the same moment; reload and try again"
        )
    current_app.logger.exception("API request failed: %s %s", *_where())
    return error_reply(500, "internal_error", "internal error; it has been logged")


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
        extra["reasons"] = exc.reasons
    if isinstance(exc, InvalidInput):
        extra["fields"] = exc.errors
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
        message = (
            f"there is nothing at {request.path}; "
            f"{bp.url_prefix}/openapi.json lists what the API offers"
        )
    elif isinstance(exc, MethodNotAllowed):
        allowed = sorted(set(exc.valid_methods or ()) - {"HEAD", "OPTIONS"})
        message = f"{request.method} is not accepted here; use {', '.join(allowed)}"
        headers["Allow"] = ", ".join(exc.valid_methods or ())
    else:
        message = exc.description or exc.name
    response = error_reply(status, code, message)
    response.headers.update(headers)
    return response


def _where() -> tuple[str, str]:
    return request.method, request.path
