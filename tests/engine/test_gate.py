"""The vote rules, decided from the ballots of one round."""

import pytest

from workflow.engine.gate import Ballot, decide

MEMBERS = {1: "gov", 2: "gov", 3: "cso", 4: "cso"}


def ballots(*votes):
    return [Ballot(member, MEMBERS.get(member, "gov"), decision) for member, decision in votes]


@pytest.mark.parametrize(
    ("votes", "decision"),
    [
        ([], None),
        ([(1, "approve"), (2, "approve")], None),  # two of four is no majority
        ([(1, "approve"), (2, "approve"), (3, "approve")], "approve"),
        ([(1, "approve"), (3, "approve"), (4, "approve")], "approve"),
        ([(1, "reject"), (2, "reject"), (3, "reject")], "reject"),
        ([(1, "approve"), (2, "approve"), (3, "abstain"), (4, "abstain")], "reject"),  # all voted
        ([(1, "approve"), (2, "approve"), (9, "approve")], None),  # 9 is not a member
    ],
)
def test_majority_with_parity(votes, decision):
    assert decide("majority_with_parity", MEMBERS, ballots(*votes)).decision == decision


def test_parity_needs_an_approval_from_each_side():
    members = {1: "gov", 2: "gov", 3: "gov", 4: "cso", 5: "cso"}
    votes = [Ballot(m, members[m], "approve") for m in (1, 2, 3)]
    outcome = decide("majority_with_parity", members, votes)
    assert outcome.decision is None
    assert "no approval yet from: cso" in outcome.reason
    assert decide("simple_majority", members, votes).decision == "approve"
    votes.append(Ballot(4, "cso", "approve"))
    assert decide("majority_with_parity", members, votes).decision == "approve"


def test_unanimity():
    assert (
        decide("unanimity", MEMBERS, ballots(*[(m, "approve") for m in MEMBERS])).decision
        == "approve"
    )
    assert (
        decide("unanimity", MEMBERS, ballots((1, "approve"), (2, "abstain"))).decision == "reject"
    )
    assert decide("unanimity", MEMBERS, ballots((1, "approve"))).decision is None


def test_no_members_decides_nothing():
    assert decide("majority_with_parity", {}, []).decision is None


def test_unknown_rule():
    with pytest.raises(ValueError, match="unknown vote rule"):
        decide("coin_toss", MEMBERS, [])
