"""Bearer tokens and nothing else: every API address but the document needs one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from workflow.accounts.models import ApiToken
from workflow.api.openapi import document
from workflow.engine.audit import utcnow
from workflow.extensions import db

DOCUMENT = document()

PROTECTED = [
    (method.upper(), re.sub(r"\{[a-z_]+\}", "1", path))
    for path, operations in DOCUMENT["paths"].items()
    for method in operations
    if method != "parameters" and path != "/openapi.json"
]


def assert_unauthorized(response, invalid_token: bool) -> None:
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert ('error="invalid_token"' in challenge) is invalid_token


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_route_needs_a_token(api, method, path):
    response = api.call(method, path, json={} if method != "GET" else None)
    assert_unauthorized(response, invalid_token=False)
    assert "Authorization: Bearer" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("header", "invalid"),
    [
        ("Basic dXNlcjpwYXNz", True),
        ("Bearer", True),
        ("Bearer ", True),
        ("Bearer cct_not-a-real-token", True),
        ("Token cct_whatever", True),
    ],
)
def test_malformed_or_unknown_tokens_are_refused(api, header, invalid):
    assert_unauthorized(api.get("/me", headers={"Authorization": header}), invalid)


def test_a_good_token_names_its_user(api, cast):
    r = api.get("/me", cast.msf_cso1)
    assert r.status_code == 200
    assert r.json["email"] == cast.msf_cso1.email
    assert r.json["memberships"] == [
        {
            "plan_id": cast.plan.id,
            "plan_title": cast.plan.title,
            "role": "msf_member",
            "sector": "civil_society",
        }
    ]


def test_a_revoked_token_is_refused(api, cast):
    token = api.token(cast.poc)
    assert api.get("/me", cast.poc).status_code == 200
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token))
    )
    row.revoked_at = utcnow()
    db.session.commit()
    assert_unauthorized(api.get("/me", cast.poc), invalid_token=True)


def test_a_deactivated_account_is_refused(api, cast):
    assert api.get("/me", cast.drafter).status_code == 200
    cast.drafter.active = False
    db.session.commit()
    assert_unauthorized(api.get("/me", cast.drafter), invalid_token=True)


def test_the_session_cookie_is_never_accepted(api, cast, client):
    """The API is exempt from CSRF checks, so a logged-in browser must not be able to use it."""
    user_id = cast.poc.id
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    assert_unauthorized(api.get("/me"), invalid_token=False)
    assert_unauthorized(
        api.post(f"/plans/{cast.plan.id}/commitments", json={"title": "x"}), invalid_token=False
    )


def test_the_document_needs_no_token(api):
    r = api.get("/openapi.json")
    assert r.status_code == 200
    assert r.json["openapi"].startswith("3.")
