"""`flask demo load`: the plan, its commitments in their states, the accounts, and idempotence."""

from __future__ import annotations

from importlib import resources

import pytest
from flask import Flask
from sqlalchemy import func, select

from workflow.accounts.models import PlanMembership, User
from workflow.accounts.operations import create_user
from workflow.definitions.registry import engine
from workflow.demo.loader import ACCOUNTS, DEMO_PASSWORD, PLAN_SLUG, read_commitments
from workflow.engine.audit import LogEntry, utcnow, verify_chains
from workflow.extensions import db
from workflow.notify.models import Notification, OutboxMessage
from workflow.plans.models import ActionPlan, Commitment
from workflow.reporting.models import ProgressReport
from workflow.review.models import Comment, Vote

EXPECTED_STATES = {
    1: "completed",
    2: "implementation",
    3: "implementation",
    4: "government_signoff",
    5: "msf_approval",
    6: "cso_review",
    7: "draft",
    8: "draft",
    9: "cso_review",
}
EMAILS = {
    "admin@example.org",
    "poc@example.org",
    "drafter@example.org",
    "cso1@example.org",
    "cso2@example.org",
    "msf-gov1@example.org",
    "msf-gov2@example.org",
    "msf-cso1@example.org",
    "msf-cso2@example.org",
    "signatory@example.org",
    "implementer@example.org",
}
EXPECTED_ROLES = {
    "poc@example.org": ("poc", None),
    "drafter@example.org": ("drafter", None),
    "cso1@example.org": ("cso_reviewer", None),
    "cso2@example.org": ("cso_reviewer", None),
    "msf-gov1@example.org": ("msf_member", "government"),
    "msf-gov2@example.org": ("msf_member", "government"),
    "msf-cso1@example.org": ("msf_member", "civil_society"),
    "msf-cso2@example.org": ("msf_member", "civil_society"),
    "signatory@example.org": ("signatory", None),
    "implementer@example.org": ("implementer", None),
}

pytestmark = pytest.mark.committing


def load(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--any-database"])
    assert result.exit_code == 0, result.output
    return result.output


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def events_of(commitment: Commitment) -> list[str]:
    return list(
        db.session.scalars(
            select(LogEntry.event)
            .where(LogEntry.record_type == "commitment", LogEntry.record_id == commitment.id)
            .order_by(LogEntry.seq)
        )
    )


def test_the_commitments_ship_inside_the_package():
    assert resources.files("workflow.demo").joinpath("nap5_commitments.csv").is_file()
    rows = read_commitments()
    assert [r.number for r in rows] == list(range(1, 10))
    assert rows[0].ogp_id == "MN0057"
    assert rows[0].title == "Advancing Extractive Industry Transparency"
    assert rows[0].lead_institution == "Ministry of Mining and Heavy Industry"


def test_load_creates_the_plan_and_commitments_in_their_states(fresh_app):
    output = load(fresh_app)
    assert f"created plan '{PLAN_SLUG}'" in output
    assert "commitments: 9" in output
    with fresh_app.app_context():
        plan = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == PLAN_SLUG))
        assert plan.country == "Mongolia"
        assert plan.title == "Mongolia Fifth National Action Plan (NAP V) 2024-2027"
        assert (plan.period_start.isoformat(), plan.period_end.isoformat()) == (
            "2023-12-27",
            "2027-12-31",
        )
        assert (plan.reporting_cycle, plan.approval_rule, plan.is_public) == (
            "quarterly",
            "majority_with_parity",
            True,
        )
        by_number = {c.number: c for c in plan.commitments}
        assert {n: c.state for n, c in by_number.items()} == EXPECTED_STATES
        for row in read_commitments():
            c = by_number[row.number]
            assert c.ogp_id == row.ogp_id
            assert c.lead_agency == row.lead_institution
            if row.title:
                assert c.title == row.title
            for m in c.milestones:
                assert plan.period_start <= m.start_date < m.end_date <= plan.period_end

        assert events_of(by_number[1]) == [
            "create",
            "submit",
            "endorse",
            "approve",
            "sign_off",
            "complete",
        ]
        assert events_of(by_number[8]) == ["create", "submit", "request_changes"]
        assert events_of(by_number[7]) == ["create"]

        votes = db.session.scalars(select(Vote).where(Vote.commitment_id == by_number[5].id)).all()
        assert len(votes) == 1
        comments = db.session.scalars(
            select(Comment).where(Comment.commitment_id == by_number[6].id)
        ).all()
        assert len(comments) == 1 and comments[0].response is None

        accepted = db.session.scalars(
            select(ProgressReport).where(
                ProgressReport.commitment_id == by_number[2].id,
                ProgressReport.state == "accepted",
            )
        ).all()
        assert len(accepted) == 1
        assert accepted[0].completion is not None
        assert by_number[2].milestones[0].status == "in_progress"  # set by the accepted report


def test_load_creates_one_working_account_per_role_and_the_forum(fresh_app):
    load(fresh_app)
    with fresh_app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        assert set(users) == EMAILS
        for user in users.values():
            assert user.check_password(DEMO_PASSWORD), user.email
        assert [u.email for u in users.values() if u.is_admin] == ["admin@example.org"]
        assert {u.email for u in users.values() if u.language == "mn"}
        rows = db.session.execute(
            select(User.email, PlanMembership.role, PlanMembership.sector)
            .join(PlanMembership, PlanMembership.user_id == User.id)
            .join(ActionPlan, ActionPlan.id == PlanMembership.plan_id)
            .where(ActionPlan.slug == PLAN_SLUG)  # the POC also runs the imported earlier plans
        ).all()
        assert {email: (role, sector) for email, role, sector in rows} == EXPECTED_ROLES
        assert len(rows) == len(EXPECTED_ROLES)  # one role each, as their names say
        assert len(ACCOUNTS) == 11

        # The forum: these four members, two per side.
        sectors = db.session.scalars(
            select(PlanMembership.sector).where(PlanMembership.role == "msf_member")
        ).all()
        assert sorted(sectors) == ["civil_society", "civil_society", "government", "government"]


def test_hash_chains_are_valid_and_the_outbox_starts_empty(fresh_app):
    output = load(fresh_app)
    with fresh_app.app_context():
        count, broken = verify_chains()
        assert broken == []
        assert count == db.session.scalar(select(func.count()).select_from(LogEntry)) > 9
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
        assert statuses  # the transitions did write their notifications ...
        assert set(statuses) == {"suppressed"}  # ... never to be mailed, and not called sent
        assert f"marked {len(statuses)} notifications" in output
        # The in-app list starts with the scripted history read: no bell full of old news.
        notes = select(func.count()).select_from(Notification)
        unread = notes.where(Notification.read_at.is_(None))
        assert db.session.scalar(notes) > 0
        assert db.session.scalar(unread) == 0


def test_a_second_run_changes_nothing(fresh_app):
    load(fresh_app)
    with fresh_app.app_context():
        before = table_counts()
    assert before["commitments"] == 9 + 36  # NAP V and the earlier plans from OGP data
    output = load(fresh_app)
    assert "already loaded" in output
    with fresh_app.app_context():
        assert table_counts() == before


def test_an_existing_account_keeps_its_password(fresh_app):
    with fresh_app.app_context():
        create_user("poc@example.org", "Someone", "a-password-of-their-own")
        db.session.commit()
    output = load(fresh_app)
    assert "kept 1 existing accounts" in output
    with fresh_app.app_context():
        poc = db.session.scalar(select(User).where(User.email == "poc@example.org"))
        assert poc.check_password("a-password-of-their-own")
        assert not poc.check_password(DEMO_PASSWORD)
        roles = db.session.scalars(
            select(PlanMembership.role).where(PlanMembership.user_id == poc.id)
        ).all()
        assert roles == ["poc"] * 5  # NAP V and the four earlier plans


def test_a_database_server_needs_consent(fresh_app):
    """The demo's administrator has a public password: a server database must ask for it."""
    result = fresh_app.test_cli_runner().invoke(args=["demo", "load"])
    with fresh_app.app_context():
        plans = db.session.scalar(select(func.count()).select_from(ActionPlan))
        if db.engine.dialect.name == "sqlite":
            assert result.exit_code == 0, result.output
            assert plans == 1 + 4  # NAP V and the four earlier plans
        else:
            assert result.exit_code != 0
            assert "--any-database" in result.output
            assert plans == 0


def test_a_database_with_real_work_needs_consent(fresh_app):
    with fresh_app.app_context():
        create_user("real.person@ministry.example", "Real Person", None)
        db.session.commit()
    result = fresh_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "--any-database" in result.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActionPlan)) == 0


def test_the_history_happens_over_time_with_stages_due_and_overdue(fresh_app):
    load(fresh_app)
    with fresh_app.app_context():
        now = utcnow()
        plan = db.session.scalar(select(ActionPlan).where(ActionPlan.slug == PLAN_SLUG))
        by_number = {c.number: c for c in plan.commitments}
        # Each chain's moments go forward, weeks apart, and none is in the future.
        for c in by_number.values():
            moments = list(
                db.session.scalars(
                    select(LogEntry.created_at)
                    .where(LogEntry.record_type == "commitment", LogEntry.record_id == c.id)
                    .order_by(LogEntry.seq)
                )
            )
            assert moments == sorted(moments) and moments[-1] <= now
            assert len(moments) == 1 or (moments[-1] - moments[0]).days >= 12
        # Implemented ones were co-created before the plan's period began.
        assert by_number[2].state_changed_at.date() < plan.period_start
        # Some stages are overdue, some due soon: the board has both to show.
        due = {n: engine.due_at(c) for n, c in by_number.items()}
        assert due[4] < now and due[6] < now
        assert now < due[5] and now < due[9]
        assert verify_chains()[1] == []
