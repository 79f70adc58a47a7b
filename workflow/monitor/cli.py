"""`flask plans import FILE`: bring past plans in from OGP's commitment data."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..plans.cli import plans_cli
from .importer import import_commitments


@plans_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, report the others.")
def import_command(file: Path, skip_invalid: bool) -> None:
    """Import commitments from a CSV with OGP's columns; nothing is written if a row is invalid."""
    text = file.read_text(encoding="utf-8-sig")

    def progress(done: int, total: int) -> None:
        if total >= 100 and (done % 100 == 0 or done == total):
            click.echo(f"imported {done} of {total} rows", err=True)

    try:
        result = import_commitments(text, skip_invalid=skip_invalid, progress=progress)
    except IntegrityError as exc:
        db.session.rollback()
        raise click.ClickException(f"nothing was imported: {exc.orig}") from None
    for rejected in result.rejected:
        click.echo(f"REJECTED {rejected}", err=True)
    if result.rejected and not skip_invalid:
        db.session.rollback()
        raise click.ClickException(
            f"nothing was imported: {len(result.rejected)} of {result.rows} rows are invalid; "
            "correct them, or pass --skip-invalid to import the others"
        )
    db.session.commit()
    for plan in result.plans_created:
        click.echo(f"created plan '{plan.slug}': {plan.title}")
    click.echo(
        f"imported {len(result.created)} commitments; {len(result.already_there)} were already "
        f"there; {len(result.rejected)} rejected"
    )
