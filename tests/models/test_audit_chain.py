"""The audit log: every change is recorded, and tampering of any kind is caught."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from models import AuditEntry, Person, Review
from models.audit import AuditReader, verify_chain
from tests.conftest import World


def _entries(db_session: Any) -> list[AuditEntry]:
    return list(db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_changes_to_review_data_are_recorded_with_before_and_after(
    db_session: Any, world: World
) -> None:
    person = db_session.scalar(select(Person).where(Person.ref == "P1"))
    person.pseudonym = "Child T (renamed)"
    db_session.commit()
    last = _entries(db_session)[-1]
    assert (last.action, last.entity_type, last.review_id) == ("update", "people", world.review_id)
    assert last.before == {"pseudonym": "Child T"}
    assert last.after == {"pseudonym": "Child T (renamed)"}
    assert last.actor == "test"
    db_session.delete(person)
    db_session.commit()
    gone = _entries(db_session)[-1]
    assert gone.action == "delete" and "Tamsin" not in gone.before_json
    before, _after = AuditReader(db_session, decrypt=True).values(gone)
    assert before["real_name"] == "Tamsin Testcase" and before["aliases"] == ["Tam"]


def test_secrets_never_reach_the_log(db_session: Any, world: World) -> None:
    from models import User

    user = db_session.get(User, world.users["observer"])
    user.password_hash = "$argon2id$new-hash"
    db_session.commit()
    last = _entries(db_session)[-1]
    assert last.after == {"password_hash": "[redacted]"}


def test_an_intact_chain_verifies(db_session: Any) -> None:
    count, broken = verify_chain(db_session)
    assert broken is None and count == len(_entries(db_session)) > 10


def _make_some_entries(db_session: Any) -> list[AuditEntry]:
    review = db_session.scalar(select(Review).where(Review.title == "Test review"))
    for stage in ("analysis", "findings", "report"):
        review.stage = stage
        db_session.commit()
    return _entries(db_session)


def test_a_changed_entry_is_caught(db_session: Any) -> None:
    entries = _make_some_entries(db_session)
    target = entries[-2]
    db_session.execute(
        update(AuditEntry).where(AuditEntry.id == target.id).values(after_json='{"stage":"closed"}')
    )
    _count, broken = verify_chain(db_session)
    assert broken is not None and broken.seq == target.seq
    assert "changed" in broken.reason


def test_a_deleted_entry_is_caught(db_session: Any) -> None:
    entries = _make_some_entries(db_session)
    target = entries[-2]
    db_session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": target.id})
    _count, broken = verify_chain(db_session)
    assert broken is not None and broken.seq == target.seq + 1


def test_reordered_entries_are_caught(db_session: Any) -> None:
    entries = _make_some_entries(db_session)
    a, b = entries[-3], entries[-2]
    # Swap two entries' contents (keeping each row's id), as a forger reordering history would.
    for row, other in ((a, b), (b, a)):
        db_session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == row.id)
            .values(after_json=other.after_json, before_json=other.before_json, hash=other.hash)
        )
    _count, broken = verify_chain(db_session)
    assert broken is not None and broken.seq == a.seq


@pytest.mark.parametrize("tamper", ["change", "delete"])
def test_verify_audit_command_exits_non_zero_naming_the_entry(
    runner: Any, db_session: Any, tamper: str
) -> None:
    entries = _make_some_entries(db_session)
    target = entries[-2]
    if tamper == "change":
        db_session.execute(
            update(AuditEntry).where(AuditEntry.id == target.id).values(actor="someone else")
        )
    else:
        db_session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": target.id})
    db_session.commit()
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    expected_seq = target.seq if tamper == "change" else target.seq + 1
    assert f"BROKEN at entry {expected_seq}" in result.output


def test_verify_audit_command_passes_on_an_intact_log(runner: Any) -> None:
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert "chain verified" in result.output


def test_every_new_session_factory_records_changes(connection: Any, world: World) -> None:
    """Factories come and go (one per app, one per test); each must audit its sessions.

    Regression: guarding the listener with ``event.contains`` skipped it whenever a new factory
    reused a collected one's memory address, so some changes went unrecorded.
    """
    from models.engine import make_session_factory

    for n in range(150):
        session = make_session_factory(connection, join_transaction_mode="create_savepoint")()
        before = session.scalar(select(func.max(AuditEntry.seq)))
        person = session.scalar(select(Person).where(Person.ref == "P1"))
        person.pseudonym = f"Child T {n}"
        session.commit()
        assert session.scalar(select(func.max(AuditEntry.seq))) == before + 1, f"factory {n}"
        session.close()
