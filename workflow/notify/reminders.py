"""Remind whoever a stage waits on before its due date; escalate to the POC once it is overdue.

Each reminder and each escalation is written once per stage entry (or report period), however
often this runs: a DeadlineNotice row, unique per deadline and kind, is written first, and the
outbox rows for it only when that row is new.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import PlanMembership, User
from ..definitions.deadlines import ESCALATE_TO, already_acted, waiting_role
from ..definitions.registry import engine
from ..extensions import db
from ..reporting.deadlines import reports_due
from .models import ESCALATION, REMINDER, DeadlineNotice
from .outbox import deliver

# The role a report period waits on, and what a report's due date is keyed by.
REPORTING_ROLE = "implementer"


@dataclass(frozen=True)
class Deadline:
    """One thing due: a stage to leave, or a report to hand in."""

    record: Any
    plan_id: int
    key: str
    due_at: datetime
    role: str
    skip: frozenset[int] = frozenset()
    state: str | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class Sent:
    """What a run of the reminders wrote."""

    reminders: int = 0
    escalations: int = 0
    messages: int = 0


def stage_deadlines() -> Iterator[Deadline]:
    """Yield each record in a stage that has a duration and waits on someone."""
    for model in engine.record_models:
        states = {
            name
            for key, version in engine.versions()
            for name, spec in engine.definition(key, version).states.items()
            if spec.duration_days
        }
        records = db.session.scalars(
            select(model).where(model.state.in_(states)).order_by(model.id)
        ).all()
        for record in records:
            due = engine.due_at(record)
            role = waiting_role(record)
            if due is None or role is None:
                continue
            yield Deadline(
                record=record,
                plan_id=record.plan.id,
                key=f"{record.state}@{record.state_changed_at.isoformat()}",
                due_at=due,
                role=role,
                skip=frozenset(already_acted(record)),
                state=record.state,
            )


def report_deadlines(at: datetime) -> Iterator[Deadline]:
    """Yield each progress report due for a commitment's last reporting period."""
    for due in reports_due(at, int(current_app.config["NOTIFY_REPORT_DUE_DAYS"])):
        yield Deadline(
            record=due.commitment,
            plan_id=due.commitment.plan_id,
            key=f"report@{due.period_end.isoformat()}",
            due_at=due.due_at,
            role=REPORTING_ROLE,
            period_end=due.period_end,
        )


def send_reminders(at: datetime) -> Sent:
    """Queue the reminders and escalations due at `at` that were not queued before; flush."""
    before = timedelta(days=int(current_app.config["NOTIFY_REMIND_DAYS_BEFORE"]))
    sent = Sent()
    for deadline in (*stage_deadlines(), *report_deadlines(at)):
        if at >= deadline.due_at:
            kind, role, skip = ESCALATION, ESCALATE_TO, frozenset()
        elif at >= deadline.due_at - before:
            kind, role, skip = REMINDER, deadline.role, deadline.skip
        else:
            continue
        notice = _new_notice(deadline, kind)
        if notice is None:
            continue
        count = _queue(notice, deadline.plan_id, role, skip)
        sent = Sent(
            sent.reminders + (kind == REMINDER),
            sent.escalations + (kind == ESCALATION),
            sent.messages + count,
        )
    return sent


def _new_notice(deadline: Deadline, kind: str) -> DeadlineNotice | None:
    """Write the notice unless it was written before; None when it was."""
    record = deadline.record
    exists = db.session.scalar(
        select(DeadlineNotice.id).where(
            DeadlineNotice.record_type == record.record_type,
            DeadlineNotice.record_id == record.id,
            DeadlineNotice.key == deadline.key,
            DeadlineNotice.kind == kind,
        )
    )
    if exists is not None:
        return None
    notice = DeadlineNotice(
        kind=kind,
        record_type=record.record_type,
        record_id=record.id,
        key=deadline.key,
        state=deadline.state,
        period_end=deadline.period_end,
        due_at=deadline.due_at,
    )
    # A savepoint: a second run at the same moment hits the unique constraint, not an error.
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        return None
    return notice


def _queue(notice: DeadlineNotice, plan_id: int, role: str, skip: frozenset[int]) -> int:
    """Tell each active member of the plan holding `role`, except `skip`; return mails queued."""
    people = db.session.execute(
        select(User.id, User.email)
        .join(PlanMembership, PlanMembership.user_id == User.id)
        .where(
            PlanMembership.plan_id == plan_id,
            PlanMembership.role == role,
            User.active.is_(True),
        )
        .order_by(User.id)
    ).all()
    recipients = {(user_id, email): {role} for user_id, email in people if user_id not in skip}
    return deliver(recipients, notice.kind, notice_id=notice.id)
