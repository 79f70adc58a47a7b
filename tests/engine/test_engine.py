"""The engine fires on records it is handed; it never keeps them."""

import pytest

from workflow.definitions.registry import engine
from workflow.engine import GuardFailed, InvalidEvent, NotAllowed
from workflow.lifecycle import allowed_events, fire


def test_the_shared_machine_keeps_no_records(cast, create_commitment_):
    commitments = [create_commitment_(cast.plan, cast.drafter) for _ in range(5)]
    for c in commitments:
        fire(c, "submit", cast.drafter)
    machine = engine._compiled[("commitment", 1)].machine
    assert machine.models == []
    assert not hasattr(commitments[0], "to_draft")  # no per-record triggers were attached
    assert {c.state for c in commitments} == {"cso_review"}


def test_a_record_on_a_missing_definition_version_says_so(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    c.workflow_version = 99
    with pytest.raises(InvalidEvent, match="no workflow 'commitment' version 99 is installed"):
        fire(c, "submit", cast.drafter)
    assert c.state == "draft"


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [
        ("drafter", "draft", ["submit"]),
        ("poc", "draft", ["submit", "withdraw"]),
        ("cso1", "draft", []),
        ("cso1", "cso_review", ["request_changes", "endorse"]),
        ("msf_gov1", "msf_approval", []),
        ("poc", "msf_approval", ["withdraw"]),
        ("outsider", "cso_review", []),
    ],
)
def test_allowed_events_follow_roles_and_state(cast, create_commitment_, who, state, expected):
    c = create_commitment_(cast.plan, cast.drafter)
    if state != "draft":
        fire(c, "submit", cast.drafter)
    if state == "msf_approval":
        fire(c, "endorse", cast.cso1)
    assert allowed_events(c, getattr(cast, who)) == expected


def test_comment_required_events(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    fire(c, "submit", cast.drafter)
    with pytest.raises(GuardFailed) as exc:
        fire(c, "request_changes", cast.cso1, comment="   ")
    assert exc.value.reasons == ["a comment is required for 'request_changes'"]
    fire(c, "request_changes", cast.cso1, comment="Add a budget line.")
    assert c.state == "draft"


def test_someone_without_the_role_is_refused_whatever_the_state(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    with pytest.raises(NotAllowed):
        fire(c, "endorse", cast.outsider)  # endorse is not possible in draft either


def test_roles_are_checked_before_the_version(cast, create_commitment_):
    from workflow.plans.operations import update_commitment

    c = create_commitment_(cast.plan, cast.drafter)
    with pytest.raises(NotAllowed):
        fire(c, "submit", cast.cso1, version=99)
    with pytest.raises(NotAllowed):
        update_commitment(c, cast.cso1, {"title": "Mine now"}, version=99)
