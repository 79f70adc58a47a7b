"""Who a stage with a duration waits on: the shipped workflows' knowledge, kept beside them.

The reminders name no state: they ask this module who is still expected to act.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..accounts.roles import CSO_REVIEWER, IMPLEMENTER, MSF_MEMBER, POC, SIGNATORY
from ..engine.audit import times_entered
from ..extensions import db
from ..review.models import Comment, Vote

# (workflow key, state) -> the role whose members the stage waits on.
WAITING_ON: dict[tuple[str, str], str] = {
    ("commitment", "cso_review"): CSO_REVIEWER,
    ("commitment", "msf_approval"): MSF_MEMBER,
    ("commitment", "government_signoff"): SIGNATORY,
    ("progress_report", "draft"): IMPLEMENTER,
    ("progress_report", "submitted"): POC,
}
# Who hears that a stage is overdue.
ESCALATE_TO = POC


def waiting_role(record: Any, state: str | None = None) -> str | None:
    """Return the role the record's stage (its current one by default) waits on, if any."""
    return WAITING_ON.get((record.workflow_key, state or record.state))


def already_acted(record: Any) -> set[int]:
    """Return the people of the waiting role who have done their part in this round already.

    A reviewer who has commented in the current review round, a forum member who has voted in
    the current vote round.
    """
    if record.record_type != "commitment":
        return set()
    if record.state == "msf_approval":
        round_ = times_entered(record, "msf_approval")
        return set(
            db.session.scalars(
                select(Vote.user_id).where(Vote.commitment_id == record.id, Vote.round == round_)
            )
        )
    if record.state == "cso_review":
        round_ = times_entered(record, "cso_review")
        return set(
            db.session.scalars(
                select(Comment.author_id).where(
                    Comment.commitment_id == record.id, Comment.round == round_
                )
            )
        )
    return set()
