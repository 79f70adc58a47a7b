"""Vote gates: decide approve or reject from the votes of one round."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

APPROVE, REJECT, ABSTAIN = "approve", "reject", "abstain"
DECISIONS = (APPROVE, REJECT, ABSTAIN)

MAJORITY_WITH_PARITY = "majority_with_parity"
SIMPLE_MAJORITY = "simple_majority"
UNANIMITY = "unanimity"
RULES = (MAJORITY_WITH_PARITY, SIMPLE_MAJORITY, UNANIMITY)


@dataclass(frozen=True)
class Ballot:
    member_id: int
    group: str
    decision: str


@dataclass(frozen=True)
class Outcome:
    decision: str | None  # APPROVE, REJECT or None while undecided
    reason: str


def decide(rule: str, members: Mapping[int, str], ballots: Iterable[Ballot]) -> Outcome:
    """Apply `rule` to the ballots of the members (member id -> group) in one round."""
    if rule not in RULES:
        raise ValueError(f"unknown vote rule '{rule}'")
    ballots = [b for b in ballots if b.member_id in members]
    total = len(members)
    counts = Counter(b.decision for b in ballots)
    approvals, rejections = counts[APPROVE], counts[REJECT]
    tally = f"{approvals} approve, {rejections} reject, {counts[ABSTAIN]} abstain of {total}"
    groups = set(members.values())
    approving_groups = {b.group for b in ballots if b.decision == APPROVE}

    if not total:
        return Outcome(None, "nobody may vote: the forum has no members")
    if rule == UNANIMITY:
        if total and approvals == total:
            return Outcome(APPROVE, f"approved unanimously ({tally})")
        if rejections or counts[ABSTAIN]:
            return Outcome(REJECT, f"not unanimous ({tally})")
        return Outcome(None, f"waiting for votes ({tally})")

    majority = total // 2 + 1
    if rejections >= majority:
        return Outcome(REJECT, f"a majority rejected ({tally})")
    if approvals >= majority:
        missing = sorted(groups - approving_groups)
        if rule == SIMPLE_MAJORITY or not missing:
            return Outcome(APPROVE, f"a majority approved ({tally})")
    if len(ballots) >= total:
        # Everyone has voted and approval was not reached: the round ends rather than hanging.
        return Outcome(REJECT, f"every member voted and approval was not reached ({tally})")
    if approvals >= majority:
        missing = ", ".join(sorted(groups - approving_groups))
        return Outcome(None, f"a majority approved but no approval yet from: {missing} ({tally})")
    return Outcome(None, f"waiting for votes ({tally})")
