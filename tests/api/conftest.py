"""API fixtures: a client that sends bearer tokens and checks every reply against the document."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from workflow.accounts.models import User
from workflow.api.openapi import document
from workflow.engine.audit import LogEntry
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.models import OutboxMessage
from workflow.plans.models import Commitment, Revision
from workflow.reporting.models import ProgressReport
from workflow.review.models import Comment, Vote
from workflow.review.operations import cast_vote

DOCUMENT = document()

PREFIX = "/api/v1"


def openapi_path(rule: str) -> str:
    """Turn a Flask rule (/api/v1/commitments/<int:commitment_id>) into the document's form."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix(PREFIX))


def _closed(node: Any) -> Any:
    """Forbid undocumented properties, so a reply cannot grow fields the document lacks."""
    if isinstance(node, dict):
        node = {k: _closed(v) for k, v in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


STRICT_COMPONENTS = _closed(copy.deepcopy(DOCUMENT["components"]))


def operation_for(app: Flask, method: str, url: str) -> dict[str, Any] | None:
    """Return the document's operation for a request, or None for an unknown address."""
    try:
        rule, _ = app.url_map.bind("localhost").match(url, method=method, return_rule=True)
    except HTTPException:
        return None
    return DOCUMENT["paths"][openapi_path(rule.rule)][method.lower()]


def check(schema: dict[str, Any], value: Any, what: str) -> None:
    validator = Draft202012Validator(
        {**schema, "components": STRICT_COMPONENTS},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    assert not errors, f"{what} differs from the document: {errors[0].message}"


def assert_documented(app: Flask, method: str, url: str, body: Any, response: TestResponse) -> None:
    """Check the reply (and an accepted request body) against the document, strictly."""
    operation = operation_for(app, method, url)
    if operation is None:
        return
    responses = operation["responses"]
    spec = responses.get(str(response.status_code)) or responses.get("default")
    assert spec is not None, f"{method} {url}: status {response.status_code} is not documented"
    if "$ref" in spec:
        spec = DOCUMENT["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
    check(spec["content"]["application/json"]["schema"], response.get_json(), f"{method} {url}")
    if response.status_code < 300 and "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        check(schema, body, f"the body the API accepted for {method} {url}")


class Api:
    """Call the API as a user: their token is issued (and committed) on first use."""

    def __init__(self, app: Flask, client: FlaskClient, token_for: Callable[[User], str]):
        self.app = app
        self.client = client
        self._token_for = token_for
        self._tokens: dict[int, str] = {}

    def token(self, user: User) -> str:
        if user.id not in self._tokens:
            self._tokens[user.id] = self._token_for(user)
            db.session.commit()  # the API rolls back on error: what a test set up must be saved
        return self._tokens[user.id]

    def call(
        self,
        method: str,
        path: str,
        user: User | None = None,
        json: Any = None,
        *,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        url = PREFIX + path
        response = self.client.open(
            url,
            method=method,
            headers=headers,
            **({"json": json} if json is not None else {"data": data}),
        )
        assert response.is_json, f"{method} {url} answered {response.status_code} without JSON"
        assert_documented(self.app, method, url, json, response)
        return response

    def get(self, path: str, user: User | None = None, **kw: Any) -> TestResponse:
        return self.call("GET", path, user, **kw)

    def post(self, path: str, user: User | None = None, json: Any = None, **kw) -> TestResponse:
        return self.call("POST", path, user, json, **kw)

    def patch(self, path: str, user: User | None = None, json: Any = None, **kw) -> TestResponse:
        return self.call("PATCH", path, user, json, **kw)

    def fire(
        self, commitment_id: int, user: User, event: str, comment: str | None = None
    ) -> TestResponse:
        """Fire an event with the version the user would have just read."""
        version = self.get(f"/commitments/{commitment_id}", user).json["version"]
        body = {"event": event, "version": version}
        if comment is not None:
            body["comment"] = comment
        return self.post(f"/commitments/{commitment_id}/events", user, body)


@pytest.fixture
def api(app: Flask, client: FlaskClient, token_for) -> Api:
    return Api(app, client, token_for)


@dataclass(frozen=True)
class Footprint:
    """Everything a request about one commitment could write."""

    state: str
    version: int
    log: int
    revisions: int
    comments: int
    answered: int
    votes: int
    reports: int
    outbox: int


def footprint(commitment_id: int) -> Footprint:
    """Read what is stored about a commitment, fresh from the database."""
    db.session.expire_all()

    def count(model: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    c = db.session.get(Commitment, commitment_id)
    log_ids = select(LogEntry.id).where(
        LogEntry.record_type == "commitment", LogEntry.record_id == commitment_id
    )
    return Footprint(
        state=c.state,
        version=c.version,
        log=count(LogEntry, LogEntry.record_type == "commitment", LogEntry.record_id == c.id),
        revisions=count(Revision, Revision.commitment_id == c.id),
        comments=count(Comment, Comment.commitment_id == c.id),
        answered=count(Comment, Comment.commitment_id == c.id, Comment.response.is_not(None)),
        votes=count(Vote, Vote.commitment_id == c.id),
        reports=count(ProgressReport, ProgressReport.commitment_id == c.id),
        outbox=count(OutboxMessage, OutboxMessage.log_entry_id.in_(log_ids)),
    )


@pytest.fixture
def unchanged() -> Callable[[int], Any]:
    """Use as `with unchanged(commitment_id): ...` around a refused request."""

    @contextmanager
    def watch(commitment_id: int) -> Iterator[Footprint]:
        before = footprint(commitment_id)
        yield before
        assert footprint(commitment_id) == before

    return watch


@pytest.fixture
def draft(cast, create_commitment_) -> Commitment:
    """A complete draft by the cast's drafter, saved."""
    commitment = create_commitment_(cast.plan, cast.drafter)
    db.session.commit()
    return commitment


@pytest.fixture
def advance(cast) -> Callable[[Commitment, str], Commitment]:
    """Take a draft to a later state through the operations (the API's own path is tested
    end to end elsewhere), and save it."""

    steps = {
        "draft": lambda c: fire(c, "submit", cast.drafter),
        "cso_review": lambda c: fire(c, "endorse", cast.cso1),
        "msf_approval": lambda c: [cast_vote(c, m, "approve", "Agreed.") for m in cast.msf[:3]],
        "government_signoff": lambda c: fire(c, "sign_off", cast.signatory),
    }

    def move(commitment: Commitment, state: str) -> Commitment:
        while commitment.state != state:
            steps[commitment.state](commitment)
        db.session.commit()
        return commitment

    return move
