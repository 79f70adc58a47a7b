"""Vote gates: decide approve or reject from the votes of one round."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

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
    reason: Any  # read in the reader's language


def decide(rule: str, members: Mapping[int, str], ballots: Iterable[Ballot]) -> Outcome:
    """Apply `rule` to the ballots of the members (member id -> group) in one round."""
    if rule not in RULES:
        raise ValueError(f"unknown vote rule '{rule}'")
    ballots = [b for b in ballots if b.member_id in members]
    total = len(members)
    counts = Counter(b.decision for b in ballots)
    approvals, rejections = counts[APPROVE], counts[REJECT]
    tally = _l(
        "%(approve)s approve, %(reject)s reject, %(abstain)s abstain of %(total)s",
        approve=approvals,
        reject=rejections,
        abstain=counts[ABSTAIN],
        total=total,
    )
    groups = set(members.values())
    approving_groups = {b.group for b in ballots if b.decision == APPROVE}

    if not total:
        return Outcome(None, _l("nobody may vote: the forum has no members"))
    if rule == UNANIMITY:
        if total and approvals == total:
            return Outcome(APPROVE, _l("approved unanimously (%(tally)s)", tally=tally))
        if rejections or counts[ABSTAIN]:
            return Outcome(REJECT, _l("not unanimous (%(tally)s)", tally=tally))
        return Outcome(None, _l("waiting for votes (%(tally)s)", tally=tally))

    majority = total // 2 + 1
    if rejections >= majority:
        return Outcome(REJECT, _l("a majority rejected (%(tally)s)", tally=tally))
    if approvals >= majority:
        missing = sorted(groups - approving_groups)
        if rule == SIMPLE_MAJORITY or not missing:
            return Outcome(APPROVE, _l("a majority approved (%(tally)s)", tally=tally))
    if len(ballots) >= total:
        # Everyone has voted and approval was not reached: the round ends rather than hanging.
        return Outcome(
            REJECT, _l("every member voted and approval was not reached (%(tally)s)", tally=tally)
        )
    if approvals >= majority:
        missing = ", ".join(sorted(groups - approving_groups))
        return Outcome(
            None,
            _l(
                "a majority approved but no approval yet from: %(sides)s (%(tally)s)",
                sides=missing,
                tally=tally,
            ),
        )
    return Outcome(None, _l("waiting for votes (%(tally)s)", tally=tally))
