"""Render an outbox row into an email when it is sent, in the recipient's language.

Everything comes from data that cannot change under it: the append-only log entry says what
happened, by whom and when; the row says to whom and in which roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..definitions.next_steps import next_step
from ..definitions.registry import engine
from ..engine.audit import LogEntry
from ..extensions import db
from ..labels import event_label, kind_label, role_label, state_label
from .models import OutboxMessage

GATE_ACTOR = _l("the forum's vote")


@dataclass(frozen=True)
class Email:
    """One rendered message: a one-line subject, a text body and an HTML body."""

    subject: str
    text: str
    html: str
    language: str


class CannotCompose(Exception):
    """The row names a log entry, record or recipient that is no longer there."""


def record_of(entry: LogEntry) -> Any:
    """Return the record a log entry is about."""
    for model in engine.record_models:
        if model.record_type == entry.record_type:
            record = db.session.get(model, entry.record_id)
            if record is not None:
                return record
    raise CannotCompose(f"{entry.record_type} {entry.record_id} of log entry {entry.id} is gone")


def actor_label(entry: LogEntry) -> str:
    """Return who acted, in the current language: a person's name, or the vote gate."""
    spec = engine.definition(entry.workflow_key, entry.workflow_version).events.get(entry.event)
    if entry.actor_id is None and spec is not None and spec.gate:
        return str(GATE_ACTOR)
    return entry.actor_label


# Mail that is not about a transition (a password reset, an invitation), by template name: the
# area that sends it registers how to render a row of it (see workflow/accounts/mail.py).
COMPOSERS: dict[str, Callable[[OutboxMessage, User], Email]] = {}


def render_message(row: OutboxMessage) -> Email:
    """Render an outbox row's message for its recipient, now, in the recipient's language."""
    recipient = db.session.get(User, row.recipient_id) if row.recipient_id else None
    if recipient is None:
        raise CannotCompose(f"outbox row {row.id} names no recipient")
    composer = COMPOSERS.get(row.template)
    if composer is not None:
        return composer(row, recipient)
    entry = db.session.get(LogEntry, row.log_entry_id) if row.log_entry_id else None
    if entry is None:
        raise CannotCompose(f"outbox row {row.id} names no log entry")
    return compose_transition(recipient, row.roles, entry)


def compose_transition(recipient: User, roles: set[str], entry: LogEntry) -> Email:
    """Render the transition email for one recipient, in their language."""
    record = record_of(entry)
    plan = record.plan
    language = recipient.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(language):
        actor = actor_label(entry)
        context = {
            "recipient": recipient,
            "language": language,
            "record": record,
            "kind": kind_label(entry.record_type),
            "title": record.display_title(),
            "plan": plan,
            "event": event_label(entry.event),
            "from_state": state_label(entry.record_type, entry.from_state),
            "to_state": state_label(entry.record_type, entry.to_state),
            "actor": actor,
            "when": format_datetime(entry.created_at, "long"),
            "comment": entry.comment,
            "next_step": next_step(entry.workflow_key, entry.to_state, roles),
            "roles": ", ".join(role_label(r) for r in sorted(roles)),
            "link": base + record.page_path(),
        }
        subject = render_template("email/transition_subject.txt", **context)
        return Email(
            # One line whatever the title holds: a newline in a header would be refused.
            subject=" ".join(subject.split()),
            text=render_template("email/transition.txt", **context),
            html=render_template("email/transition.html", **context),
            language=language,
        )
