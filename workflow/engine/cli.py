"""`flask audit verify`: check every record's hash chain."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..database import read_only
from .audit import stranded_records, verify_chains

audit_cli = AppGroup("audit", help="Check the transition log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Verify every hash chain and record state, and that every record's workflow is installed."""
    engine = current_app.extensions["workflow_engine"]
    with read_only():
        count, broken = verify_chains(engine.record_models)
        stranded = stranded_records(engine)
    for link in broken:
        click.echo(f"BROKEN {link}", err=True)
    for problem in stranded:
        click.echo(f"STRANDED {problem}", err=True)
    if broken or stranded:
        raise click.ClickException(
            f"{len(broken)} broken chain(s) among {count} entries; "
            f"{len(stranded)} group(s) of records on a workflow that is not installed"
        )
    click.echo(f"ok: {count} entries, every chain intact, every record on an installed workflow")
