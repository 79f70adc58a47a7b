"""What a vote gate's decision says in a message: the count of the round, in words."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from ..engine.audit import LogEntry
from ..extensions import db
from ..review.models import Vote


def gate_summary(entry: LogEntry) -> str:
    """Return the votes of the round a gate decided, in the current locale.

    The log keeps the gate's own words for the audit; a message says it in the reader's language.
    """
    round_ = db.session.scalar(
        select(func.count())
        .select_from(LogEntry)
        .where(
            LogEntry.record_type == entry.record_type,
            LogEntry.record_id == entry.record_id,
            LogEntry.to_state == entry.from_state,
            LogEntry.seq < entry.seq,
        )
    )
    counts: Counter[Any] = Counter(
        db.session.scalars(
            select(Vote.decision).where(Vote.commitment_id == entry.record_id, Vote.round == round_)
        )
    )
    return gettext(
        "Votes: %(approve)s to approve, %(reject)s to reject, %(abstain)s abstaining.",
        approve=counts["approve"],
        reject=counts["reject"],
        abstain=counts["abstain"],
    )
