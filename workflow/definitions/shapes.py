"""Codes the installed workflows define, as types for the declared shapes (and their enums)."""

from __future__ import annotations

from typing import Any

from ..schema import one_of
from .registry import engine


def _installed(key: str) -> list[Any]:
    return [engine.definition(k, v) for k, v in engine.versions() if k == key]


def state_of(key: str) -> Any:
    """The states of every installed version of workflow `key`, as a type."""
    return one_of(dict.fromkeys(s for d in _installed(key) for s in d.states))


def event_of(key: str, *, by_people: bool = False) -> Any:
    """The events of workflow `key`; with `by_people`, only those a person may fire."""
    return one_of(
        dict.fromkeys(
            e.name for d in _installed(key) for e in d.events.values() if not (by_people and e.gate)
        )
    )
