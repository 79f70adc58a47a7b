"""`flask plans ...`: set up a plan and its members without the demo."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from workflow.accounts.models import PlanMembership
from workflow.accounts.permissions import can_view_plan, plan_roles
from workflow.extensions import db
from workflow.plans.models import ActionPlan
from workflow.plans.setup import create_plan

NAP6 = [
    "--slug",
    "mongolia-nap6",
    "--country",
    "Mongolia",
    "--title",
    "Sixth National Action Plan",
    "--start",
    "2028-01-01",
    "--end",
    "2029-12-31",
]


@pytest.fixture
def flask_cmd(app):
    runner = app.test_cli_runner()

    def run(*args: str):
        return runner.invoke(args=list(args))

    return run


def plan_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ActionPlan))


def with_option(args: list[str], option: str, value: str) -> list[str]:
    changed = list(args)
    changed[changed.index(option) + 1] = value
    return changed


def test_create_makes_a_public_plan_with_the_defaults(flask_cmd):
    result = flask_cmd("plans", "create", *NAP6)
    assert result.exit_code == 0, result.output
    assert "created public plan 'mongolia-nap6': Sixth National Action Plan" in result.output
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == "mongolia-nap6"))
    assert (plan.country, plan.title) == ("Mongolia", "Sixth National Action Plan")
    assert (plan.period_start, plan.period_end) == (date(2028, 1, 1), date(2029, 12, 31))
    assert (plan.reporting_cycle, plan.approval_rule) == ("quarterly", "majority_with_parity")
    assert plan.is_public is True


def test_create_a_private_plan_with_its_own_cycle_and_rule(flask_cmd, create_user_):
    args = ["--cycle", "biannual", "--rule", "unanimity", "--private"]
    result = flask_cmd("plans", "create", *NAP6, *args)
    assert result.exit_code == 0, result.output
    assert "created private plan" in result.output
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == "mongolia-nap6"))
    assert (plan.reporting_cycle, plan.approval_rule, plan.is_public) == (
        "biannual",
        "unanimity",
        False,
    )
    assert not can_view_plan(create_user_(), plan)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--start", "2028-13-01", "--start must be a date written YYYY-MM-DD"),
        ("--end", "31/12/2029", "--end must be a date written YYYY-MM-DD"),
        ("--end", "2027-06-30", "--end must be after the start date"),
        ("--end", "2028-01-01", "--end must be after the start date"),
        ("--slug", "Mongolia NAP6", "--slug must be lowercase letters, digits and single hyphens"),
        ("--title", "  ", "--title must not be empty"),
    ],
)
def test_create_refuses_bad_values_and_writes_nothing(flask_cmd, option, value, message):
    before = plan_count()
    result = flask_cmd("plans", "create", *with_option(NAP6, option, value))
    assert result.exit_code == 1
    assert f"Error: the plan was not created: {message}" in result.output
    assert plan_count() == before


def test_create_names_every_bad_value_at_once(flask_cmd):
    args = with_option(with_option(NAP6, "--start", "soon"), "--slug", "-x-")
    result = flask_cmd("plans", "create", *args)
    assert result.exit_code == 1
    assert "--slug must be" in result.output and "--start must be a date" in result.output


def test_create_refuses_a_taken_slug(flask_cmd):
    assert flask_cmd("plans", "create", *NAP6).exit_code == 0
    result = flask_cmd("plans", "create", *with_option(NAP6, "--title", "Another"))
    assert result.exit_code == 1
    assert "a plan with the slug 'mongolia-nap6' exists already; choose another" in result.output
    assert db.session.scalar(select(func.count()).where(ActionPlan.slug == "mongolia-nap6")) == 1


def test_create_refuses_an_unknown_cycle(flask_cmd):
    result = flask_cmd("plans", "create", *NAP6, "--cycle", "monthly")
    assert result.exit_code == 2
    assert "'monthly' is not one of 'quarterly', 'biannual', 'annual'" in result.output


def test_the_operation_takes_dates_too(db):
    plan = create_plan(
        slug="local-plan",
        country="Ulaanbaatar",
        title="Local action plan",
        period_start=date(2025, 1, 1),
        period_end=date(2026, 12, 31),
        reporting_cycle="annual",
    )
    assert plan.id is not None and plan.reporting_cycle == "annual"


def test_list_shows_every_plan(flask_cmd, create_plan):
    assert flask_cmd("plans", "list").exit_code == 0
    create_plan(slug="open-plan", title="An open plan")
    create_plan(slug="closed-plan", title="A closed plan", is_public=False)
    output = flask_cmd("plans", "list").output
    lines = {line.split("\t")[0]: line.split("\t") for line in output.splitlines()}
    assert lines["open-plan"] == [
        "open-plan",
        "Mongolia",
        "2024-01-01..2027-12-31",
        "quarterly",
        "majority_with_parity",
        "public",
        "An open plan",
    ]
    assert lines["closed-plan"][5:] == ["private", "A closed plan"]


def test_grant_revoke_and_members(flask_cmd, create_plan, create_user_):
    plan = create_plan(slug="nap")
    drafter = create_user_(email="drafter@example.org", name="Dana Drafter")
    voter = create_user_(email="voter@example.org", name="Vera Voter")

    assert flask_cmd("plans", "members", "nap").output.startswith("'nap' has no members yet")

    result = flask_cmd("plans", "grant", "nap", "Drafter@Example.org", "drafter")
    assert result.exit_code == 0, result.output
    assert "drafter@example.org holds the role drafter on 'nap'" in result.output
    result = flask_cmd(
        "plans", "grant", "nap", "voter@example.org", "msf_member", "--sector", "civil_society"
    )
    assert result.exit_code == 0, result.output
    assert plan_roles(drafter, plan) == {"drafter"}
    assert plan_roles(voter, plan) == {"msf_member"}

    members = flask_cmd("plans", "members", "nap").output.splitlines()
    assert members == [
        "drafter@example.org\tDana Drafter\tdrafter",
        "voter@example.org\tVera Voter\tmsf_member (civil_society)",
    ]

    result = flask_cmd("plans", "revoke", "nap", "drafter@example.org", "drafter")
    assert result.exit_code == 0, result.output
    assert "drafter@example.org no longer holds the role drafter on 'nap'" in result.output
    assert plan_roles(drafter, plan) == frozenset()
    assert flask_cmd("plans", "members", "nap").output.splitlines() == members[1:]


def test_granting_twice_keeps_one_membership(flask_cmd, create_plan, create_user_):
    plan = create_plan(slug="nap")
    user = create_user_(email="twice@example.org")
    for sector in ("government", "civil_society"):
        args = ("plans", "grant", "nap", user.email, "msf_member", "--sector", sector)
        assert flask_cmd(*args).exit_code == 0
    rows = db.session.scalars(select(PlanMembership).where(PlanMembership.plan_id == plan.id)).all()
    assert [(m.role, m.sector) for m in rows] == [("msf_member", "civil_society")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("grant", "nope", "known@example.org", "drafter"), "no plan with the slug 'nope'"),
        (("grant", "nap", "nobody@example.org", "drafter"), "no user with the address nobody"),
        (("grant", "nap", "known@example.org", "msf_member"), "--sector an MSF member sits on"),
        (
            ("grant", "nap", "known@example.org", "drafter", "--sector", "government"),
            "--sector is for msf_member only",
        ),
        (("revoke", "nope", "known@example.org", "poc"), "no plan with the slug 'nope'"),
        (("revoke", "nap", "nobody@example.org", "poc"), "no user with the address nobody"),
        (
            ("revoke", "nap", "known@example.org", "poc"),
            "known@example.org does not hold the role poc on the plan 'nap'",
        ),
        (("members", "nope"), "no plan with the slug 'nope'; `flask plans list` shows them"),
    ],
)
def test_membership_commands_refuse_clearly_and_write_nothing(
    flask_cmd, create_plan, create_user_, args, message
):
    create_plan(slug="nap")
    create_user_(email="known@example.org")
    before = db.session.scalar(select(func.count()).select_from(PlanMembership))
    result = flask_cmd("plans", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(PlanMembership)) == before


def test_grant_refuses_an_unknown_role(flask_cmd, create_plan, create_user_):
    create_plan(slug="nap")
    create_user_(email="known@example.org")
    result = flask_cmd("plans", "grant", "nap", "known@example.org", "chair")
    assert result.exit_code == 2
    assert "'chair' is not one of 'poc', 'drafter'" in result.output


def test_grant_refuses_a_deactivated_account(flask_cmd, create_plan, create_user_):
    create_plan(slug="nap")
    create_user_(email="gone@example.org").active = False
    result = flask_cmd("plans", "grant", "nap", "gone@example.org", "drafter")
    assert result.exit_code == 1
    assert "gone@example.org is deactivated" in result.output
