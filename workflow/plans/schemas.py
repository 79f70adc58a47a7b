"""The shapes of plans, commitments and milestones, in requests and replies."""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import Field, model_validator

from ..accounts.roles import PLAN_ROLES
from ..definitions.shapes import state_of
from ..engine.gate import MAJORITY_WITH_PARITY, RULES
from ..schema import (
    SLUG,
    Day,
    DayOut,
    Reply,
    Shape,
    Timestamp,
    Version,
    disagreement,
    one_of,
    sent,
    text,
    unset,
    validate,
    words,
)
from .models import MILESTONE_STATUSES, OGP_VALUES, REPORTING_CYCLES

TITLE = words(500, "The commitment's name, as the plan lists it.")
LONG_TEXT = text(20000)
AGENCY = text(300, "The lead implementing agency.")
OgpValue = one_of(OGP_VALUES)
MilestoneStatus = one_of(MILESTONE_STATUSES)


class MilestoneInput(Shape):
    """A milestone as a drafter writes it; the end date comes after the start date."""

    description: words(20000)
    start_date: Day | None = None
    end_date: Day | None = None
    status: MilestoneStatus = "not_started"

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> MilestoneInput:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise disagreement("end_date", _l("must be after the start date"))
        return self


Milestones = Annotated[
    list[MilestoneInput],
    Field(max_length=100, description="Replaces every milestone, in order."),
]


class CommitmentInput(Shape):
    """A new draft: only the title is needed to save it; submitting needs the whole template."""

    title: TITLE
    problem: LONG_TEXT = ""
    description: LONG_TEXT = ""
    how_it_solves: LONG_TEXT = ""
    lead_agency: AGENCY = ""
    other_actors_government: LONG_TEXT = ""
    other_actors_civil_society: LONG_TEXT = ""
    expected_results: LONG_TEXT = ""
    ogp_values: list[OgpValue] = []
    milestones: Milestones = []
    note: text(1000, "Why the text changed, kept with the revision.") = ""


class CommitmentPatch(Shape):
    """A change to a draft: only the fields sent change; `milestones` replaces them all."""

    version: Version
    title: TITLE = unset()
    problem: LONG_TEXT = unset()
    description: LONG_TEXT = unset()
    how_it_solves: LONG_TEXT = unset()
    lead_agency: AGENCY = unset()
    other_actors_government: LONG_TEXT = unset()
    other_actors_civil_society: LONG_TEXT = unset()
    expected_results: LONG_TEXT = unset()
    ogp_values: list[OgpValue] = unset()
    milestones: Milestones = unset()
    note: text(1000, "Why the text changed, kept with the revision.") = unset()


class PlanInput(Shape):
    """An action plan as the point of contact sets it up."""

    slug: Annotated[
        str,
        Field(
            min_length=1,
            max_length=80,
            pattern=SLUG,
            description="Lowercase letters, digits and single hyphens (nap-5-2024).",
        ),
    ]
    country: words(100)
    title: words(300)
    period_start: Day
    period_end: Day
    reporting_cycle: one_of(REPORTING_CYCLES) = "quarterly"
    approval_rule: one_of(RULES) = MAJORITY_WITH_PARITY
    is_public: bool = True

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> PlanInput:
        if self.period_end <= self.period_start:
            raise disagreement("period_end", _l("must be after the start date"))
        return self


class StageDaysInput(Shape):
    """How many days each stage of a commitment may take on a plan (empty: the workflow's)."""

    stage_days: dict[state_of("commitment"), Annotated[int, Field(ge=1, le=365)]] = {}


# --- replies -------------------------------------------------------------------------------------


class Person(Reply):
    id: int
    name: str


class RecordWorkflow(Reply):
    key: str
    version: int
    due_at: Timestamp | None = Field(
        description="When the current state is due to be left (null: no deadline)."
    )


class Milestone(Reply):
    id: int
    position: int
    description: str
    start_date: DayOut | None
    end_date: DayOut | None
    status: MilestoneStatus


class CommitmentSummary(Reply):
    id: int
    plan_id: int
    number: int
    ogp_id: str | None
    title: str
    lead_agency: str
    state: state_of("commitment")
    version: int
    state_changed_at: Timestamp


class CommitmentList(Reply):
    commitments: list[CommitmentSummary]


class Plan(Reply):
    id: int
    slug: str
    country: str
    title: str
    period_start: DayOut
    period_end: DayOut
    reporting_cycle: one_of(REPORTING_CYCLES)
    approval_rule: one_of(RULES)
    is_public: bool
    my_roles: list[one_of(PLAN_ROLES)]
    commitments_by_state: dict[str, int] = Field(
        description="How many commitments are in each state; states with none are left out."
    )


class PlanList(Reply):
    plans: list[Plan]


class Revision(Reply):
    number: int
    author: Person | None
    note: str | None
    created_at: Timestamp
    content: dict[str, Any] = Field(description="The text and milestones as saved.")


class RevisionList(Reply):
    revisions: list[Revision]


def parse_commitment(data: Any, *, creating: bool) -> dict[str, Any]:
    """Check a commitment body (a new draft, or a change with its `version`); return what it sets.

    The values keep `note` (for the revision) and drop `version`; raise InvalidInput listing all.
    """
    values = sent(validate(CommitmentInput if creating else CommitmentPatch, data))
    values.pop("version", None)
    return values
