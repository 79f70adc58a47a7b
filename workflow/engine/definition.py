"""Workflow definitions as data, validated when they are loaded."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import DefinitionError

ANY_ACTIVE_STATE = "*"


@dataclass(frozen=True)
class GateSpec:
    """A state decided by votes: the gate fires `approve_event` or `reject_event` itself."""

    approve_event: str
    reject_event: str


@dataclass(frozen=True)
class StateSpec:
    name: str
    terminal: bool = False
    duration_days: int | None = None
    gate: GateSpec | None = None


@dataclass(frozen=True)
class EventSpec:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str] = frozenset()
    guards: tuple[str, ...] = ()
    comment_required: bool = False
    notify: frozenset[str] = frozenset()
    notify_author: bool = False
    gate: bool = False  # only the vote gate may fire it


@dataclass(frozen=True)
class Definition:
    key: str
    version: int
    initial: str
    states: Mapping[str, StateSpec]
    events: Mapping[str, EventSpec]
    fingerprint: str = ""  # SHA-256 of the data it was loaded from

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(self.states)

    def events_from(self, state: str) -> list[EventSpec]:
        """Return the events whose source includes `state`, in definition order."""
        return [e for e in self.events.values() if state in e.sources]


class _Strict(BaseModel):
    # A definition is checked as strictly as a request: no unknown key, no coerced type.
    model_config = ConfigDict(extra="forbid", strict=True)


class _GateData(_Strict):
    approve: str
    reject: str


class _StateData(_Strict):
    terminal: bool = False
    duration_days: Annotated[int, Field(gt=0)] | None = None
    gate: _GateData | None = None


class _EventData(_Strict):
    source: str | list[str]
    target: str
    roles: list[str] = []
    guards: list[str] = []
    comment_required: bool = False
    notify: list[str] = []
    notify_author: bool = False
    gate: bool = False


class _DefinitionData(_Strict):
    key: Annotated[str, Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")]
    version: Annotated[int, Field(ge=1)] = 1
    initial: str
    states: dict[str, _StateData | None]
    events: dict[str, _EventData]


def load_definition(
    data: Mapping[str, Any], *, roles: Collection[str], guards: Collection[str]
) -> Definition:
    """Build a Definition from plain data, raising DefinitionError listing every problem."""
    key = str(data.get("key") or "<unnamed>") if isinstance(data, Mapping) else "<unnamed>"
    try:
        raw = _DefinitionData.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(key, [_where(e) for e in exc.errors(include_url=False)]) from None
    problems: list[str] = []
    states = _load_states(raw.states, problems)
    initial = raw.initial
    if initial not in states:
        problems.append(f"initial state '{initial}' is not a state")
    active = [name for name, s in states.items() if not s.terminal]
    events = _load_events(raw.events, states, active, roles, guards, problems)
    if not problems:
        _check_graph(initial, states, events, problems)
    if problems:
        raise DefinitionError(key, problems)
    return Definition(
        key=raw.key,
        version=raw.version,
        initial=initial,
        states=states,
        events=events,
        fingerprint=fingerprint(data),
    )


def _where(error: Mapping[str, Any]) -> str:
    place = ".".join(str(p) for p in error["loc"]) or "the definition"
    if error["type"] == "extra_forbidden":
        return f"{place}: unknown key"
    return f"{place}: {error['msg']}"


def fingerprint(data: Mapping[str, Any]) -> str:
    """Return a stable hash of a definition's data: a changed definition needs a new version."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=sorted)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _load_states(raw: Mapping[str, _StateData | None], problems: list[str]) -> dict[str, StateSpec]:
    if not raw:
        problems.append("it has no states")
    states = {}
    for name, spec in raw.items():
        spec = spec or _StateData()
        gate = spec.gate
        states[name] = StateSpec(
            name=name,
            terminal=spec.terminal,
            duration_days=spec.duration_days,
            gate=GateSpec(gate.approve, gate.reject) if gate else None,
        )
    return states


def _load_events(
    raw: Mapping[str, _EventData],
    states: Mapping[str, StateSpec],
    active: list[str],
    roles: Collection[str],
    guards: Collection[str],
    problems: list[str],
) -> dict[str, EventSpec]:
    events = {}
    for name, spec in raw.items():
        source = spec.source
        sources = tuple(active) if source == ANY_ACTIVE_STATE else tuple(_as_list(source))
        if not sources:
            problems.append(f"event '{name}' has no source state")
        for s in sources:
            if s not in states:
                problems.append(f"event '{name}' starts from unknown state '{s}'")
            elif states[s].terminal:
                problems.append(f"event '{name}' leaves terminal state '{s}'")
        target = spec.target
        if target not in states:
            problems.append(f"event '{name}' goes to unknown state '{target}'")
        event_roles = frozenset(spec.roles)
        notify = frozenset(spec.notify)
        for role in sorted((event_roles | notify) - set(roles)):
            problems.append(f"event '{name}' names unknown role '{role}'")
        for guard in spec.guards:
            if guard not in guards:
                problems.append(f"event '{name}' names unknown guard '{guard}'")
        if not spec.gate and not event_roles:
            problems.append(f"event '{name}' names no role that may fire it")
        if spec.gate and event_roles:
            problems.append(f"event '{name}' is fired by the vote: it takes no roles")
        events[name] = EventSpec(
            name=name,
            sources=sources,
            target=target,
            roles=event_roles,
            guards=tuple(spec.guards),
            comment_required=spec.comment_required,
            notify=notify,
            notify_author=spec.notify_author,
            gate=spec.gate,
        )
    for state in states.values():
        if state.gate:
            for ev in (state.gate.approve_event, state.gate.reject_event):
                if ev not in events:
                    problems.append(f"gate of state '{state.name}' names unknown event '{ev}'")
                elif state.name not in events[ev].sources or not events[ev].gate:
                    problems.append(
                        f"gate event '{ev}' must leave state '{state.name}' and be marked gate"
                    )
    gate_events = {e.name for e in events.values() if e.gate}
    gated = {
        ev for s in states.values() if s.gate for ev in (s.gate.approve_event, s.gate.reject_event)
    }
    for name in sorted(gate_events - gated):
        problems.append(f"event '{name}' is marked gate but no state's gate fires it")
    return events


def _check_graph(
    initial: str,
    states: Mapping[str, StateSpec],
    events: Mapping[str, EventSpec],
    problems: list[str],
) -> None:
    reachable = {initial}
    frontier = [initial]
    while frontier:
        state = frontier.pop()
        for event in events.values():
            if state in event.sources and event.target not in reachable:
                reachable.add(event.target)
                frontier.append(event.target)
    for name in states:
        if name not in reachable:
            problems.append(f"state '{name}' cannot be reached from '{initial}'")
    for name, spec in states.items():
        if not spec.terminal and not any(name in e.sources for e in events.values()):
            problems.append(f"state '{name}' is not terminal but no event leaves it")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)
