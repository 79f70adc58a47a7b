"""`flask users revoke-tokens EMAIL`: a leaked token stops working, the account does not."""

from __future__ import annotations

from sqlalchemy import select

from workflow.accounts.models import ApiToken
from workflow.extensions import db


def me(client, token: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_revoked_tokens_get_401_and_other_users_keep_theirs(app, client, create_user_, token_for):
    user = create_user_(email="leaky@example.org")
    other = create_user_(email="careful@example.org")
    first, second, kept = token_for(user), token_for(user), token_for(other)
    db.session.commit()  # an API error rolls the session back: keep what the test set up
    assert me(client, first).status_code == 200
    assert me(client, second).json["email"] == "leaky@example.org"

    result = app.test_cli_runner().invoke(args=["users", "revoke-tokens", "Leaky@Example.org"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "revoked 2 API tokens of leaky@example.org"

    for token in (first, second):
        response = me(client, token)
        assert response.status_code == 401
        assert "unknown or revoked" in response.json["error"]["message"]
    assert me(client, kept).status_code == 200
    assert user.active  # only the tokens were revoked

    # A new token works again; revoking anew counts only the tokens still active.
    fresh = token_for(user)
    db.session.commit()
    assert me(client, fresh).status_code == 200
    result = app.test_cli_runner().invoke(args=["users", "revoke-tokens", user.email])
    assert result.output.strip() == "revoked 1 API token of leaky@example.org"
    assert me(client, fresh).status_code == 401
    revoked = db.session.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id))
    assert all(when is not None for when in revoked)


def test_revoke_tokens_of_an_unknown_address_is_refused(app):
    result = app.test_cli_runner().invoke(args=["users", "revoke-tokens", "nobody@example.org"])
    assert result.exit_code == 1
    assert "no user with the address nobody@example.org" in result.output
