"""`flask demo load`: Mongolia's NAP V with one account per role."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from ..definitions.commitment import STATES as COMMITMENT_STATES
from ..errors import WorkflowError
from ..extensions import db
from .loader import DEMO_PASSWORD, PLAN_SLUG, load_demo, real_data_reason

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option(
    "--any-database",
    is_flag=True,
    help="Load into a database other than the embedded SQLite one (a server you run).",
)
def load_command(any_database: bool) -> None:
    """Load the demo plan, its commitments and accounts; do nothing when already loaded."""
    # Its accounts, an administrator among them, share a password printed in the README.
    reason = None if any_database else real_data_reason()
    if reason:
        raise click.ClickException(
            f"{reason}, perhaps a real one: the demo creates accounts whose password "
            f"'{DEMO_PASSWORD}' is public. Pass --any-database to load it anyway (for a staging "
            "or training server)."
        )
    try:
        result = load_demo()
        if result is not None:
            db.session.commit()
    except (WorkflowError, IntegrityError) as exc:
        db.session.rollback()
        if isinstance(exc, WorkflowError):
            message = exc.message
        else:  # two loads at once: the other one wins the unique plan slug or addresses
            message = f"{exc.orig}; if another load ran at the same time, run this one again"
        raise click.ClickException(
            f"the demo was not loaded, nothing was written: {message}"
        ) from None
    if result is None:
        click.echo(f"demo already loaded (plan '{PLAN_SLUG}'); nothing changed")
        return
    plan = result.plan
    click.echo(f"created plan '{plan.slug}': {plan.title}")
    click.echo(f"organisations: {result.organisations}")
    if result.accounts_created:
        click.echo(
            f"created {len(result.accounts_created)} accounts with the password "
            f"'{DEMO_PASSWORD}': {', '.join(result.accounts_created)}"
        )
    if result.accounts_kept:
        click.echo(
            f"kept {len(result.accounts_kept)} existing accounts and their passwords: "
            f"{', '.join(result.accounts_kept)}"
        )
    states = ", ".join(f"{s} {result.states[s]}" for s in COMMITMENT_STATES if result.states[s])
    click.echo(f"commitments: {sum(result.states.values())} ({states})")
    click.echo(
        f"imported {result.imported} commitments of Mongolia's earlier plans from OGP's data: "
        + ", ".join(p.title for p in result.earlier_plans)
    )
    click.echo(
        f"marked {result.outbox_marked_sent} notifications of the demo's own transitions as "
        "suppressed: they are never mailed"
    )
