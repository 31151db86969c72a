"""Audit log cost: appending hash-chained entries and verifying the chain, as ratios to plain
inserts and a plain read of the same rows (SQLite file, in the same run).

Targets: appending costs at most 3x a plain insert; verifying (a JSON encoding and an
HMAC-SHA-256 per entry) at most 25x a plain read of the rows; adding people whose real names
are encrypted into the log with their review's key at most 1.5x adding the same people with no
restricted values.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import insert, select

from models import AuditEntry, Base, Partnership, Person, Review
from models.audit import Actor, AuditKeys, configure_audit_keys, record, verify_chain
from models.engine import make_engine, make_session_factory

ENTRIES = 5_000
PEOPLE = 2_000


def _timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def run() -> None:
    configure_audit_keys(AuditKeys.derive("bench audit key, not a real one 0123456789"))
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        Base.metadata.create_all(engine)
        factory = make_session_factory(engine)

        def plain_inserts() -> None:
            with engine.begin() as connection:
                for n in range(ENTRIES):
                    connection.execute(
                        insert(AuditEntry).values(
                            seq=-(n + 1), actor="bench", action="x", prev_hash="", hash=""
                        )
                    )

        def chained_appends() -> None:
            session = factory()
            session.info["actor"] = Actor(None, "bench")
            for n in range(ENTRIES):
                record(session, "bench", entity_id=str(n), after={"n": n})
            session.commit()
            session.close()

        baseline_insert = _timed(plain_inserts)
        with engine.begin() as connection:
            connection.execute(AuditEntry.__table__.delete())
        chained = _timed(chained_appends)

        def plain_read() -> None:
            with factory() as session:
                list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))

        def verify() -> None:
            with factory() as session:
                _count, broken = verify_chain(session)
                assert broken is None

        baseline_read = _timed(plain_read)
        tracemalloc.start()
        verified = _timed(verify)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        def add_people(with_names: bool) -> float:
            session = factory()
            session.info["actor"] = Actor(None, "bench")
            partnership = Partnership(name=f"Bench {with_names}")
            session.add(partnership)
            session.flush()
            review = Review(
                partnership_id=partnership.id, title="Bench", subject="Child B", review_type="x"
            )
            session.add(review)
            session.commit()
            start = time.perf_counter()
            for n in range(PEOPLE):
                session.add(
                    Person(
                        review_id=review.id,
                        ref=f"P{n}",
                        pseudonym=f"Person {n}",
                        role="relative",
                        real_name=f"Fictional Name {n}" if with_names else None,
                        aliases=[f"Alias {n}"] if with_names else [],
                    )
                )
                if n % 20 == 19:
                    session.flush()
            session.commit()
            session.close()
            return time.perf_counter() - start

        people_plain = add_people(with_names=False)
        people_sealed = add_people(with_names=True)
        engine.dispose()

    append_ratio = chained / baseline_insert
    verify_ratio = verified / baseline_read
    print(f"audit chain, {ENTRIES} entries (SQLite)")
    print(f"  plain insert baseline : {baseline_insert * 1000:8.1f} ms")
    print(f"  chained append        : {chained * 1000:8.1f} ms  ratio {append_ratio:5.2f} (<= 3)")
    print(f"  plain read baseline   : {baseline_read * 1000:8.1f} ms")
    print(f"  verify chain          : {verified * 1000:8.1f} ms  ratio {verify_ratio:5.2f} (<= 25)")
    print(f"  verify peak memory    : {peak / 1e6:8.1f} MB")
    sealed_ratio = people_sealed / people_plain
    print(f"  {PEOPLE} people, no names : {people_plain * 1000:8.1f} ms")
    sealed_ms = people_sealed * 1000
    print(f"  same, names encrypted : {sealed_ms:8.1f} ms  ratio {sealed_ratio:5.2f} (<= 1.5)")
