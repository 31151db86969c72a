"""Several workers writing at once: no "database is locked", and the audit chain stays whole."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from models import AuditEntry, Partnership
from models.audit.chain import Actor, verify_chain
from models.engine import make_engine, make_session_factory
from tests.conftest import fresh_database_url, migrate

WORKERS = 4
WRITES_EACH = 25


def test_concurrent_writers_all_succeed_and_keep_the_chain(tmp_path: Path) -> None:
    url = fresh_database_url("concurrent_writes", tmp_path)
    migrate(url)
    engine = make_engine(url, pool_size=WORKERS)
    factory = make_session_factory(engine)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            for n in range(WRITES_EACH):
                with factory() as session:
                    session.info["actor"] = Actor(None, f"worker {number}")
                    # Read, then write: the pattern that fails with a deferred SQLite transaction.
                    session.scalar(select(func.count(Partnership.id)))
                    session.add(Partnership(name=f"P {number}-{n}"))
                    session.commit()
        except BaseException as error:  # reported by the main thread below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with factory() as session:
        assert session.scalar(select(func.count(Partnership.id))) == WORKERS * WRITES_EACH
        assert session.scalar(select(func.count(AuditEntry.id))) == WORKERS * WRITES_EACH
        _count, broken = verify_chain(session)
        assert broken is None
    engine.dispose()
