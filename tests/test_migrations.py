"""Migrations are the only way the schema changes: they must build exactly what the models say."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from workflow.extensions import db


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_the_migrated_schema_matches_the_models(fresh_app):
    with fresh_app.app_context():
        assert schema_differences() == []


def test_downgrade_and_upgrade_again(fresh_app):
    with fresh_app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "transition_log" in inspect(db.engine).get_table_names()
        assert schema_differences() == []
