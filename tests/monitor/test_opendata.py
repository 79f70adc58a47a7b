"""Open data in and out: OGP's CSV imports (all or nothing), exports round-trip, no formulas."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from workflow.definitions.registry import engine
from workflow.engine.audit import LogEntry, verify_chains
from workflow.extensions import db
from workflow.monitor.export import neutralise, to_csv, to_json
from workflow.monitor.importer import OGP_COLUMNS, import_commitments
from workflow.monitor.models import CommitmentSource, Rating
from workflow.plans.models import ActionPlan, Commitment

from .conftest import MONGOLIA_CSV

HEADER = ",".join(OGP_COLUMNS)


def row(
    ogp_id: str,
    title: str = "A commitment",
    plan: str = "Testland Action Plan 2018-2020",
    **extra: str,
) -> str:
    values = {c: "" for c in OGP_COLUMNS}
    values.update({"ogp_id": ogp_id, "title": title, "action_plan": plan, "cycle_year": "2018"})
    values.update(extra)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values[c] for c in OGP_COLUMNS])
    return out.getvalue()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_mongolia_file_imports_cleanly_with_chains_intact(db):
    result = import_commitments(MONGOLIA_CSV.read_text(encoding="utf-8"))
    assert result.rejected == []
    assert len(result.created) == 44
    assert sorted(p.title for p in result.plans_created)[0] == "Mongolia Action Plan 2016-2018"
    assert len(result.plans_created) == 5
    checked, broken = verify_chains(engine.record_models)
    assert broken == [] and checked >= 88
    mn0020 = db.session.scalar(select(Commitment).where(Commitment.ogp_id == "MN0020"))
    assert mn0020.state == "completed"
    entries = db.session.scalars(
        select(LogEntry)
        .where(LogEntry.record_id == mn0020.id, LogEntry.record_type == "commitment")
        .order_by(LogEntry.seq)
    ).all()
    assert [(e.event, e.to_state) for e in entries] == [
        ("create", "draft"),
        ("import", "completed"),
    ]
    ratings = {
        r.measure: (r.scale, r.value)
        for r in db.session.scalars(select(Rating).where(Rating.commitment_id == mn0020.id))
    }
    assert ratings == {
        "verifiability": ("verifiability", "verifiable"),
        "relevance": ("relevance", "relevant"),
        "potential": ("ambition_low_high", "high"),
        "early_results": ("early_results", "did_not_change"),
    }
    # The row without an action_plan joins the plan its cycle year's rows name.
    mn0026 = db.session.scalar(select(Commitment).where(Commitment.ogp_id == "MN0026"))
    assert mn0026.plan.title == "Mongolia Action Plan 2016-2018"
    # A still-running plan's commitments are in implementation, not completed.
    mn0057 = db.session.scalar(select(Commitment).where(Commitment.ogp_id == "MN0057"))
    assert mn0057.state == "implementation"
    # OGP values named in the `relevant` column become the commitment's values.
    mn0009 = db.session.scalar(select(Commitment).where(Commitment.ogp_id == "MN0009"))
    assert mn0009.ogp_values == ["civic_participation", "technology_and_innovation"]
    # Longer than the template's field: kept whole with the source.
    source = db.session.get(
        CommitmentSource,
        db.session.scalar(select(Commitment.id).where(Commitment.ogp_id == "MN0045")),
    )
    assert len(source.lead_institution) > 300


def test_a_second_import_changes_nothing(db):
    text = MONGOLIA_CSV.read_text(encoding="utf-8")
    import_commitments(text)
    before = (count(Commitment), count(ActionPlan), count(LogEntry), count(Rating))
    again = import_commitments(text)
    assert again.created == [] and len(again.already_there) == 44
    assert (count(Commitment), count(ActionPlan), count(LogEntry), count(Rating)) == before


def test_any_invalid_row_leaves_everything_out_and_each_is_reported(db):
    text = (
        HEADER
        + "\n"
        + row("TL0001")
        + row("not an id")
        + row("TL0003", verifiable="Perhaps")
        + row("TL0004", title="")
        + row("TL0001", title="Twice")
    )
    result = import_commitments(text)
    assert [(r.line, r.ogp_id) for r in result.rejected] == [
        (3, "not an id"),
        (4, "TL0003"),
        (5, "TL0004"),
        (6, "TL0001"),
    ]
    assert "'Perhaps' is not a level of verifiability" in result.rejected[1].reason
    assert "title is empty" in result.rejected[2].reason
    assert "appears twice" in result.rejected[3].reason
    assert result.created == []
    assert count(Commitment) == 0 and count(ActionPlan) == 0


def test_skip_invalid_imports_the_rest(db):
    text = HEADER + "\n" + row("TL0001") + row("TL0002", cycle_year="soon")
    result = import_commitments(text, skip_invalid=True)
    assert [c.ogp_id for c in result.created] == ["TL0001"]
    assert [r.line for r in result.rejected] == [3]


def test_a_file_without_the_columns_is_refused(db):
    result = import_commitments("id,name\n1,x\n")
    assert result.rejected[0].line == 1
    assert "ogp_id" in result.rejected[0].reason


def test_formula_cells_are_neutralised_and_read_back(db):
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("@SUM") == "'@SUM" and neutralise("-1") == "'-1" and neutralise("+1") == "'+1"
    assert neutralise("Plain") == "Plain"
    import_commitments(HEADER + "\n" + row("TL0001", title="=cmd|' /C calc'!A0"))
    plan = db.session.scalar(select(ActionPlan))
    exported = list(csv.DictReader(io.StringIO(to_csv(plan))))
    assert exported[0]["title"] == "'=cmd|' /C calc'!A0"
    for line in exported:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in line.values())


def test_json_export_has_ratings_stages_and_milestones(db):
    import_commitments(MONGOLIA_CSV.read_text(encoding="utf-8"))
    plan = db.session.scalar(
        select(ActionPlan).where(ActionPlan.slug == "mongolia-action-plan-2016-2018")
    )
    document = json.loads(to_json(plan))
    assert document["plan"]["slug"] == plan.slug
    first = next(c for c in document["commitments"] if c["ogp_id"] == "MN0022")
    assert {
        "measure": "verifiability",
        "scale": "verifiability",
        "value": "not_verifiable",
        "source": first["source_url"],
    } in first["ratings"]
    assert [s["state"] for s in first["stages"]] == ["draft", "completed"]
    assert first["milestones"] == []


@pytest.fixture
def exported(fresh_app):
    """The demo (NAP V and the earlier plans) exported, plan by plan, as CSV files."""
    from workflow.demo.loader import load_demo

    with fresh_app.app_context():
        load_demo()
        db.session.commit()
        plans = db.session.scalars(select(ActionPlan).order_by(ActionPlan.id)).all()
        files = [to_csv(p) for p in plans]
        snapshot = _snapshot()
    return files, snapshot


def _snapshot():
    plans = {
        p.slug: (p.title, p.country, p.period_start, p.period_end)
        for p in db.session.scalars(select(ActionPlan))
    }
    commitments = {
        c.ogp_id: (
            c.plan.slug,
            c.number,
            c.title,
            c.lead_agency,
            c.state,
            c.problem,
            c.description,
            list(c.ogp_values),
            [m.as_dict() | {"id": None} for m in c.milestones],
        )
        for c in db.session.scalars(select(Commitment))
    }
    ratings = sorted(
        (c_ogp, r.measure, r.scale, r.value)
        for c_ogp, r in db.session.execute(
            select(Commitment.ogp_id, Rating).join(Rating, Rating.commitment_id == Commitment.id)
        )
    )
    return plans, commitments, ratings


def test_export_then_import_into_an_empty_database_gives_the_same_plans(exported, tmp_path):
    from tests.conftest import build_app, scratch_database

    files, snapshot = exported
    with scratch_database(tmp_path) as url:
        empty = build_app(url, tmp_path / "instance2")
        with empty.app_context():
            for text in files:
                result = import_commitments(text)
                assert result.rejected == []
            db.session.commit()
            assert _snapshot() == snapshot
            assert verify_chains(engine.record_models)[1] == []
            db.session.remove()
            db.engine.dispose()
