"""`flask audit verify`: check every record's hash chain."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..database import read_only
from .audit import verify_chains

audit_cli = AppGroup("audit", help="Check the transition log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Verify every hash chain and record state; name the first problem of each record."""
    engine = current_app.extensions["workflow_engine"]
    with read_only():
        count, broken = verify_chains(engine.record_models)
    if broken:
        for link in broken:
            click.echo(f"BROKEN {link}", err=True)
        raise click.ClickException(f"{len(broken)} broken chain(s) among {count} entries")
    click.echo(f"ok: {count} entries, every chain intact")
