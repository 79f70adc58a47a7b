"""A generic workflow engine: definitions as data, one shared state machine per definition.

It knows nothing of action plans. Records it drives carry `state`, `version`, `workflow_key`,
`workflow_version` and `state_changed_at`, and name themselves with `record_type`.
"""

from .definition import Definition, EventSpec, GateSpec, StateSpec, load_definition
from .errors import (
    DefinitionError,
    GuardFailed,
    InvalidEvent,
    NotAllowed,
    StaleVersion,
    WorkflowError,
)
from .machine import Actor, Engine, Transition, expect_version, flush_versioned, lock_record

__all__ = [
    "Actor",
    "Definition",
    "DefinitionError",
    "Engine",
    "EventSpec",
    "GateSpec",
    "GuardFailed",
    "InvalidEvent",
    "NotAllowed",
    "StaleVersion",
    "StateSpec",
    "Transition",
    "WorkflowError",
    "expect_version",
    "flush_versioned",
    "load_definition",
    "lock_record",
]
