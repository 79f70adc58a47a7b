"""Create and edit commitments; each edit saves a revision. Flush, never commit.

Values come checked by the shapes in plans/schemas.py (CommitmentInput, CommitmentPatch).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.permissions import (
    actor_for,
    authorize,
    can_create_commitment,
    can_edit_commitment,
    require,
)
from ..definitions.commitment import EDITABLE_STATE
from ..definitions.registry import engine
from ..engine import expect_version, flush_versioned, lock_record
from ..engine.audit import utcnow
from ..extensions import db
from .models import TEXT_FIELDS, ActionPlan, Commitment, Milestone, Revision


def create_commitment(plan: ActionPlan, user: User, values: Mapping[str, Any]) -> Commitment:
    """Create a draft commitment with its first revision."""
    require(
        can_create_commitment(user, plan),
        _l("only the plan's drafters and point of contact may add commitments"),
    )
    actor = actor_for(user, plan)
    # Lock the plan's row so two commitments created at once do not draw the same number.
    db.session.execute(select(ActionPlan.id).where(ActionPlan.id == plan.id).with_for_update())
    number = (
        db.session.scalar(select(func.max(Commitment.number)).where(Commitment.plan_id == plan.id))
        or 0
    ) + 1
    # `ogp_id` is not part of the template a person edits; importers (the demo) pass it.
    commitment = Commitment(
        plan=plan,
        number=number,
        created_by=user,
        title=values["title"],
        ogp_id=values.get("ogp_id"),
    )
    db.session.add(commitment)
    _apply(commitment, values)
    engine.start(commitment, "commitment", actor)
    _save_revision(commitment, user, note="created")
    return commitment


def update_commitment(
    commitment: Commitment, user: User, values: Mapping[str, Any], *, version: int, note: str = ""
) -> Commitment:
    """Change the text of a draft and save a revision; nothing is written if nothing changes."""
    lock_record(commitment)
    authorize(
        can_edit_commitment,
        user,
        commitment,
        forbidden=_l("only the plan's drafters and point of contact may edit commitments"),
        closed=_l(
            "the text can only change in %(editable)s; this commitment is in '%(state)s'",
            editable=EDITABLE_STATE,
            state=commitment.state,
        ),
    )
    expect_version(commitment, version)
    changes = _changes(commitment, values)
    if not changes:
        return commitment
    _apply(commitment, changes)
    commitment.updated_at = utcnow()  # an UPDATE even when only milestones change: bumps version
    flush_versioned(version)
    _save_revision(commitment, user, note=note or None)
    return commitment


def _changes(commitment: Commitment, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields of `values` that differ from what the commitment holds now."""
    current = commitment.snapshot()
    changes = {}
    for name, value in values.items():
        if name == "milestones":
            keep = ("description", "start_date", "end_date", "status")
            before = [{k: m[k] for k in keep} for m in current["milestones"]]
            after = [
                {k: (v.isoformat() if isinstance(v, date) else v) for k, v in m.items()}
                for m in value
            ]
            if before != after:
                changes[name] = value
        elif name in current and current[name] != value:
            changes[name] = value
    return changes


def _apply(commitment: Commitment, values: Mapping[str, Any]) -> None:
    for name in (*TEXT_FIELDS, "ogp_values"):
        if name in values:
            setattr(commitment, name, values[name])
    if "milestones" in values:
        commitment.milestones = [
            Milestone(position=i, **m) for i, m in enumerate(values["milestones"], start=1)
        ]


def _save_revision(commitment: Commitment, user: User, note: str | None) -> Revision:
    db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(Revision.number)).where(Revision.commitment_id == commitment.id)
        )
        or 0
    ) + 1
    revision = Revision(
        commitment=commitment,
        number=number,
        author_id=user.id,
        note=note,
        content=commitment.snapshot(),
    )
    db.session.add(revision)
    db.session.flush()
    return revision
