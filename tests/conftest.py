"""Fixtures: an app on a migrated database, each test in a transaction rolled back at the end.

Set DATABASE_URL to a PostgreSQL server to run the suite there: the run creates a database of
its own and drops it afterwards, so no two runs see each other's data.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from workflow import create_app
from workflow.accounts.models import ApiToken, User
from workflow.accounts.operations import create_user, grant_role
from workflow.accounts.roles import (
    CIVIL_SOCIETY,
    CSO_REVIEWER,
    DRAFTER,
    GOVERNMENT,
    IMPLEMENTER,
    MSF_MEMBER,
    POC,
    SIGNATORY,
)
from workflow.config import normalise_database_url
from workflow.database import temporary_database
from workflow.extensions import db as _db
from workflow.plans.models import ActionPlan, Commitment
from workflow.plans.operations import create_commitment
from workflow.plans.schemas import parse_commitment

SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith(("postgres", "postgresql"))


# --- databases ------------------------------------------------------------------------------


def scratch_database(tmp_dir: Path):
    """A new empty database for this run (on DATABASE_URL's server when it is PostgreSQL)."""
    return temporary_database(normalise_database_url(SERVER_URL) if ON_POSTGRES else None, tmp_dir)


def build_app(url: str, instance: Path, **extra: Any) -> Flask:
    """Create an app on `url` and migrate its database to the newest schema."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret",
        "MAIL_SERVER": "",
        "MAIL_FILE_DIR": str(instance / "mail"),
        "BASE_URL": "http://cocreate.test",
        "NOTIFY_BACKGROUND": False,
        # Hashing at production cost would make every account a test creates take ~50 ms.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        **extra,
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("app")
    with scratch_database(tmp) as url:
        application = build_app(url, tmp / "instance")
        yield application
        with application.app_context():
            _db.engine.dispose()


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a database of its own whose commits are real (threads, processes, workers)."""
    with scratch_database(tmp_path) as url:
        application = build_app(url, tmp_path / "instance")
        yield application
        with application.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture(autouse=True)
def db(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Run the test inside a transaction that is rolled back, whatever the code commits."""
    if "fresh_app" in request.fixturenames:
        yield _db
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def browser(app, client) -> Iterator[FlaskClient]:
    """The test client, with what a request keeps in `g` forgotten before each request.

    Requests made in a test share the test's app context, hence its `g`, where Flask-Login keeps
    the signed-in user and Flask-WTF the CSRF token: without this, a test would see the user of
    the previous request instead of the one the session cookie names.
    """

    def forget(_sender, **_extra) -> None:
        for name in ("_login_user", "csrf_token", "csrf_valid", "_flask_babel"):
            g.pop(name, None)

    request_started.connect(forget, app)
    yield client
    request_started.disconnect(forget, app)


# --- factories --------------------------------------------------------------------------------

_counter = itertools.count(1)


@pytest.fixture
def create_user_(db) -> Callable[..., User]:
    def make(email: str | None = None, name: str | None = None, **kwargs: Any) -> User:
        n = next(_counter)
        return create_user(
            email or f"user{n}@example.org",
            name or f"User {n}",
            kwargs.pop("password", None),
            **kwargs,
        )

    return make


@pytest.fixture
def create_plan(db) -> Callable[..., ActionPlan]:
    def make(**kwargs: Any) -> ActionPlan:
        n = next(_counter)
        values = {
            "slug": f"plan-{n}",
            "country": "Mongolia",
            "title": f"Action plan {n}",
            "period_start": date(2024, 1, 1),
            "period_end": date(2027, 12, 31),
            **kwargs,
        }
        plan = ActionPlan(**values)
        _db.session.add(plan)
        _db.session.flush()
        return plan

    return make


class Cast:
    """One user per role on a plan, the way the demo sets it up."""

    def __init__(self, plan: ActionPlan, make_user: Callable[..., User]) -> None:
        self.plan = plan
        self.poc = self._member(make_user, "Point of Contact", POC)
        self.drafter = self._member(make_user, "Drafter", DRAFTER)
        self.cso1 = self._member(make_user, "CSO Reviewer 1", CSO_REVIEWER)
        self.cso2 = self._member(make_user, "CSO Reviewer 2", CSO_REVIEWER)
        self.msf_gov1 = self._member(make_user, "MSF Gov 1", MSF_MEMBER, GOVERNMENT)
        self.msf_gov2 = self._member(make_user, "MSF Gov 2", MSF_MEMBER, GOVERNMENT)
        self.msf_cso1 = self._member(make_user, "MSF CSO 1", MSF_MEMBER, CIVIL_SOCIETY)
        self.msf_cso2 = self._member(make_user, "MSF CSO 2", MSF_MEMBER, CIVIL_SOCIETY)
        self.signatory = self._member(make_user, "Signatory", SIGNATORY)
        self.implementer = self._member(make_user, "Implementer", IMPLEMENTER)
        self.outsider = make_user(name="Outsider")

    def _member(self, make_user, name: str, role: str, sector: str | None = None) -> User:
        user = make_user(name=name)
        grant_role(self.plan, user, role, sector)
        return user

    @property
    def msf(self) -> list[User]:
        return [self.msf_gov1, self.msf_gov2, self.msf_cso1, self.msf_cso2]


CAST_ROLES = (
    "poc",
    "drafter",
    "cso1",
    "cso2",
    "msf_gov1",
    "msf_gov2",
    "msf_cso1",
    "msf_cso2",
    "signatory",
    "implementer",
    "outsider",
)


@pytest.fixture
def cast(create_plan, create_user_) -> Cast:
    return Cast(create_plan(), create_user_)


COMPLETE_COMMITMENT = {
    "title": "Open data on mining licences",
    "problem": "Licence data is scattered and hard to find.",
    "description": "Publish every mining licence as open data.",
    "how_it_solves": "One register lets citizens follow each licence.",
    "ogp_values": ["access_to_information", "public_accountability"],
    "lead_agency": "Ministry of Mining and Heavy Industry",
    "expected_results": "A public register, updated monthly.",
    "milestones": [
        {
            "description": "Design the register",
            "start_date": "2024-01-01",
            "end_date": "2024-06-30",
        },
        {"description": "Publish the data", "start_date": "2024-07-01", "end_date": "2025-06-30"},
    ],
}


@pytest.fixture
def create_commitment_(db):
    def make(plan: ActionPlan, user: User, **overrides: Any):
        values = parse_commitment({**COMPLETE_COMMITMENT, **overrides}, creating=True)
        return create_commitment(plan, user, values)

    return make


@pytest.fixture
def token_for(db) -> Callable[[User], str]:
    def make(user: User) -> str:
        _, token = ApiToken.issue(user)
        _db.session.flush()
        return token

    return make


@dataclass
class World:
    """What build_world committed, by id: use it from any thread, process or app context."""

    plan_id: int
    commitment_ids: list[int]
    user_ids: dict[str, int]
    emails: dict[str, str]

    @property
    def commitment_id(self) -> int:
        return self.commitment_ids[0]

    def user(self, role: str) -> User:
        return _db.session.get(User, self.user_ids[role])

    def commitment(self, index: int = 0) -> Commitment:
        return _db.session.get(Commitment, self.commitment_ids[index])


def build_world(app: Flask, drafts: int = 1) -> World:
    """Commit a plan, one user per role and `drafts` complete drafts by the drafter."""
    with app.app_context():
        plan = ActionPlan(
            slug="world",
            country="Mongolia",
            title="Fifth National Action Plan",
            period_start=date(2024, 1, 1),
            period_end=date(2027, 12, 31),
        )
        _db.session.add(plan)
        _db.session.flush()
        cast = Cast(
            plan,
            lambda name: create_user(f"{name.lower().replace(' ', '-')}@example.org", name, None),
        )
        values = parse_commitment(COMPLETE_COMMITMENT, creating=True)
        ids = [create_commitment(plan, cast.drafter, values).id for _ in range(drafts)]
        _db.session.commit()
        users = {role: getattr(cast, role) for role in CAST_ROLES}
        return World(
            plan_id=plan.id,
            commitment_ids=ids,
            user_ids={role: u.id for role, u in users.items()},
            emails={role: u.email for role, u in users.items()},
        )
