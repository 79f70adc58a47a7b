"""The transition log: hash-chained per record, append-only in the database itself."""

import itertools

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError

from workflow.engine.audit import GENESIS_HASH, LogEntry, verify_chains
from workflow.extensions import db
from workflow.lifecycle import fire


@pytest.fixture
def history(cast, create_commitment_):
    first = create_commitment_(cast.plan, cast.drafter)
    second = create_commitment_(cast.plan, cast.drafter)
    fire(first, "submit", cast.drafter)
    fire(first, "request_changes", cast.cso1, comment="Say who owns the register.")
    fire(first, "submit", cast.drafter)
    fire(second, "withdraw", cast.poc, comment="Merged into commitment 1.")
    return first, second


def entries(record):
    return db.session.scalars(
        select(LogEntry)
        .where(LogEntry.record_type == record.record_type, LogEntry.record_id == record.id)
        .order_by(LogEntry.seq)
    ).all()


def test_each_entry_links_to_the_one_before(history):
    first, _ = history
    chain = entries(first)
    assert [e.seq for e in chain] == [1, 2, 3, 4]
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    assert all(e.hash == e.compute_hash() for e in chain)
    assert chain[2].comment == "Say who owns the register."


def test_the_entry_a_firing_returns_is_the_stored_row(cast, create_commitment_):
    commitment = create_commitment_(cast.plan, cast.drafter)
    entry = fire(commitment, "submit", cast.drafter).entry
    assert entry in db.session and not db.session.is_modified(entry)
    db.session.commit()  # writes nothing more: the database would refuse an UPDATE of the log
    db.session.expire(entry)
    assert (entry.seq, entry.to_state) == (2, "cso_review")
    assert entry.hash == entry.compute_hash()


def test_verify_passes_on_an_intact_log(history, app):
    count, broken = verify_chains()
    assert broken == []
    assert count >= 6
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "every chain intact" in result.output


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_the_database_refuses_to_change_the_log(history, operation):
    first, _ = history
    target = entries(first)[1]
    statement = (
        text("UPDATE transition_log SET comment = 'rewritten' WHERE id = :id")
        if operation == "update"
        else text("DELETE FROM transition_log WHERE id = :id")
    )
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(statement, {"id": target.id})
    db.session.expire_all()
    assert len(entries(first)) == 4


def _disable_append_only_guard():
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE transition_log DISABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER transition_log_no_update"))
        db.session.execute(text("DROP TRIGGER transition_log_no_delete"))


def test_verify_names_the_first_altered_entry(history, app):
    first, second = history
    target = entries(first)[1]
    _disable_append_only_guard()
    db.session.execute(update(LogEntry).where(LogEntry.id == target.id).values(comment="forged"))
    db.session.expire_all()

    _, broken = verify_chains()
    assert [(b.record_id, b.entry_id, b.seq) for b in broken] == [(first.id, target.id, 2)]
    assert "altered" in broken[0].problem

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"entry {target.id} (seq 2)" in result.output
    assert f"commitment {second.id}" not in result.output


def test_verify_notices_a_removed_entry(history):
    first, _ = history
    target = entries(first)[1]
    _disable_append_only_guard()
    db.session.execute(text("DELETE FROM outbox WHERE log_entry_id = :id"), {"id": target.id})
    db.session.execute(
        text("DELETE FROM notifications WHERE log_entry_id = :id"), {"id": target.id}
    )
    db.session.execute(text("DELETE FROM transition_log WHERE id = :id"), {"id": target.id})
    db.session.expire_all()
    _, broken = verify_chains()
    assert len(broken) == 1
    assert broken[0].seq == 3
    assert "missing" in broken[0].problem


def test_verify_notices_a_state_changed_outside_the_workflow(history, app):
    first, _ = history
    db.session.execute(
        text("UPDATE commitments SET state = 'implementation' WHERE id = :id"), {"id": first.id}
    )
    db.session.expire_all()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"commitment {first.id}" in result.output
    assert "ends in 'cso_review', but the record's state is 'implementation'" in result.output
