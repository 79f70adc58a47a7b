"""`flask plans ...`: create action plans and decide who holds which role on them."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.auth import user_by_email
from ..accounts.models import PlanMembership, User
from ..accounts.operations import grant_role, revoke_role
from ..accounts.roles import MSF_MEMBER, PLAN_ROLES, SECTORS
from ..engine.gate import MAJORITY_WITH_PARITY, RULES
from ..errors import InvalidInput, WorkflowError
from ..extensions import db
from .models import REPORTING_CYCLES, ActionPlan
from .setup import create_plan

plans_cli = AppGroup("plans", help="Create action plans and give people roles on them.")

# The operation names its inputs after the model; a person typed the options.
OPTION_NAMES = {
    "slug": "--slug",
    "country": "--country",
    "title": "--title",
    "period_start": "--start",
    "period_end": "--end",
    "reporting_cycle": "--cycle",
    "approval_rule": "--rule",
    "sector": "--sector",
}


@plans_cli.command("create")
@click.option("--slug", required=True, help="Short name for commands and addresses: nap-5.")
@click.option("--country", required=True, help="The country or place the plan belongs to.")
@click.option("--title", required=True, help="The plan's full title.")
@click.option("--start", "period_start", required=True, metavar="YYYY-MM-DD", help="Its first day.")
@click.option("--end", "period_end", required=True, metavar="YYYY-MM-DD", help="Its last day.")
@click.option(
    "--cycle",
    "reporting_cycle",
    type=click.Choice(REPORTING_CYCLES),
    default="quarterly",
    show_default=True,
    help="How often progress is reported.",
)
@click.option(
    "--rule",
    "approval_rule",
    type=click.Choice(RULES),
    default=MAJORITY_WITH_PARITY,
    show_default=True,
    help="How the MSF vote decides.",
)
@click.option("--private", is_flag=True, help="Only the plan's members and administrators see it.")
def create_command(private: bool, **values: str) -> None:
    """Create an action plan."""
    try:
        plan = create_plan(**values, is_public=not private)
    except WorkflowError as exc:  # raised before anything is added: nothing to roll back
        raise click.ClickException(f"the plan was not created: {_explain(exc)}") from None
    try:
        db.session.commit()
    except IntegrityError as exc:  # another command took the slug at the same moment
        db.session.rollback()
        raise click.ClickException(
            f"the plan was not created: {exc.orig}; run `flask plans list` and try again"
        ) from None
    visibility = "private" if private else "public"
    click.echo(f"created {visibility} plan '{plan.slug}': {plan.title}")


@plans_cli.command("list")
def list_command() -> None:
    """List the plans, newest first."""
    plans = db.session.scalars(
        select(ActionPlan).order_by(ActionPlan.period_start.desc(), ActionPlan.id)
    ).all()
    if not plans:
        click.echo("no plans yet; `flask plans create` makes one")
    for plan in plans:
        period = f"{plan.period_start.isoformat()}..{plan.period_end.isoformat()}"
        visibility = "public" if plan.is_public else "private"
        fields = (plan.slug, plan.country, period, plan.reporting_cycle, plan.approval_rule)
        click.echo("\t".join((*fields, visibility, plan.title)))


@plans_cli.command("grant")
@click.argument("slug")
@click.argument("email")
@click.argument("role", type=click.Choice(PLAN_ROLES))
@click.option(
    "--sector", type=click.Choice(SECTORS), help="The side of the forum; msf_member needs one."
)
def grant_command(slug: str, email: str, role: str, sector: str | None) -> None:
    """Give a user a role on a plan."""
    plan, user = _plan(slug), _user(email)
    if not user.active:
        raise click.ClickException(f"{user.email} is deactivated and cannot act on a plan")
    if sector is not None and role != MSF_MEMBER:
        raise click.ClickException(f"--sector is for {MSF_MEMBER} only; leave it out for {role}")
    try:
        grant_role(plan, user, role, sector)
    except WorkflowError as exc:
        raise click.ClickException(_explain(exc)) from None
    db.session.commit()
    side = f" ({sector})" if sector else ""
    click.echo(f"{user.email} holds the role {role}{side} on '{plan.slug}'")


@plans_cli.command("revoke")
@click.argument("slug")
@click.argument("email")
@click.argument("role", type=click.Choice(PLAN_ROLES))
def revoke_command(slug: str, email: str, role: str) -> None:
    """Take a role on a plan away from a user."""
    plan, user = _plan(slug), _user(email)
    try:
        revoke_role(plan, user, role)
    except WorkflowError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"{user.email} no longer holds the role {role} on '{plan.slug}'")


@plans_cli.command("members")
@click.argument("slug")
def members_command(slug: str) -> None:
    """List who holds which role on a plan."""
    plan = _plan(slug)
    memberships = db.session.scalars(
        select(PlanMembership)
        .join(PlanMembership.user)
        .where(PlanMembership.plan_id == plan.id)
        .options(joinedload(PlanMembership.user))
        .order_by(PlanMembership.role, User.email)
    ).all()
    if not memberships:
        click.echo(f"'{plan.slug}' has no members yet; `flask plans grant` gives roles")
    for m in memberships:
        role = f"{m.role} ({m.sector})" if m.sector else m.role
        flags = "" if m.user.active else "inactive"
        click.echo("\t".join((m.user.email, m.user.name, role, flags)).rstrip("\t"))


def _plan(slug: str) -> ActionPlan:
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == slug))
    if plan is None:
        raise click.ClickException(f"no plan with the slug '{slug}'; `flask plans list` shows them")
    return plan


def _user(email: str) -> User:
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(
            f"no user with the address {email}; `flask users create` makes one"
        )
    return user


def _explain(exc: WorkflowError) -> str:
    if isinstance(exc, InvalidInput):
        return "; ".join(f"{OPTION_NAMES.get(k, k)} {v}" for k, v in exc.errors.items())
    return exc.message
