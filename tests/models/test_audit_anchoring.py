"""The audit chain is keyed from the environment and anchored by its head; restricted values
are encrypted with their review's key, which can be destroyed while the chain still verifies."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import select, text, update

from app.cli import alembic_config
from app.config import audit_keys_for
from app.services import reviews as review_service
from models import AuditEntry, AuditKey, Partnership, Person, Review
from models.audit import (
    ERASED,
    KEYED_FORMAT,
    PLAIN_FORMAT,
    Actor,
    AuditReader,
    check_chain,
    current_audit_keys,
    destroy_review_key,
    entry_hash,
    record,
)
from models.engine import make_engine, make_session_factory
from tests.conftest import World, fresh_database_url


def _entries(session: Any) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _rehash_from(session: Any, first_seq: int, hasher: Any, fmt: int | None = None) -> None:
    """Recompute every hash from ``first_seq`` on, as someone rewriting history would."""
    entries = _entries(session)
    prev = entries[first_seq - 2].hash if first_seq > 1 else "0" * 64
    for entry in entries[first_seq - 1 :]:
        fields = {c.key: getattr(entry, c.key) for c in AuditEntry.__table__.columns}
        fields["prev_hash"] = prev
        fields["format"] = fmt or fields["format"]
        new_hash = hasher(fields)
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(prev_hash=prev, hash=new_hash, format=fields["format"])
        )
        prev = new_hash
    session.expire_all()


def _add_stage_changes(session: Any, world: World) -> None:
    review = session.get(Review, world.review_id)
    for stage in ("analysis", "findings", "report"):
        review.stage = stage
        session.commit()


def test_verify_audit_prints_the_head_and_accepts_it_later(
    runner: Any, db_session: Any, world: World
) -> None:
    first = runner.invoke(args=["verify-audit"])
    assert first.exit_code == 0, first.output
    head = _entries(db_session)[-1]
    assert f"Head: entry {head.seq} {head.hash}" in first.output
    _add_stage_changes(db_session, world)  # the chain grows legitimately afterwards
    later = runner.invoke(args=["verify-audit", "--expect-head", head.hash])
    assert later.exit_code == 0, later.output
    assert f"The expected head is entry {head.seq}; 3 since." in later.output


def test_entries_cut_off_the_end_fail_against_the_expected_head(
    runner: Any, db_session: Any, world: World
) -> None:
    _add_stage_changes(db_session, world)
    head = _entries(db_session)[-1]
    head_seq, head_hash = head.seq, head.hash
    db_session.execute(text("DELETE FROM audit_entries WHERE seq >= :seq"), {"seq": head_seq - 1})
    db_session.commit()
    assert runner.invoke(args=["verify-audit"]).exit_code == 0  # the cut alone looks intact
    result = runner.invoke(args=["verify-audit", "--expect-head", head_hash])
    assert result.exit_code == 1
    assert "expected head is not in the chain" in result.output


def test_rehashing_without_the_key_is_caught(db_session: Any, world: World) -> None:
    _add_stage_changes(db_session, world)
    target = _entries(db_session)[-2]
    db_session.execute(
        update(AuditEntry).where(AuditEntry.id == target.id).values(actor="someone else")
    )
    # A forger without LR_AUDIT_KEY re-hashes with plain SHA-256 from the changed entry on.
    _rehash_from(db_session, target.seq, entry_hash, fmt=PLAIN_FORMAT)
    report = check_chain(db_session)
    assert report.broken is not None and report.broken.seq == target.seq
    # ... or with a key of their own.
    wrong = audit_keys_for({"SECRET_KEY": "a different secret key of enough length 0123"})
    _rehash_from(
        db_session, target.seq, lambda fields: entry_hash(fields, wrong.chain), fmt=KEYED_FORMAT
    )
    report = check_chain(db_session)
    assert report.broken is not None and report.broken.seq == target.seq
    assert report.broken.reason == "its content was changed"


def test_rehashing_with_the_key_is_caught_by_the_expected_head(
    runner: Any, db_session: Any, world: World
) -> None:
    _add_stage_changes(db_session, world)
    entries = _entries(db_session)
    head_hash, target = entries[-1].hash, entries[-3]
    db_session.execute(
        update(AuditEntry).where(AuditEntry.id == target.id).values(actor="someone else")
    )
    _rehash_from(db_session, target.seq, entry_hash)
    db_session.commit()
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
    result = runner.invoke(args=["verify-audit", "--expect-head", head_hash])
    assert result.exit_code == 1 and "re-hashed" in result.output


def test_the_audit_key_comes_from_lr_audit_key_or_secret_key() -> None:
    secret = {"SECRET_KEY": "one secret key that is long enough 0123456789"}
    derived = audit_keys_for(secret)
    own = audit_keys_for({**secret, "AUDIT_KEY": "an audit key of its own 0123456789abcdef"})
    assert derived == audit_keys_for(dict(secret))  # the same secret gives the same keys
    assert derived.chain != own.chain and derived.wrap != own.wrap
    assert derived.chain != derived.wrap


def test_entries_from_before_the_keyed_chain_still_verify(tmp_path: Path) -> None:
    """Upgrade a database whose log was written by the previous version (plain SHA-256)."""
    url = fresh_database_url("audit_upgrade", tmp_path)
    config = alembic_config(url)
    command.upgrade(config, "7c1e4a2b9d30")
    engine = make_engine(url)
    prev = "0" * 64
    with engine.begin() as connection:
        for seq in (1, 2):
            at = f"2026-11-30T10:0{seq}:00.000000"
            fields = {
                "seq": seq,
                "actor_id": None,
                "actor": "system",
                "action": "create",
                "entity_type": "people",
                "entity_id": str(seq),
                "review_id": None,
                "before_json": "null",
                "after_json": json.dumps({"real_name": f"Old Name {seq}"}),
                "prev_hash": prev,
            }
            content = json.dumps(
                {**fields, "at": at}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            digest = hashlib.sha256(content.encode()).hexdigest()
            connection.execute(
                text(
                    "INSERT INTO audit_entries (seq, at, actor_id, actor, action, entity_type, "
                    "entity_id, review_id, before_json, after_json, prev_hash, hash) VALUES "
                    "(:seq, :at, NULL, :actor, :action, :entity_type, :entity_id, NULL, "
                    ":before_json, :after_json, :prev_hash, :hash)"
                ),
                {**fields, "at": at, "hash": digest},
            )
            prev = digest
    command.upgrade(config, "head")
    session = make_session_factory(engine)()
    session.info["actor"] = Actor(None, "test")
    record(session, "sign_in", entity_type="users", entity_id="1")
    session.commit()
    report = check_chain(session)
    formats = [e.format for e in _entries(session)]
    session.close()
    engine.dispose()
    assert report.broken is None and report.count == 3
    assert formats == [PLAIN_FORMAT, PLAIN_FORMAT, KEYED_FORMAT] and report.plain_count == 2


def test_a_plain_entry_after_a_keyed_one_is_caught(db_session: Any, world: World) -> None:
    _add_stage_changes(db_session, world)
    last = _entries(db_session)[-1]
    _rehash_from(db_session, last.seq, entry_hash, fmt=PLAIN_FORMAT)
    report = check_chain(db_session)
    assert report.broken is not None and report.broken.seq == last.seq
    assert "not keyed" in report.broken.reason


def test_adding_a_person_leaves_no_real_name_in_the_audit_table(
    client: Any, login: Any, db_session: Any, world: World, runner: Any
) -> None:
    from tests.conftest import csrf_token

    login("chair")
    path = f"/reviews/{world.review_id}/people/new"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "pseudonym": "Sibling S",
            "role": "sibling",
            "real_name": "Saffron Zeldaquist",
            "aliases": "Saffy Z\nSaffron Z-Q",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    rows = db_session.execute(select(AuditEntry.before_json, AuditEntry.after_json)).all()
    stored = " ".join(before + after for before, after in rows)
    assert "Sibling S" in stored  # the entry is there, with its pseudonym in clear
    assert "Zeldaquist" not in stored and "Saffy" not in stored
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    entry = _entries(db_session)[-1]
    _before, after = AuditReader(db_session, decrypt=True).values(entry)
    assert after["real_name"] == "Saffron Zeldaquist"
    assert after["aliases"] == ["Saffy Z", "Saffron Z-Q"]
    assert AuditReader(db_session, decrypt=False).values(entry)[1]["real_name"] == "[restricted]"


def test_destroying_a_review_key_erases_its_values_and_the_chain_verifies(
    db_session: Any, world: World
) -> None:
    review = db_session.get(Review, world.review_id)
    person = review_service.create_person(
        session=db_session,
        review=review,
        pseudonym="Uncle",
        role="relative",
        real_name="Quentin Oddfellow",
    )
    person.real_name = "Quentin Oddfellowe"
    db_session.commit()
    key_row = db_session.scalar(select(AuditKey).where(AuditKey.review_id == review.id))
    assert key_row is not None and key_row.wrapped_key
    assert current_audit_keys().wrap not in bytes(key_row.wrapped_key)
    changed = _entries(db_session)[-1]
    assert destroy_review_key(db_session, review.id)
    db_session.commit()
    before, after = AuditReader(db_session, decrypt=True).values(changed)
    assert (before["real_name"], after["real_name"]) == (ERASED, ERASED)
    assert check_chain(db_session).broken is None
    # A value written after the purge gets a new key; the old values stay erased.
    db_session.get(Person, person.id).real_name = "Quentin Later"
    db_session.commit()
    reader = AuditReader(db_session, decrypt=True)
    assert reader.values(_entries(db_session)[-1])[1]["real_name"] == "Quentin Later"
    assert reader.values(changed)[1]["real_name"] == ERASED
    assert check_chain(db_session).broken is None


def test_an_app_with_another_key_leaves_other_apps_keys_alone(
    runner: Any, db_session: Any, world: World
) -> None:
    """Keys belong to each app's sessions: building an app with another SECRET_KEY in the
    same process (a second site, a test of production settings) changes nothing here."""
    from app import create_app

    other = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://", "SECRET_KEY": "z" * 48})
    assert other.extensions["lr_audit_keys"] != current_audit_keys()
    _add_stage_changes(db_session, world)
    assert check_chain(db_session).broken is None
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    other.extensions["lr_engine"].dispose()


def test_people_added_at_once_to_one_review_share_one_key(tmp_path: Path) -> None:
    """Writers racing to add the first people of a review create its key once, and every
    real name they wrote reads back with it."""
    url = fresh_database_url("audit_key_race", tmp_path)
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url, pool_size=4)
    factory = make_session_factory(engine)
    with factory() as session:
        session.info["actor"] = Actor(None, "test")
        partnership = Partnership(name="Race partnership")
        session.add(partnership)
        session.flush()
        review = Review(
            partnership_id=partnership.id, title="Race", subject="Child R", review_type="x"
        )
        session.add(review)
        session.commit()
        review_id = review.id
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            for n in range(5):
                with factory() as session:
                    session.info["actor"] = Actor(None, f"worker {number}")
                    session.add(
                        Person(
                            review_id=review_id,
                            ref=f"P{number}-{n}",
                            pseudonym=f"Person {number}-{n}",
                            role="relative",
                            real_name=f"Racing Name {number}-{n}",
                        )
                    )
                    session.commit()
        except BaseException as error:  # reported by the main thread below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as session:
        keys = session.scalars(select(AuditKey).where(AuditKey.review_id == review_id)).all()
        assert len(keys) == 1
        reader = AuditReader(session, decrypt=True)
        people = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "people")).all()
        names = sorted(reader.values(e)[1]["real_name"] for e in people)
        assert names == sorted(f"Racing Name {i}-{n}" for i in range(4) for n in range(5))
        assert check_chain(session).broken is None
    engine.dispose()


def test_deleting_a_whole_review_erases_its_key_and_leaves_no_name_behind(
    db_session: Any, world: World
) -> None:
    review = db_session.get(Review, world.review_id)
    db_session.delete(review)
    db_session.commit()
    assert db_session.scalar(select(AuditKey).where(AuditKey.review_id == world.review_id)) is None
    gone = db_session.scalar(
        select(AuditEntry).where(AuditEntry.entity_type == "people", AuditEntry.action == "delete")
    )
    assert gone.before["pseudonym"] == "Child T" and "Tamsin" not in gone.before_json
    assert check_chain(db_session).broken is None


def test_the_whole_head_line_is_accepted_and_a_short_hash_is_not_called_tampering(
    runner: Any, db_session: Any
) -> None:
    first = runner.invoke(args=["verify-audit"])
    line = next(x for x in first.output.splitlines() if x.startswith("Head: "))
    pasted = runner.invoke(args=["verify-audit", "--expect-head", line])
    assert pasted.exit_code == 0, pasted.output
    assert "The expected head is entry" in pasted.output
    head = _entries(db_session)[-1]
    for wrong in (head.hash[:4] + "…" + head.hash[-2:], head.hash[:-1], "not-a-hash"):
        result = runner.invoke(args=["verify-audit", "--expect-head", wrong])
        assert result.exit_code == 2, result.output
        assert "that is not a full head hash" in result.output
        assert "BROKEN" not in result.output
