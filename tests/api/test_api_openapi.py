"""The OpenAPI document is valid, and it and the routes cannot drift apart."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from workflow.api import bp
from workflow.api.openapi import document

from .conftest import PREFIX, check, openapi_path

DOCUMENT = document()

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app) -> dict[str, set[str]]:
    """Return every address of the API blueprint with its methods, in the document's form."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            methods = {m.lower() for m in rule.methods - IGNORED_METHODS}
            found.setdefault(openapi_path(rule.rule), set()).update(methods)
    return found


def documented() -> dict[str, set[str]]:
    return {
        path: {m for m in operations if m != "parameters"}
        for path, operations in DOCUMENT["paths"].items()
    }


def test_the_served_document_is_valid_openapi(api):
    served = api.get("/openapi.json").json
    validate(served)
    assert served == DOCUMENT
    assert served["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token.",
    }


def test_every_route_is_documented_with_its_methods(app):
    assert routes(app) == documented()
    assert DOCUMENT["servers"] == [{"url": bp.url_prefix}] == [{"url": PREFIX}]


def test_path_parameters_are_the_rules_variables(app):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = openapi_path(rule.rule)
        declared = {p["name"] for p in DOCUMENT["paths"][path].get("parameters", [])}
        assert declared == set(rule.arguments), path
        assert set(re.findall(r"\{([a-z_]+)\}", path)) == declared


def test_every_write_documents_its_body_and_refusals():
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "patch"):
                assert "requestBody" in operation, (method, path)
                assert {"400", "401", "404"} <= set(operation["responses"]), (method, path)
            if method != "parameters" and path != "/openapi.json":
                assert DOCUMENT["security"] == [{"bearer": []}]
                assert "security" not in operation  # only the document itself is open


def test_only_the_document_is_open():
    open_paths = [
        path
        for path, operations in DOCUMENT["paths"].items()
        for method, operation in operations.items()
        if method != "parameters" and operation.get("security") == []
    ]
    assert open_paths == ["/openapi.json"]


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ("CommitmentEventInput", {"event": "submit", "version": 3}, True),
        ("CommitmentEventInput", {"event": "accept", "version": 3}, False),
        ("ProgressReportEventInput", {"event": "accept", "version": 3}, True),
        ("CommitmentEventInput", {"event": "submit"}, False),
        ("VoteInput", {"decision": "abstain", "comment": "I declare an interest."}, True),
        ("VoteInput", {"decision": "abstain", "comment": None}, False),
        ("VoteInput", {"decision": "maybe"}, False),
        ("CommentInput", {"body": "x", "field": "ogp_values"}, True),
        ("CommentInput", {"body": "x", "extra": 1}, False),
    ],
)
def test_input_schemas_say_what_the_api_accepts(schema, value, valid):
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema}", **DOCUMENT})
    assert validator.is_valid(value) is valid


def test_the_reply_check_catches_an_undocumented_field():
    """The fixture that checks every reply against the document really is strict."""
    commitment = {"$ref": "#/components/schemas/CommitmentSummary"}
    good = {
        "id": 1,
        "plan_id": 1,
        "number": 1,
        "ogp_id": None,
        "title": "t",
        "lead_agency": "a",
        "state": "draft",
        "version": 1,
        "state_changed_at": "2024-01-01T00:00:00.000000Z",
    }
    check(commitment, good, "a summary")
    with pytest.raises(AssertionError, match="'secret' was unexpected"):
        check(commitment, {**good, "secret": 1}, "a summary")
    with pytest.raises(AssertionError, match="is not one of"):
        check(commitment, {**good, "state": "limbo"}, "a summary")
