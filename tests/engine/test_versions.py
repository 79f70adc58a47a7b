"""A definition that changes gets a new version, so no record is stranded on altered rules."""

import pytest
from sqlalchemy import text

from workflow.definitions.registry import engine

# The fingerprints of the definitions as released. Records in the field run on these; if a
# test here fails, you changed a released definition: restore it and register the change as
# a new version instead (records keep the version they started on).
RELEASED = {
    ("commitment", 1): "6352e9d47445a58c22303e652f2735938d6820405fa9097eec4cd0103dfe3a3a",
    ("progress_report", 1): "e955d783573cc2731ccc073e9d1e1db58b9443f220e541bca1d5194e3fe5c833",
}


@pytest.mark.parametrize(("key", "version"), sorted(RELEASED))
def test_released_definitions_are_unchanged(key, version):
    assert engine.definition(key, version).fingerprint == RELEASED[(key, version)], (
        f"the released '{key}' workflow version {version} was edited in place; "
        "register the change as a new version"
    )


def test_every_installed_definition_is_pinned():
    assert engine.versions() == sorted(RELEASED), "pin each new version's fingerprint in RELEASED"


def test_verify_names_records_on_a_workflow_that_is_not_installed(
    app, db, cast, create_commitment_
):
    c = create_commitment_(cast.plan, cast.drafter)
    db.session.execute(
        text("UPDATE commitments SET workflow_version = 7 WHERE id = :id"), {"id": c.id}
    )
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert (
        "1 commitment record(s) run on workflow 'commitment' version 7, which is not installed"
        in result.output
    )
