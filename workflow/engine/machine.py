"""Fire events: roles, guards, state change, version bump and log, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine, MachineError

from ..extensions import db
from .audit import LogEntry, append_entry, utcnow
from .definition import Definition, EventSpec, load_definition
from .errors import DefinitionError, GuardFailed, InvalidEvent, Joined, NotAllowed, StaleVersion

# A guard looks at a record and returns the reasons it blocks the event (empty: it passes).
Guard = Callable[[Any], list[str]]


@dataclass(frozen=True)
class Actor:
    """Who fires an event, with the roles they hold on the record's scope."""

    user_id: int | None
    label: str
    roles: frozenset[str] = frozenset()
    is_gate: bool = False


@dataclass(frozen=True)
class Transition:
    event: EventSpec
    from_state: str
    to_state: str
    actor: Actor
    comment: str | None
    entry: LogEntry


@dataclass
class _Compiled:
    definition: Definition
    machine: Machine = field(repr=False)


class Engine:
    """Holds the definitions and one transitions.Machine for each, built once and shared."""

    def __init__(self, *, roles: Collection[str], guards: Mapping[str, Guard]) -> None:
        self.roles = frozenset(roles)
        self.guards = dict(guards)
        self._compiled: dict[tuple[str, int], _Compiled] = {}
        self._latest: dict[str, int] = {}
        self.record_models: list[Any] = []

    def track(self, *models: Any) -> None:
        """Name the models this engine drives, so an audit can check each record's state."""
        self.record_models.extend(m for m in models if m not in self.record_models)

    def register(self, data: Mapping[str, Any]) -> Definition:
        """Validate a definition and build its machine; raise DefinitionError when invalid."""
        definition = load_definition(data, roles=self.roles, guards=self.guards)
        if (definition.key, definition.version) in self._compiled:
            raise DefinitionError(
                definition.key,
                [f"version {definition.version} is registered already; a change needs a new one"],
            )
        # No model attached and no to_<state> shortcuts: records are passed in at each firing.
        machine = Machine(
            model=None,
            states=list(definition.state_names),
            initial=definition.initial,
            transitions=[
                {"trigger": e.name, "source": list(e.sources), "dest": e.target}
                for e in definition.events.values()
            ],
            auto_transitions=False,
            model_attribute="state",
        )
        self._compiled[(definition.key, definition.version)] = _Compiled(definition, machine)
        self._latest[definition.key] = max(self._latest.get(definition.key, 0), definition.version)
        return definition

    def definition(self, key: str, version: int | None = None) -> Definition:
        """Return a registered definition; the newest version when none is given."""
        version = version if version is not None else self._latest.get(key)
        try:
            return self._compiled[(key, version)].definition
        except KeyError:
            raise InvalidEvent(
                _l(
                    "no workflow '%(key)s' version %(version)s is installed",
                    key=key,
                    version=version,
                )
            ) from None

    def installed(self, key: str, version: int) -> bool:
        """Return whether a definition version is loaded (records may run on older ones)."""
        return (key, version) in self._compiled

    def versions(self) -> list[tuple[str, int]]:
        """Return every (key, version) loaded, in order."""
        return sorted(self._compiled)

    def definition_for(self, record: Any) -> Definition:
        """Return the definition (and version) the record runs on."""
        return self.definition(record.workflow_key, record.workflow_version)

    def due_at(self, record: Any) -> datetime | None:
        """Return when the record's current state is due to be left, if the state has a duration."""
        return self.due_after(record, record.state, record.state_changed_at)

    def due_after(self, record: Any, state_name: str, entered_at: datetime) -> datetime | None:
        """Return when a stay in `state_name` entered at `entered_at` is due to end, if ever."""
        state = self.definition_for(record).states.get(state_name)
        if state is None:
            return None
        # A record may set its own durations (a plan's stage durations); else the definition's.
        own = getattr(record, "stage_duration", None)
        days = (own(state.name) if own else None) or state.duration_days
        if days is None:
            return None
        return entered_at + timedelta(days=days)

    def start(self, record: Any, key: str, actor: Actor, comment: str | None = None) -> LogEntry:
        """Put a new record in its workflow's initial state and write the first log entry."""
        definition = self.definition(key)
        record.workflow_key = definition.key
        record.workflow_version = definition.version
        record.state = definition.initial
        record.state_changed_at = utcnow()
        db.session.add(record)
        db.session.flush()
        return append_entry(
            record,
            event="create",
            from_state=None,
            to_state=definition.initial,
            actor_id=actor.user_id,
            actor_label=actor.label,
            comment=comment,
        )

    def blockers(
        self, record: Any, event_name: str, actor: Actor, comment: str | None
    ) -> list[str]:
        """Return why `actor` cannot fire the event now (guards and comment); raise if never."""
        event = self._event(record, event_name)
        # Who may act comes first: someone without the role learns nothing about the state.
        self._check_roles(record, event, actor)
        if record.state not in event.sources:
            raise InvalidEvent(
                Joined(
                    [
                        _l(
                            "'%(event)s' is not possible while the record is '%(state)s'",
                            event=event_name,
                            state=record.state,
                        ),
                        *_options(self.definition_for(record), record.state),
                    ],
                    " ",
                )
            )
        reasons: list[Any] = []
        if event.comment_required and not (comment or "").strip():
            reasons.append(_l("a comment is required for '%(event)s'", event=event_name))
        for guard in event.guards:
            reasons.extend(self.guards[guard](record))
        return reasons

    def allowed_events(self, record: Any, actor: Actor) -> list[str]:
        """Return the events this actor may fire from the record's state (guards not applied)."""
        definition = self.definition_for(record)
        return [
            e.name
            for e in definition.events_from(record.state)
            if (e.gate and actor.is_gate) or (not e.gate and e.roles & actor.roles)
        ]

    def fire(
        self,
        record: Any,
        event_name: str,
        actor: Actor,
        *,
        expected_version: int | None = None,
        comment: str | None = None,
    ) -> Transition:
        """Fire an event on a record; flush the change and its log entry or raise, changing nothing.

        The caller owns the transaction and commits once; on any error it must roll back.
        """
        lock_record(record)
        self._check_roles(record, self._event(record, event_name), actor)
        expect_version(record, expected_version)
        reasons = self.blockers(record, event_name, actor, comment)
        if reasons:
            raise GuardFailed(event_name, reasons)
        event = self._event(record, event_name)
        compiled = self._compiled[(record.workflow_key, record.workflow_version)]
        from_state = record.state
        try:
            compiled.machine.events[event_name].trigger(record)
        except MachineError as exc:  # the checks above make this unreachable unless data is odd
            raise InvalidEvent(str(exc.value)) from exc
        record.state_changed_at = utcnow()
        flush_versioned(expected_version)  # the UPDATE goes first: a clash fails before the log
        comment = (comment or "").strip() or None
        entry = append_entry(
            record,
            event=event_name,
            from_state=from_state,
            to_state=record.state,
            actor_id=actor.user_id,
            actor_label=actor.label,
            comment=comment,
        )
        return Transition(event, from_state, record.state, actor, comment, entry)

    @staticmethod
    def _check_roles(record: Any, event: EventSpec, actor: Actor) -> None:
        if event.gate and not actor.is_gate:
            raise NotAllowed(
                _l("'%(event)s' is decided by the vote, not by a person", event=event.name)
            )
        if not event.gate and not (event.roles & actor.roles):
            raise NotAllowed(
                _l(
                    "'%(event)s' needs one of the roles %(roles)s; you hold %(held)s here",
                    event=event.name,
                    roles=", ".join(sorted(event.roles)),
                    held=", ".join(sorted(actor.roles)) or "-",
                )
            )

    def _event(self, record: Any, event_name: str) -> EventSpec:
        definition = self.definition_for(record)
        event = definition.events.get(event_name)
        if event is None:
            raise InvalidEvent(
                Joined(
                    [
                        _l(
                            "'%(event)s' is not an event of the %(workflow)s workflow",
                            event=event_name,
                            workflow=definition.key,
                        ),
                        *_options(definition, record.state),
                    ],
                    " ",
                )
            )
        return event


def lock_record(record: Any) -> None:
    """Reload the record's row under a write lock, so the checks that follow see its latest state.

    Anything else that must agree with the record's state (a comment, a vote) takes the same
    lock first, so it cannot slip in between a guard's check and the transition. PostgreSQL
    takes a row lock (SELECT ... FOR UPDATE); SQLite's write transactions hold the database's
    write lock from BEGIN IMMEDIATE already.
    """
    db.session.flush()
    # fetching is what writes the fresh values into `record`
    db.session.execute(_lock_statement(type(record)), {"id": record.id}).scalar_one()


@cache
def _lock_statement(model: Any) -> Any:
    # A fresh SELECT of the row alone: refresh() would repeat the original load's eager joins,
    # and PostgreSQL cannot lock the nullable side of an outer join. Built once per model: a
    # statement object keeps its cache key.
    return (
        select(model)
        .where(model.id == bindparam("id"))
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )


def expect_version(record: Any, expected: int | None) -> None:
    """Fail unless the (locked) record is still at the version the caller read."""
    if expected is not None and expected != record.version:
        raise StaleVersion(expected, record.version)


def flush_versioned(expected: int | None) -> None:
    """Flush pending changes; a versioned UPDATE that matched no row means a concurrent write."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise StaleVersion(expected, None) from exc


def _options(definition: Definition, state: str) -> list[Any]:
    names = [e.name for e in definition.events_from(state)]
    return [_l("(possible now: %(events)s)", events=", ".join(names))] if names else []
