"""Accounts: hashed passwords, API tokens from the command line, deactivation."""

import pytest
from sqlalchemy import select

from workflow.accounts.auth import user_for_token
from workflow.accounts.models import ApiToken, User
from workflow.accounts.operations import create_user, grant_role
from workflow.errors import Conflict, InvalidInput
from workflow.extensions import db


def test_passwords_are_hashed_with_argon2(db):
    user = create_user("Someone@Example.org", "Someone", "a long passphrase")
    assert user.email == "someone@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long passphrase" not in user.password_hash
    assert user.check_password("a long passphrase")
    assert not user.check_password("a wrong passphrase")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-address", "a long passphrase", "email"), ("a@example.org", "short", "password")],
)
def test_bad_account_input_is_named(db, email, password, field):
    with pytest.raises(InvalidInput) as exc:
        create_user(email, "A", password)
    assert field in exc.value.errors


def test_an_address_is_taken_once(db):
    create_user("twice@example.org", "One", None)
    with pytest.raises(Conflict, match="exists already"):
        create_user("TWICE@example.org", "Two", None)


def test_msf_members_sit_on_a_side(create_plan, create_user_):
    plan, user = create_plan(), create_user_()
    with pytest.raises(InvalidInput, match="one side"):
        grant_role(plan, user, "msf_member")
    assert grant_role(plan, user, "msf_member", "government").sector == "government"
    assert grant_role(plan, user, "drafter", "government").sector is None


def test_token_command_prints_a_working_token(app, create_user_):
    user = create_user_(email="cli@example.org")
    result = app.test_cli_runner().invoke(args=["users", "token", "cli@example.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert user_for_token(token) == user
    stored = db.session.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == user.id))
    assert token not in list(stored)  # only the hash is kept


def test_token_command_refuses_unknown_and_deactivated(app, create_user_):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code != 0
    assert "no user with the address" in result.output
    user = create_user_(email="gone@example.org")
    _, token = ApiToken.issue(user)
    user.active = False
    db.session.flush()
    assert user_for_token(token) is None
    assert runner.invoke(args=["users", "token", "gone@example.org"]).exit_code != 0


def test_create_command(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "new@example.org",
            "--name",
            "New",
            "--password",
            "a long passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.check_password("a long passphrase")
