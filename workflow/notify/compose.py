"""Render an outbox row into an email when it is sent, in the recipient's language.

Everything comes from data that cannot change under it: the append-only log entry says what
happened, by whom and when; the row says to whom and in which roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_datetime, get_translations, gettext
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy import inspect, select
from sqlalchemy.orm import MANYTOONE

from ..accounts.models import User
from ..definitions.deadlines import waiting_role
from ..definitions.gates import gate_summary
from ..definitions.messages import audience_of, message_for
from ..definitions.next_steps import asked_to_act, next_step
from ..definitions.registry import engine
from ..engine.audit import LogEntry
from ..extensions import db
from ..labels import event_label, kind_label, role_label, state_label
from .memo import PlanNames, RenderMemo, TransitionFacts
from .models import (
    DIGEST_TEMPLATE,
    ESCALATION,
    REMINDER,
    DeadlineNotice,
    Notification,
    OutboxMessage,
)
from .reminders import REPORTING_ROLE

GATE_ACTOR = _l("the forum's vote")


@dataclass(frozen=True)
class Email:
    """One rendered message: a one-line subject, a text body and an HTML body."""

    subject: str
    text: str
    html: str
    language: str

    @classmethod
    def render(cls, name: str, language: str, context: dict[str, Any]) -> Email:
        """Render templates/<name>{_subject.txt,.txt,.html} with `context`, in the locale now."""
        subject = render_template(f"{name}_subject.txt", **context)
        return cls(
            # One line whatever the title holds: a newline in a header would be refused.
            subject=" ".join(subject.split()),
            text=render_template(f"{name}.txt", **context),
            html=render_template(f"{name}.html", **context),
            language=language,
        )


class CannotCompose(Exception):
    """The row names a log entry, record or recipient that is no longer there."""


def record_of(entry: LogEntry) -> Any:
    """Return the record a log entry is about."""
    return record_by(entry.record_type, entry.record_id)


def by_gate(entry: LogEntry) -> bool:
    """Return whether a vote gate, not a person, fired the entry's event."""
    spec = engine.definition(entry.workflow_key, entry.workflow_version).events.get(entry.event)
    return entry.actor_id is None and spec is not None and spec.gate


def headline(entry: LogEntry, short: str) -> str:
    """Return what happened in a few words, in the current language: "Commitment 4 approved by
    the MSF" in the event's own words, or generically for a workflow with none of its own."""
    words = message_for(entry.workflow_key, entry.event)
    if words is not None:
        return str(words.subject % {"short": short})
    return gettext("%(short)s %(event)s", short=short, event=event_label(entry.event))


def actor_label(entry: LogEntry) -> str:
    """Return who acted, in the current language: a person's name, or the vote gate."""
    return str(GATE_ACTOR) if by_gate(entry) else entry.actor_label


# Mail that is not about a transition (a password reset, an invitation), by template name: the
# area that sends it registers how to render a row of it (see workflow/accounts/mail.py).
COMPOSERS: dict[str, Callable[[OutboxMessage, User], Email]] = {}


def render_message(row: OutboxMessage, memo: RenderMemo | None = None) -> Email:
    """Render an outbox row's message for its recipient, now, in the recipient's language.

    `memo` keeps what a transition's mail says to everyone, for the other rows of the batch.
    """
    recipient = db.session.get(User, row.recipient_id) if row.recipient_id else None
    if recipient is None:
        raise CannotCompose(f"outbox row {row.id} names no recipient")
    composer = COMPOSERS.get(row.template)
    if composer is not None:
        return composer(row, recipient)
    if row.template == DIGEST_TEMPLATE:
        return compose_digest(recipient, row)
    if row.template in (REMINDER, ESCALATION):
        notice = db.session.get(DeadlineNotice, row.notice_id) if row.notice_id else None
        if notice is None:
            raise CannotCompose(f"outbox row {row.id} names no deadline")
        return compose_deadline(recipient, row.roles, notice)
    if not row.log_entry_id:
        raise CannotCompose(f"outbox row {row.id} names no log entry")
    language = recipient.language or current_app.config["BABEL_DEFAULT_LOCALE"]

    def work_out() -> TransitionFacts:
        entry = db.session.get(LogEntry, row.log_entry_id)
        if entry is None:
            raise CannotCompose(f"outbox row {row.id} names no log entry")
        return transition_facts(entry, language)

    facts = (memo or RenderMemo()).facts(row.log_entry_id, language, work_out)
    return compose_transition(recipient, row.roles, facts)


def record_by(record_type: str, record_id: int) -> Any:
    """Return a record the engine drives, by its type and id."""
    for model in engine.record_models:
        if model.record_type == record_type:
            record = db.session.get(model, record_id)
            if record is not None:
                return record
    raise CannotCompose(f"{record_type} {record_id} is gone")


def compose_deadline(recipient: User, roles: set[str], notice: DeadlineNotice) -> Email:
    """Render a reminder or an escalation about one deadline, in the recipient's language."""
    record = record_by(notice.record_type, notice.record_id)
    language = recipient.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(language):
        if notice.state is not None:
            steps = next_step(record.workflow_key, notice.state, roles)
            what = _l(
                "The %(kind)s is at the stage %(state)s, which is due to end on %(due)s.",
                kind=kind_label(notice.record_type),
                state=state_label(notice.record_type, notice.state),
                due=format_date(notice.due_at, "long"),
            )
        else:
            steps = _l("Please hand in the progress report for this period.")
            what = _l(
                "The progress report for the period ending %(end)s is due on %(due)s.",
                end=format_date(notice.period_end, "long"),
                due=format_date(notice.due_at, "long"),
            )
        role = waiting_role(record, notice.state) if notice.state else REPORTING_ROLE
        waiting = role_label(role or "")
        context = {
            "recipient": recipient,
            "language": language,
            "plan": record.plan,
            "title": record.display_title(),
            "short": record.short_name(),
            "what": str(what),
            "due": format_date(notice.due_at, "long"),
            "next_step": str(steps),
            "waiting": waiting,
            "roles": ", ".join(role_label(r) for r in sorted(roles)),
            "link": base + record.page_path(),
        }
        return Email.render(f"email/{notice.kind}", language, context)


def transition_facts(entry: LogEntry, language: str) -> TransitionFacts:
    """Work out what a transition's mail tells every recipient, in `language`."""
    record = record_of(entry)
    plan = record.plan
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(language):
        gate = by_gate(entry)
        due = engine.due_after(record, entry.to_state, entry.created_at)
        shared = {
            "kind": kind_label(entry.record_type),
            "title": record.display_title(),
            "plan": PlanNames(plan.title, plan.slug),
            "event": event_label(entry.event),
            "from_state": state_label(entry.record_type, entry.from_state),
            "to_state": state_label(entry.record_type, entry.to_state),
            "actor": str(GATE_ACTOR) if gate else entry.actor_label,
            "when": format_datetime(entry.created_at, "long"),
            # The gate's comment is the log's (English) account; the reader gets the count.
            "comment": gate_summary(entry) if gate else entry.comment,
            "headline": headline(entry, record.short_name()),
            "link": base + record.page_path(),
        }
        return TransitionFacts(
            language=language,
            workflow_key=entry.workflow_key,
            to_state=entry.to_state,
            words=message_for(entry.workflow_key, entry.event),
            due=format_date(due, "long") if due else None,
            shared=shared,
        )


def bound_gettext() -> Callable[..., str]:
    """Return the templates' `_` bound to the current locale's catalogue, for one message.

    Flask-Babel's looks the catalogue up at every call: nearly half the transition templates'
    time. This one does the rest as Jinja's new-style gettext does: mark the translation safe
    under autoescape, then always format it.
    """
    translations = get_translations()

    @pass_context
    def gettext(context: Context, string: str, **variables: Any) -> str:
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext


def compose_transition(recipient: User, roles: set[str], facts: TransitionFacts) -> Email:
    """Render the transition email for one recipient holding `roles`, in the facts' language."""
    language = facts.language
    with force_locale(language):
        acts = asked_to_act(facts.workflow_key, facts.to_state, roles)
        words = facts.words
        context = {
            **facts.shared,
            "gettext": bound_gettext(),
            "recipient": recipient,
            "language": language,
            "lead": str(words.lead(audience_of(roles, acts))) if words is not None else None,
            "due": facts.due if acts else None,
            "next_step": next_step(facts.workflow_key, facts.to_state, roles),
            "roles": ", ".join(role_label(r) for r in sorted(roles)),
        }
        return Email.render("email/transition", language, context)


@dataclass(frozen=True)
class Summary:
    """One line about a notification, in the current locale, and where it leads."""

    text: str
    path: str
    plan_title: str
    record_title: str


@contextmanager
def preloaded(notes: Sequence[Notification]) -> Iterator[None]:
    """Within the block, what summarizing `notes` reads is in the session already: a few
    queries in all instead of a few per note.

    The log entries and deadlines, the records they tell of, and what those belong to (a
    report's commitment, its plan), whatever the workflow. The session holds rows it has not
    changed weakly: the block holds them until the summaries are made.
    """
    entries = _load(LogEntry, {n.log_entry_id for n in notes if n.log_entry_id})
    notices = _load(DeadlineNotice, {n.notice_id for n in notes if n.notice_id})
    wanted: dict[str, set[int]] = {}
    for told in (*entries, *notices):
        wanted.setdefault(told.record_type, set()).add(told.record_id)
    rows = [
        record
        for model in engine.record_models
        for record in _load(model, wanted.get(model.record_type, set()))
    ]
    held = [*entries, *notices, *rows]
    for _ in range(2):  # the records' parents, then theirs
        rows = _load_parents(rows)
        held += rows
    yield


def _load_parents(rows: list[Any]) -> list[Any]:
    """Load what `rows` refer to by their many-to-one relationships: one query per kind."""
    wanted: dict[Any, set[int]] = {}
    for row in rows:
        mapper = inspect(type(row))
        for relation in mapper.relationships:
            remote = [column.key for column in relation.remote_side]
            if relation.direction is not MANYTOONE or remote != ["id"]:
                continue
            (column,) = relation.local_columns
            value = getattr(row, mapper.get_property_by_column(column).key)
            if value is not None:
                wanted.setdefault(relation.mapper.class_, set()).add(value)
    return [parent for model, ids in wanted.items() for parent in _load(model, ids)]


def _load(model: Any, ids: set[int]) -> list[Any]:
    """Load the rows of `model` with these ids into the session (one query; none for no ids)."""
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def summarize(template: str, log_entry_id: int | None, notice_id: int | None) -> Summary:
    """Render one line about a transition, reminder or escalation, in the current locale."""
    if template in (REMINDER, ESCALATION) and notice_id is not None:
        notice = db.session.get(DeadlineNotice, notice_id)
        record = record_by(notice.record_type, notice.record_id)
        due = format_date(notice.due_at, "long")
        if template == REMINDER:
            text = _l("Reminder: %(short)s is due on %(due)s", short=record.short_name(), due=due)
        else:
            text = _l("Overdue since %(due)s: %(title)s", title=record.short_name(), due=due)
    else:
        entry = db.session.get(LogEntry, log_entry_id)
        if entry is None:
            raise CannotCompose(f"log entry {log_entry_id} is gone")
        record = record_of(entry)
        text = _l(
            "%(what)s, by %(actor)s",
            what=headline(entry, record.short_name()),
            actor=actor_label(entry),
        )
    return Summary(str(text), record.page_path(), record.plan.title, record.display_title())


def compose_digest(recipient: User, row: OutboxMessage) -> Email:
    """Render a person's daily digest: grouped by plan and record, newest first."""
    notes = db.session.scalars(
        select(Notification)
        .where(Notification.digest_id == row.id)
        .order_by(Notification.id.desc())
    ).all()
    language = recipient.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    base = current_app.config["BASE_URL"].rstrip("/")
    with preloaded(notes), force_locale(language):
        groups: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for note in notes:
            try:
                summary = summarize(note.template, note.log_entry_id, note.notice_id)
            except CannotCompose:
                continue
            records = groups.setdefault(summary.plan_title, {})
            records.setdefault(summary.record_title, []).append((summary.text, base + summary.path))
        context = {
            "recipient": recipient,
            "language": language,
            "groups": groups,
            "count": sum(len(items) for records in groups.values() for items in records.values()),
            "preferences": base + "/notifications/preferences",
        }
        return Email.render("email/digest", language, context)
