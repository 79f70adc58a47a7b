"""Definitions are data, checked when loaded: every problem is named."""

import pytest

from workflow.definitions.commitment import COMMITMENT
from workflow.definitions.progress_report import PROGRESS_REPORT
from workflow.engine import DefinitionError, Engine

ROLES = ("writer", "reader")
GUARDS = {"ready": lambda record: []}


def small(**changes):
    definition = {
        "key": "doc",
        "initial": "open",
        "states": {"open": {}, "closed": {"terminal": True}},
        "events": {"close": {"source": "open", "target": "closed", "roles": ["writer"]}},
    }
    definition.update(changes)
    return definition


def problems(data) -> list[str]:
    with pytest.raises(DefinitionError) as exc:
        Engine(roles=ROLES, guards=GUARDS).register(data)
    return exc.value.problems


def test_a_valid_definition_loads():
    definition = Engine(roles=ROLES, guards=GUARDS).register(small())
    assert definition.events["close"].sources == ("open",)


@pytest.mark.parametrize("data", [COMMITMENT, PROGRESS_REPORT])
def test_shipped_definitions_load(data):
    from workflow.accounts.roles import PLAN_ROLES
    from workflow.definitions.guards import GUARDS as OGP_GUARDS

    assert Engine(roles=PLAN_ROLES, guards=OGP_GUARDS).register(data).key == data["key"]


def test_unknown_role_and_guard_are_named():
    data = small(
        events={
            "close": {
                "source": "open",
                "target": "closed",
                "roles": ["editor"],
                "guards": ["signed"],
            }
        }
    )
    assert problems(data) == [
        "event 'close' names unknown role 'editor'",
        "event 'close' names unknown guard 'signed'",
    ]


def test_unreachable_state():
    data = small(states={"open": {}, "closed": {"terminal": True}, "lost": {"terminal": True}})
    assert problems(data) == ["state 'lost' cannot be reached from 'open'"]


def test_non_terminal_dead_end():
    data = small(
        states={"open": {}, "stuck": {}, "closed": {"terminal": True}},
        events={
            "close": {"source": "open", "target": "closed", "roles": ["writer"]},
            "park": {"source": "open", "target": "stuck", "roles": ["writer"]},
        },
    )
    assert problems(data) == ["state 'stuck' is not terminal but no event leaves it"]


def test_unknown_states_and_initial():
    data = small(
        initial="nowhere",
        events={"close": {"source": "opened", "target": "shut", "roles": ["writer"]}},
    )
    assert problems(data) == [
        "initial state 'nowhere' is not a state",
        "event 'close' starts from unknown state 'opened'",
        "event 'close' goes to unknown state 'shut'",
    ]


def test_leaving_a_terminal_state_and_events_without_roles():
    data = small(
        events={
            "close": {"source": "open", "target": "closed", "roles": ["writer"]},
            "reopen": {"source": "closed", "target": "open"},
        }
    )
    assert problems(data) == [
        "event 'reopen' leaves terminal state 'closed'",
        "event 'reopen' names no role that may fire it",
    ]


def test_star_source_means_every_active_state():
    data = small(
        states={"open": {}, "review": {}, "closed": {"terminal": True}},
        events={
            "send": {"source": "open", "target": "review", "roles": ["writer"]},
            "close": {"source": "*", "target": "closed", "roles": ["reader"]},
        },
    )
    definition = Engine(roles=ROLES, guards=GUARDS).register(data)
    assert definition.events["close"].sources == ("open", "review")


def test_gate_events_must_be_marked():
    data = small(
        states={
            "open": {"gate": {"approve": "close", "reject": "close"}},
            "closed": {"terminal": True},
        },
    )
    assert "gate event 'close' must leave state 'open' and be marked gate" in problems(data)


def test_versions_are_kept_side_by_side():
    engine = Engine(roles=ROLES, guards=GUARDS)
    engine.register(small(version=1))
    engine.register(
        small(
            version=2, events={"close": {"source": "open", "target": "closed", "roles": ["reader"]}}
        )
    )
    assert engine.definition("doc").version == 2
    assert engine.definition("doc", 1).events["close"].roles == frozenset({"writer"})


# --- as strict as a request body ----------------------------------------------------------------


def test_a_misspelt_key_is_named_with_its_place():
    data = small(
        events={
            "close": {
                "source": "open",
                "target": "closed",
                "roles": ["writer"],
                "comment_requird": True,
            }
        }
    )
    assert problems(data) == ["events.close.comment_requird: unknown key"]


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({"states": {"open": {"gate": "no"}, "closed": {"terminal": True}}}, "states.open.gate"),
        ({"states": {"open": {"terminal": "yes"}, "closed": {}}}, "states.open.terminal"),
        ({"states": {"open": {"duration_days": "14"}, "closed": {}}}, "states.open.duration_days"),
        ({"version": "2"}, "version"),
        (
            {"events": {"close": {"source": "open", "target": "closed", "roles": "writer"}}},
            "events.close.roles",
        ),
    ],
)
def test_a_wrong_type_is_named_with_its_place(change, place):
    found = problems(small(**change))
    assert any(p.startswith(f"{place}: ") for p in found), found


def test_a_gate_needs_both_outcomes():
    data = small(
        states={"open": {"gate": {"approve": "close"}}, "closed": {"terminal": True}},
        events={"close": {"source": "open", "target": "closed", "gate": True}},
    )
    assert problems(data) == ["states.open.gate.reject: Field required"]


def test_the_same_key_and_version_cannot_be_registered_twice():
    engine = Engine(roles=ROLES, guards=GUARDS)
    engine.register(small(version=3))
    with pytest.raises(DefinitionError, match="version 3 is registered already"):
        engine.register(small(version=3))
    assert engine.register(small(version=4)).version == 4


def test_the_application_does_not_start_with_a_misspelt_definition():
    """The shipped registry refuses a definition with a misspelt key when it loads."""
    import copy

    from workflow.accounts.roles import PLAN_ROLES
    from workflow.definitions.guards import GUARDS as OGP_GUARDS

    data = copy.deepcopy(COMMITMENT)
    data["events"]["withdraw"]["comment_requird"] = data["events"]["withdraw"].pop(
        "comment_required"
    )
    with pytest.raises(DefinitionError, match=r"events\.withdraw\.comment_requird: unknown key"):
        Engine(roles=PLAN_ROLES, guards=OGP_GUARDS).register(data)
