"""Reminders before a due date, escalations after it: each once, however often they run."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from workflow.definitions.registry import engine
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import send_pending
from workflow.notify.models import ESCALATION, REMINDER, OutboxMessage
from workflow.plans.models import Commitment
from workflow.review.operations import add_comment, cast_vote

from .conftest import World, point_at


def run(app, at) -> str:
    result = app.test_cli_runner().invoke(
        args=["notify", "reminders", "--at", at.strftime("%Y-%m-%dT%H:%M:%S")]
    )
    assert result.exit_code == 0, result.output
    return result.output.strip()


def queued(app, template: str) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(OutboxMessage.to_address).where(OutboxMessage.template == template)
            )
        )


def test_a_stage_gets_one_reminder_before_and_one_escalation_after_its_due_date(
    fresh_app, world: World, smtp
):
    app = point_at(fresh_app, smtp)
    with app.app_context():
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))
        # A reviewer who has commented this round has done their part: no reminder for them.
        add_comment(c, world.user("cso2"), "Please name the agency.", None)
        db.session.commit()
        due = engine.due_at(db.session.get(Commitment, world.commitment_id))
        world.user("poc").language = "mn"
        db.session.commit()
    assert due is not None

    assert run(app, due - timedelta(days=5)) == "reminders 0, escalations 0, messages 0"
    assert run(app, due - timedelta(days=2)) == "reminders 1, escalations 0, messages 1"
    assert run(app, due - timedelta(days=1)) == "reminders 0, escalations 0, messages 0"
    assert queued(app, REMINDER) == [world.emails["cso1"]]
    assert run(app, due + timedelta(days=2)) == "reminders 0, escalations 1, messages 1"
    assert run(app, due + timedelta(days=3)) == "reminders 0, escalations 0, messages 0"
    assert queued(app, ESCALATION) == [world.emails["poc"]]

    smtp.clear()
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.template == "transition")
            .values(status="suppressed")
        )
        db.session.commit()
    assert send_pending(app) == (2, 0, 0)
    mails = {r.rcpt_tos[0]: r for r in smtp.received}
    reminder, escalation = mails[world.emails["cso1"]], mails[world.emails["poc"]]
    assert reminder.message["Subject"].startswith("[world] Reminder: Commitment 1 is due on ")
    assert "Civil-society review" in reminder.text
    assert "Please review the draft" in reminder.text
    # The POC reads Mongolian: the escalation is Mongolian, the date by the locale's rules.
    assert escalation.message["Content-Language"] == "mn"
    assert "оны" in escalation.text
    for english in ("Overdue", "overdue", "point of contact", "Civil-society review"):
        assert english not in escalation.text and english not in escalation.message["Subject"]


def test_a_new_stage_entry_is_a_new_deadline(fresh_app, world: World):
    with fresh_app.app_context():
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))
        db.session.commit()
        first_due = engine.due_at(db.session.get(Commitment, world.commitment_id))
    assert run(fresh_app, first_due + timedelta(days=1)).startswith("reminders 0, escalations 1")
    with fresh_app.app_context():
        c = db.session.get(Commitment, world.commitment_id)
        fire(c, "request_changes", world.user("cso1"), comment="Name the agency.")
        fire(c, "submit", world.user("drafter"))
        db.session.commit()
        second_due = engine.due_at(db.session.get(Commitment, world.commitment_id))
    assert second_due > first_due
    assert run(fresh_app, second_due + timedelta(days=1)).startswith("reminders 0, escalations 1")


def test_a_progress_report_falls_due_after_its_quarter(fresh_app, world: World):
    with fresh_app.app_context():
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))
        fire(c, "endorse", world.user("cso1"))
        for role in ("msf_gov1", "msf_cso1", "msf_gov2"):
            cast_vote(c, world.user(role), "approve", "Agreed.")
        fire(c, "sign_off", world.user("signatory"))
        entered = db.session.get(Commitment, world.commitment_id).state_changed_at
        db.session.commit()
    # The first quarter that ends after the commitment entered implementation.
    from workflow.plans.models import ActionPlan
    from workflow.reporting.deadlines import add_months, last_period

    with fresh_app.app_context():
        plan = db.session.get(ActionPlan, world.plan_id)
        probe = entered.date()
        while True:
            period = last_period(plan, probe)
            if period is not None and period[1] >= entered.date():
                break
            probe = add_months(probe, 1)
    end = period[1]
    from datetime import datetime

    due = datetime.combine(end + timedelta(days=30), datetime.min.time())
    assert run(fresh_app, due - timedelta(days=2)) == "reminders 1, escalations 0, messages 1"
    assert queued(fresh_app, REMINDER) == [world.emails["implementer"]]
    assert run(fresh_app, due + timedelta(days=2)) == "reminders 0, escalations 1, messages 1"
    assert run(fresh_app, due + timedelta(days=2)) == "reminders 0, escalations 0, messages 0"
