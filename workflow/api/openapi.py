"""The OpenAPI 3.1 document, generated from the routes and the shapes they declare.

Each route says which model its body and its reply are (`core.route`); the schemas are those
models' own JSON Schema, so the document describes exactly what the code validates and sends.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ..schema import MAX_ID
from . import bp
from .core import OPERATIONS, Operation, Reply, route
from .schemas import Error

JSON = "application/json"
REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "The body is not JSON, or a field has the wrong shape (see `fields`).",
    "401": "No valid bearer token.",
    "403": "Your roles on this plan do not allow it.",
    "404": "No such record, or it is on a plan you may not see.",
    "409": "Stale `version`, an event not possible in this state, or a clash (a second vote).",
    "422": "Well-formed but refused: a guard (`reasons` says why) or values that disagree "
    "(`fields` says which, e.g. an end date before the start).",
}
UNEXPECTED = "An internal error (500); it is logged and nothing was written."
TAGS = ("people", "plans", "commitments", "workflow", "review", "reports", "meta")


@cache
def document() -> dict[str, Any]:
    """Build the document once, from every route registered on the API blueprint."""
    models: dict[type[BaseModel], str] = {Error: "serialization"}
    for op in OPERATIONS:
        if op.body is not None:
            models[op.body] = "validation"
        if op.reply is not None:
            models[op.reply] = "serialization"
    refs, defs = models_json_schema([(m, mode) for m, mode in models.items()], ref_template=REF)
    schemas = {name: _tidy(schema) for name, schema in defs.get("$defs", {}).items()}

    def ref(model: type[BaseModel], mode: str) -> dict[str, str]:
        return refs[(model, mode)]

    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", op.rule)
        entry = paths.setdefault(path, {})
        params = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", op.rule)
        if params:
            entry["parameters"] = [_param(p) for p in params]
        entry[op.method] = _operation(op, ref)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cocreate API",
            "version": "1",
            "description": (
                "Co-create, review, approve and follow open-government action plans. "
                "Authenticate with `Authorization: Bearer <token>` (`flask users token EMAIL` "
                'prints one). Every error is `{"error": {"code", "message", ...}}` and writes '
                "nothing; messages follow `Accept-Language` (English or Mongolian), else your "
                "account's language. Writes that change a record send the `version` you read: "
                "a stale one gets 409."
            ),
        },
        "servers": [{"url": bp.url_prefix}],
        "security": [{"bearer": []}],
        "tags": [{"name": name} for name in TAGS],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token."}
            },
            "schemas": schemas,
            "responses": {
                **{f"E{code}": _error_response(code, text) for code, text in ERRORS.items()},
                "Unexpected": {
                    "description": UNEXPECTED,
                    "content": {JSON: {"schema": ref(Error, "serialization")}},
                },
            },
        },
    }


def _operation(op: Operation, ref: Any) -> dict[str, Any]:
    status = str(op.status)
    success: dict[str, Any] = {"description": op.summary}
    schema = ref(op.reply, "serialization") if op.reply is not None else {"type": "object"}
    success["content"] = {JSON: {"schema": schema}}
    if op.status == 201:
        success["headers"] = {
            "Location": {"schema": {"type": "string"}, "description": "The new resource's address."}
        }
    spec: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": op.summary,
        "responses": {
            status: success,
            **{code: {"$ref": f"#/components/responses/E{code}"} for code in op.errors},
            "default": {"$ref": "#/components/responses/Unexpected"},
        },
    }
    if op.description:
        spec["description"] = op.description
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": ref(op.body, "validation")}},
        }
    if op.public:
        spec["security"] = []
    return spec


def _param(name: str) -> dict[str, Any]:
    what = name.removesuffix("_id").replace("_", " ")
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
        "description": f"The {what}'s id.",
    }


def _error_response(code: str, text: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": text,
        "content": {JSON: {"schema": {"$ref": REF.format(model="Error")}}},
    }
    if code == "401":
        response["headers"] = {
            "WWW-Authenticate": {
                "schema": {"type": "string"},
                "description": 'Bearer realm="cocreate"',
            }
        }
    return response


def _tidy(node: Any) -> Any:
    """Drop pydantic's generated titles: the component names say it, and they clutter."""
    if isinstance(node, dict):
        return {k: _tidy(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


@route(
    "/openapi.json",
    reply=None,
    tag="meta",
    summary="This document",
    errors=(),
    operation_id="openapiDocument",
)
def openapi_document() -> Reply:
    """Serve the OpenAPI document; the one API address that needs no token."""
    return document()
