"""Import past plans from OGP's commitment data (CSV). Flush, never commit: the caller commits.

Each row becomes a commitment of the plan its `action_plan` names (the plan is created the first
time). A commitment is started in the workflow like any other, then brought to its final state by
one log entry, the event `import`, so its hash chain stays whole and `flask audit verify` passes.
A row whose `ogp_id` is already in the database is left alone: importing twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ..definitions.commitment import STATES as COMMITMENT_STATES
from ..definitions.registry import engine
from ..engine import Actor
from ..engine.audit import append_entry, utcnow
from ..extensions import db
from ..plans.models import MILESTONE_STATUSES, OGP_VALUES, ActionPlan, Commitment, Milestone
from .models import CommitmentSource, Rating
from .scales import COLUMNS, read_rating, read_relevance

OGP_COLUMNS = (
    "ogp_id",
    "title",
    "action_plan",
    "cycle_year",
    "lead_institution",
    "support_institutions",
    "policy_areas",
    "verifiable",
    "relevant",
    "ambition_or_potential_impact",
    "completion",
    "early_results",
    "source_url",
)
# Columns our own export adds; an import uses them when present, so a round trip is exact.
EXTRA_COLUMNS = ("plan_slug", "country", "period_start", "period_end", "number", "state")
IMPORT_EVENT = "import"
IMPORTER_LABEL = "OGP data import"
OGP_ID = re.compile(r"^[A-Z]{2,4}\d{1,6}$")
YEARS = re.compile(r"((?:19|20)\d{2})\s*[-\u2013]\s*(\d{2,4})")
TEMPLATE_TEXT = (
    "problem",
    "description",
    "how_it_solves",
    "other_actors_government",
    "other_actors_civil_society",
    "expected_results",
)
FINAL_STATES = COMMITMENT_STATES  # our own export names any state a commitment was in


@dataclass
class Rejected:
    line: int
    ogp_id: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line} ({self.ogp_id or 'no ogp_id'}): {self.reason}"


@dataclass
class ImportResult:
    created: list[Commitment] = field(default_factory=list)
    plans_created: list[ActionPlan] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rows: int = 0


@dataclass
class _Row:
    line: int
    data: dict[str, str]
    plan_title: str = ""


def read_csv(text: str) -> tuple[list[_Row], list[Rejected]]:
    """Split CSV text into rows with their line numbers; reject a file without OGP's columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    missing = [c for c in OGP_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Rejected(1, "", f"the header lacks the column(s) {', '.join(missing)}")]
    rows = []
    for data in reader:
        if not any((v or "").strip() for v in data.values() if isinstance(v, str)):
            continue
        clean = {k: _unneutralise((v or "").strip()) for k, v in data.items() if k is not None}
        rows.append(_Row(reader.line_num, clean))
    return rows, []


def _unneutralise(value: str) -> str:
    # Our export prefixes formula-like cells with an apostrophe; the value is what follows.
    if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return value


def import_commitments(
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import OGP commitment rows; with any invalid row import nothing unless `skip_invalid`."""
    result = ImportResult()
    rows, rejected = read_csv(text)
    result.rows = len(rows)
    result.rejected.extend(rejected)
    if rejected:
        return result
    _name_plans(rows)
    known = set(
        db.session.scalars(
            select(Commitment.ogp_id).where(Commitment.ogp_id.in_([r.data["ogp_id"] for r in rows]))
        )
    )
    seen: set[str] = set()
    valid: list[tuple[_Row, dict[str, Any]]] = []
    for row in rows:
        ogp_id = row.data.get("ogp_id", "")
        try:
            values = _check(row, seen)
        except ValueError as exc:
            result.rejected.append(Rejected(row.line, ogp_id, str(exc)))
            continue
        seen.add(ogp_id)
        if ogp_id in known:
            result.already_there.append(ogp_id)
        else:
            valid.append((row, values))
    if result.rejected and not skip_invalid:
        return result
    today = today or date.today()
    plans = _plans(valid, result, today)
    actor = Actor(user_id=None, label=IMPORTER_LABEL, roles=frozenset())
    for done, (row, values) in enumerate(valid, start=1):
        result.created.append(_create(plans[row.plan_title], row, values, actor, today))
        if progress:
            progress(done, len(valid))
    return result


def _name_plans(rows: list[_Row]) -> None:
    """Give each row its plan; a row without one takes the plan its cycle year's rows name."""
    by_year: dict[str, str] = {}
    for row in rows:
        if row.data.get("action_plan"):
            by_year.setdefault(row.data.get("cycle_year", ""), row.data["action_plan"])
    for row in rows:
        row.plan_title = row.data.get("action_plan") or by_year.get(
            row.data.get("cycle_year", ""), ""
        )


def _check(row: _Row, seen: set[str]) -> dict[str, Any]:
    d = row.data
    ogp_id = d.get("ogp_id", "")
    if not ogp_id:
        raise ValueError("ogp_id is empty")
    if not OGP_ID.match(ogp_id):
        raise ValueError(f"ogp_id '{ogp_id}' is not like MN0001 (letters, then digits)")
    if ogp_id in seen:
        raise ValueError(f"ogp_id {ogp_id} appears twice in the file")
    if not d.get("title"):
        raise ValueError("title is empty")
    if len(d["title"]) > 500:
        raise ValueError("title is longer than 500 characters")
    year = d.get("cycle_year", "")
    if year and not (year.isdigit() and 1990 < int(year) < 2100):
        raise ValueError(f"cycle_year '{year}' is not a year")
    if not row.plan_title:
        raise ValueError(
            "action_plan is empty and no other row of the same cycle_year names a plan"
        )
    if _period(row) is None:
        raise ValueError(f"cannot tell the plan's years from '{row.plan_title}' or cycle_year")
    state = d.get("state", "")
    if state and state not in FINAL_STATES:
        raise ValueError(f"state '{state}' is not one of {', '.join(FINAL_STATES)}")
    ratings: dict[str, tuple[str, str]] = {}
    ogp_values: list[str] = []
    for measure, column in COLUMNS.items():
        word = d.get(column, "")
        if measure == "relevance":
            rating, ogp_values = read_relevance(word)
        else:
            rating = read_rating(measure, word)
        if rating:
            ratings[measure] = rating
    if d.get("ogp_values"):
        ogp_values = [v.strip() for v in d["ogp_values"].split(";") if v.strip()]
        if unknown := sorted(set(ogp_values) - set(OGP_VALUES)):
            raise ValueError(f"ogp_values has {', '.join(unknown)}, not an OGP value")
    number = d.get("number", "")
    if number and not number.isdigit():
        raise ValueError(f"number '{number}' is not a whole number")
    return {"ratings": ratings, "ogp_values": ogp_values, "milestones": _milestones(d)}


def _milestones(d: dict[str, str]) -> list[dict[str, Any]]:
    """Read the `milestones` column of our own export (JSON), when there is one."""
    if not d.get("milestones"):
        return []
    try:
        items = json.loads(d["milestones"])
        return [
            {
                "description": str(m["description"]),
                "start_date": date.fromisoformat(m["start_date"]) if m.get("start_date") else None,
                "end_date": date.fromisoformat(m["end_date"]) if m.get("end_date") else None,
                "status": m.get("status")
                if m.get("status") in MILESTONE_STATUSES
                else "not_started",
            }
            for m in items
        ]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"milestones is not a list of milestones in JSON ({exc})") from None


def _period(row: _Row) -> tuple[date, date] | None:
    d = row.data
    try:
        if d.get("period_start") and d.get("period_end"):
            return date.fromisoformat(d["period_start"]), date.fromisoformat(d["period_end"])
    except ValueError:
        return None
    found = YEARS.search(row.plan_title)
    if found:
        start, end = int(found.group(1)), found.group(2)
        end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
    elif d.get("cycle_year", "").isdigit():
        start = int(d["cycle_year"])
        end_year = start + 2
    else:
        return None
    if end_year <= start:
        return None
    return date(start, 7, 1), date(end_year, 6, 30)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "plan"


def _country(title: str) -> str:
    return re.split(r",| action plan| national action plan", title, flags=re.I)[0].strip()[:100]


def _plans(
    valid: Iterable[tuple[_Row, dict[str, Any]]], result: ImportResult, today: date
) -> dict[str, ActionPlan]:
    """Find or create the plan each row names (by title, or by slug when the row gives one)."""
    plans: dict[str, ActionPlan] = {}
    for row, _values in valid:
        if row.plan_title in plans:
            continue
        slug = row.data.get("plan_slug") or _slug(row.plan_title)
        plan = db.session.scalar(
            select(ActionPlan).where(
                (ActionPlan.slug == slug) | (ActionPlan.title == row.plan_title)
            )
        )
        if plan is None:
            start, end = _period(row) or (today, today)
            plan = ActionPlan(
                slug=slug,
                country=row.data.get("country") or _country(row.plan_title),
                title=row.plan_title[:300],
                period_start=start,
                period_end=end,
                reporting_cycle="annual",
                is_public=True,
            )
            db.session.add(plan)
            db.session.flush()
            result.plans_created.append(plan)
        plans[row.plan_title] = plan
    return plans


def _create(
    plan: ActionPlan, row: _Row, values: dict[str, Any], actor: Actor, today: date
) -> Commitment:
    d = row.data
    number = int(d["number"]) if d.get("number") else _next_number(plan)
    commitment = Commitment(
        plan=plan,
        number=number,
        ogp_id=d["ogp_id"],
        title=d["title"],
        lead_agency=_shorten(d.get("lead_institution", ""), 300),
        ogp_values=[v for v in OGP_VALUES if v in values["ogp_values"]],
        **{name: d[name] for name in TEMPLATE_TEXT if d.get(name)},
        milestones=[Milestone(position=i, **m) for i, m in enumerate(values["milestones"], 1)],
    )
    engine.start(commitment, "commitment", actor, comment=f"imported from {_origin(d)}")
    final = d.get("state") or ("completed" if plan.period_end < today else "implementation")
    if final == commitment.state:
        return _add_source(commitment, d, values)
    append_entry(
        commitment,
        event=IMPORT_EVENT,
        from_state=commitment.state,
        to_state=final,
        actor_id=None,
        actor_label=IMPORTER_LABEL,
        comment="brought to its final state by an import of OGP's commitment data",
    )
    commitment.state = final
    commitment.state_changed_at = utcnow()
    return _add_source(commitment, d, values)


def _add_source(commitment: Commitment, d: dict[str, str], values: dict[str, Any]) -> Commitment:
    db.session.add(
        CommitmentSource(
            commitment_id=commitment.id,
            action_plan=d.get("action_plan", ""),
            cycle_year=int(d["cycle_year"]) if d.get("cycle_year") else None,
            lead_institution=d.get("lead_institution", ""),
            support_institutions=""
            if d.get("support_institutions") == "NA"
            else d.get("support_institutions", ""),
            policy_areas=[p.strip() for p in d.get("policy_areas", "").split(";") if p.strip()],
            source_url=d.get("source_url", "")[:500],
        )
    )
    for measure, (scale, value) in values["ratings"].items():
        db.session.add(
            Rating(
                commitment_id=commitment.id,
                measure=measure,
                scale=scale,
                value=value,
                source=d.get("source_url", "")[:500],
            )
        )
    db.session.flush()
    return commitment


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _origin(d: dict[str, str]) -> str:
    return d.get("source_url") or f"OGP commitment {d['ogp_id']}"


def _next_number(plan: ActionPlan) -> int:
    return (
        db.session.scalar(select(func.max(Commitment.number)).where(Commitment.plan_id == plan.id))
        or 0
    ) + 1
