"""The shapes of progress reports, in requests and replies."""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import Field, model_validator

from ..definitions.shapes import state_of
from ..plans.models import MILESTONE_STATUSES
from ..plans.schemas import Person, RecordWorkflow
from ..schema import (
    Day,
    DayOut,
    Id,
    Reply,
    Shape,
    Timestamp,
    Version,
    WebAddress,
    disagreement,
    one_of,
    sent,
    text,
    unset,
    validate,
    words,
)
from .scales import COMPLETION

Completion = one_of(COMPLETION)
MilestoneStatus = one_of(MILESTONE_STATUSES)
PERIOD_LABEL = words(100, "The reporting period, as people call it (2025 Q1).")
NARRATIVE = text(20000, "What was done in the period.")
Links = Annotated[list[WebAddress], Field(max_length=50)]


class MilestoneProgressInput(Shape):
    """A milestone's status at the end of the period."""

    milestone_id: Id
    status: MilestoneStatus
    note: text(5000) = ""


Progress = Annotated[list[MilestoneProgressInput], Field(max_length=100)]
ORDER = "period_end must not be before period_start (422 otherwise)."


class ReportInput(Shape):
    """A new progress report for one period."""

    period_label: PERIOD_LABEL
    period_start: Day
    period_end: Day = Field(description=ORDER)
    completion: Completion | None = None
    narrative: NARRATIVE = ""
    evidence_links: Links = []
    milestones: Progress = []

    @model_validator(mode="after")
    def _period_in_order(self) -> ReportInput:
        if self.period_end < self.period_start:
            raise disagreement("period_end", _l("must not be before the period start"))
        return self


class ReportPatch(Shape):
    """A change to a draft report: only the fields sent change."""

    version: Version
    period_label: PERIOD_LABEL = unset()
    period_start: Day = unset()
    period_end: Day = unset(ORDER)
    completion: Completion | None = unset()
    narrative: NARRATIVE = unset()
    evidence_links: Links = unset()
    milestones: Progress = unset()


# --- replies -------------------------------------------------------------------------------------


class MilestoneProgress(Reply):
    milestone_id: int
    status: MilestoneStatus
    note: str


class Report(Reply):
    id: int
    commitment_id: int
    period_label: str
    period_start: DayOut
    period_end: DayOut
    completion: Completion | None
    narrative: str
    evidence_links: list[str]
    milestones: list[MilestoneProgress]
    state: state_of("progress_report")
    version: int
    workflow: RecordWorkflow
    state_changed_at: Timestamp
    allowed_events: list[str]
    created_by: Person | None
    created_at: Timestamp


class ReportList(Reply):
    reports: list[Report]


def parse_report(data: Any, *, creating: bool) -> dict[str, Any]:
    """Check a report body (a new one, or a change with its `version`); return what it sets."""
    if creating:
        return validate(ReportInput, data).model_dump()
    values = sent(validate(ReportPatch, data))
    values.pop("version", None)
    return values
