"""A workflow the application has never heard of runs on the same machinery, unchanged.

The model, its definition, its guard and its notification live here, in the test: the engine,
the lifecycle, the outbox, the dispatcher, the history and the audit take it as they take
commitments, which shows that adding a process of the same shape (a human-rights
recommendation, a local report) is a definition, a model and its guards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tests.conftest import build_world
from workflow.accounts.models import User
from workflow.accounts.permissions import actor_for
from workflow.definitions.registry import engine
from workflow.engine import GuardFailed
from workflow.engine.audit import verify_chains
from workflow.engine.record import WorkflowRecord
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.dispatcher import send_pending
from workflow.plans.models import ActionPlan
from workflow.plans.queries import record_history

from .conftest import point_at

RECOMMENDATION = {
    "key": "recommendation",
    "version": 1,
    "initial": "received",
    "states": {
        "received": {"duration_days": 30},
        "in_progress": {},
        "implemented": {"terminal": True},
    },
    "events": {
        "start": {"source": "received", "target": "in_progress", "roles": ["drafter"]},
        "close": {
            "source": "in_progress",
            "target": "implemented",
            "roles": ["poc"],
            "guards": ["evidence_given"],
            "notify": ["msf_member"],
            "notify_author": True,
        },
    },
}


class OwnBase(DeclarativeBase):
    """Its own metadata: the application's schema (and its migrations) never see this table."""

    metadata = MetaData()


class Recommendation(WorkflowRecord, OwnBase):
    """A UN human-rights recommendation whose implementation a plan's people follow."""

    __tablename__ = "test_recommendations"
    record_type = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey(ActionPlan.__table__.c.id))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(User.__table__.c.id))
    text: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[str] = mapped_column(String(500), default="")

    plan: Mapped[ActionPlan] = relationship(ActionPlan)
    created_by: Mapped[User | None] = relationship(User)

    def display_title(self) -> str:
        return f"Recommendation {self.id}: {self.text}"

    def page_path(self) -> str:
        return f"/recommendations/{self.id}"

    def short_name(self) -> str:
        return f"Recommendation {self.id}"


def evidence_given(record: Recommendation) -> list[str]:
    return [] if record.evidence.strip() else ["no evidence of implementation is recorded"]


@pytest.fixture
def recommendations(fresh_app) -> Iterator[None]:
    """Install the workflow, its guard and its table as an application would at start."""
    engine.guards["evidence_given"] = evidence_given
    engine.register(RECOMMENDATION)
    engine.track(Recommendation)
    with fresh_app.app_context():
        OwnBase.metadata.create_all(db.engine)
    try:
        yield
    finally:
        # Leave the shared engine as the application has it: other tests list what it holds.
        engine.record_models.remove(Recommendation)
        engine._compiled.pop(("recommendation", 1))
        engine._latest.pop("recommendation")
        engine.guards.pop("evidence_given")


def test_a_workflow_defined_only_here_fires_notifies_and_audits(fresh_app, smtp, recommendations):
    world = build_world(fresh_app)
    point_at(fresh_app, smtp)
    with fresh_app.app_context():
        drafter, poc = world.user("drafter"), world.user("poc")
        rec = Recommendation(
            plan_id=world.plan_id, created_by_id=drafter.id, text="Ratify the convention"
        )
        plan = db.session.get(ActionPlan, world.plan_id)
        engine.start(rec, "recommendation", actor_for(drafter, plan))
        fire(rec, "start", drafter)
        db.session.commit()
        with pytest.raises(GuardFailed) as refused:
            fire(rec, "close", poc)
        assert refused.value.reasons == ["no evidence of implementation is recorded"]
        db.session.rollback()

        rec = db.session.get(Recommendation, rec.id)
        rec.evidence = "Law 2025/14 adopted"  # an edit of its own: a new version
        db.session.commit()
        fire(rec, "close", poc, version=rec.version, comment="Adopted by parliament.")
        db.session.commit()

        assert rec.state == "implemented"
        history = record_history(rec)
        assert [e.event for e in history] == ["create", "start", "close"]
        entries, broken = verify_chains(engine.record_models)
        assert broken == [] and entries >= 3

        sent = send_pending()
    recipients = smtp.recipients()
    forum = sorted(world.emails[n] for n in ("msf_gov1", "msf_gov2", "msf_cso1", "msf_cso2"))
    assert recipients == sorted([*forum, world.emails["drafter"]])
    assert sent.sent == len(recipients)
    mail = smtp.received[0]
    assert "Recommendation" in mail.text and "/recommendations/" in mail.text
    assert "Adopted by parliament." in mail.text
