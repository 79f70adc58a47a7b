"""Export a plan as open data: one row per commitment, as CSV or JSON (fields in README.md).

The CSV keeps OGP's own column names first, so the file imports back (`flask plans import`)
into the same plans and commitments.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..engine.audit import LogEntry
from ..extensions import db
from ..plans.models import ActionPlan, Commitment
from ..reporting.models import ProgressReport
from .importer import EXTRA_COLUMNS, OGP_COLUMNS
from .models import CommitmentSource, Rating
from .scales import COLUMNS, write_rating

TEMPLATE_COLUMNS = (
    "problem",
    "description",
    "how_it_solves",
    "ogp_values",
    "other_actors_government",
    "other_actors_civil_society",
    "expected_results",
)
CSV_COLUMNS = (
    *OGP_COLUMNS,
    *EXTRA_COLUMNS,
    "plan_title",
    "state_since",
    *TEMPLATE_COLUMNS,
    "completion_level",
    "rating_scales",
    "milestones",
    "stages",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a cell a spreadsheet would read as a formula with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def plan_records(plan: ActionPlan) -> list[dict[str, Any]]:
    """Return the plan's commitments as plain data, in a fixed number of queries."""
    commitments = list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.plan_id == plan.id)
            .options(selectinload(Commitment.milestones))
            .order_by(Commitment.number)
        )
    )
    ids = [c.id for c in commitments]
    sources = {
        s.commitment_id: s
        for s in db.session.scalars(
            select(CommitmentSource).where(CommitmentSource.commitment_id.in_(ids))
        )
    }
    ratings: dict[int, list[Rating]] = defaultdict(list)
    for r in db.session.scalars(select(Rating).where(Rating.commitment_id.in_(ids))):
        ratings[r.commitment_id].append(r)
    stages: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in db.session.execute(
        select(LogEntry.record_id, LogEntry.to_state, LogEntry.event, LogEntry.created_at)
        .where(LogEntry.record_type == Commitment.record_type, LogEntry.record_id.in_(ids))
        .order_by(LogEntry.record_id, LogEntry.seq)
    ):
        stages[entry.record_id].append(
            {"state": entry.to_state, "event": entry.event, "at": entry.created_at.isoformat()}
        )
    reported: dict[int, str] = {}
    for commitment_id, completion in db.session.execute(
        select(ProgressReport.commitment_id, ProgressReport.completion)
        .where(
            ProgressReport.commitment_id.in_(ids),
            ProgressReport.state == "accepted",
            ProgressReport.completion.is_not(None),
        )
        .order_by(ProgressReport.period_end, ProgressReport.id)
    ):
        reported[commitment_id] = completion  # the latest accepted report wins
    return [
        _record(plan, c, sources.get(c.id), ratings[c.id], stages[c.id], reported.get(c.id))
        for c in commitments
    ]


def _record(
    plan: ActionPlan,
    c: Commitment,
    source: CommitmentSource | None,
    ratings: list[Rating],
    stages: list[dict[str, Any]],
    reported: str | None,
) -> dict[str, Any]:
    by_measure = {r.measure: r for r in ratings}
    rated = {
        column: write_rating(m, by_measure[m].scale, by_measure[m].value) if m in by_measure else ""
        for m, column in COLUMNS.items()
    }
    completion = reported or (by_measure["completion"].value if "completion" in by_measure else "")
    return {
        "ogp_id": c.ogp_id or "",
        "title": c.title,
        "action_plan": source.action_plan if source else plan.title,
        "cycle_year": (source.cycle_year if source else None) or plan.period_start.year,
        "lead_institution": (source.lead_institution if source else "") or c.lead_agency,
        "support_institutions": source.support_institutions if source else "",
        "policy_areas": list(source.policy_areas) if source else [],
        **rated,
        "source_url": source.source_url if source else "",
        "plan_slug": plan.slug,
        "country": plan.country,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "number": c.number,
        "state": c.state,
        "plan_title": plan.title,
        "state_since": c.state_changed_at.isoformat(),
        **{name: getattr(c, name) for name in TEMPLATE_COLUMNS if name != "ogp_values"},
        "ogp_values": list(c.ogp_values or []),
        "completion_level": completion,
        "ratings": [
            {"measure": r.measure, "scale": r.scale, "value": r.value, "source": r.source}
            for r in ratings
        ],
        "rating_scales": ";".join(f"{r.measure}:{r.scale}" for r in ratings),
        "milestones": [m.as_dict() for m in c.milestones],
        "stages": stages,
    }


def to_json(plan: ActionPlan) -> str:
    """Return the plan and its commitments as a JSON document."""
    document = {
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "country": plan.country,
            "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(),
            "reporting_cycle": plan.reporting_cycle,
        },
        "commitments": [
            {k: v for k, v in r.items() if k != "rating_scales"} for r in plan_records(plan)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def to_csv(plan: ActionPlan) -> str:
    """Return the plan's commitments as CSV, one row each, formula cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in plan_records(plan):
        writer.writerow([neutralise(_cell(record.get(name))) for name in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
