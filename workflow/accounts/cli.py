"""`flask users ...`: create accounts, issue and revoke API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..errors import WorkflowError
from ..extensions import db
from .auth import user_by_email
from .models import ApiToken, User
from .operations import create_user, deactivate_user, revoke_tokens

users_cli = AppGroup("users", help="Manage user accounts and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--language", type=click.Choice(["en", "mn"]), default="en")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.password_option(help="Password (asked for when not given).")
def create_command(email: str, name: str, language: str, admin: bool, password: str) -> None:
    """Create a user account."""
    try:
        user = create_user(email, name, password, language=language, is_admin=admin)
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"created {user.email}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def token_command(email: str, name: str) -> None:
    """Print a new API token for a user (shown once; only its hash is kept)."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with the address {email}")
    if not user.active:
        raise click.ClickException(f"{user.email} is deactivated")
    _, token = ApiToken.issue(user, name=name)
    db.session.commit()
    click.echo(token)


@users_cli.command("list")
def list_command() -> None:
    """List user accounts."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        flags = ",".join(
            f for f, on in (("admin", user.is_admin), ("inactive", not user.active)) if on
        )
        click.echo(f"{user.email}\t{user.name}\t{flags}")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Deactivate an account: it can no longer sign in, act or receive mail."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with the address {email}")
    deactivate_user(user)
    db.session.commit()
    click.echo(f"deactivated {user.email}")


@users_cli.command("revoke-tokens")
@click.argument("email")
def revoke_tokens_command(email: str) -> None:
    """Revoke every active API token of a user; the account itself stays usable."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with the address {email}")
    count = revoke_tokens(user)
    db.session.commit()
    click.echo(f"revoked {count} API token{'' if count == 1 else 's'} of {user.email}")
