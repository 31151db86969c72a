"""Backup and restore: a backup of two reviews restores into an empty database of either kind
(SQLite to PostgreSQL is how an installation outgrows the embedded default). Afterwards the
reviews export identically, an API token minted before still works, the audit chain verifies
with the same head, and a second restore is refused."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.services import bundles
from app.services import reviews as review_service
from models import AuditEntry, Review, User
from models.audit import Actor, AuditReader
from models.engine import make_engine, make_session_factory
from tests.conftest import database_kind, fresh_postgres_database, migrate, postgres_url


def _fresh_url(kind: str, name: str, folder: Path) -> str:
    if kind == "sqlite":
        path = folder / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    # Databases of their own for each pytest-xdist worker (the module's fixture may be built
    # on both) and for each run (the SQLite run restores into PostgreSQL too, beside
    # `make test`'s PostgreSQL run).
    prefix = os.environ.get("LR_TEST_DB_PREFIX", "learning_review")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = postgres_url(f"{prefix}_{database_kind()}_run_{name}_{worker}")
    fresh_postgres_database(url)
    return url


def _app(url: str) -> Flask:
    return create_app({"ENV_NAME": "testing", "DATABASE_URL": url})


def _cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _head(output: str) -> str:
    match = re.search(r"^Head: entry \d+ [0-9a-f]{64}$", output, re.MULTILINE)
    assert match, output
    return match.group(0)


def _exports(url: str) -> dict[int, str]:
    engine = make_engine(url)
    session = make_session_factory(engine)()
    try:
        reviews = session.scalars(select(Review).order_by(Review.id)).all()
        return {
            r.id: json.dumps(bundles.export_bundle(r), sort_keys=True, ensure_ascii=False)
            for r in reviews
        }
    finally:
        session.close()
        engine.dispose()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A database of the kind under test with two reviews (the demo, and one more with a
    person whose real name is restricted), an API token, and its backup file."""
    folder = tmp_path_factory.mktemp("backup")
    url = _fresh_url(database_kind(), "backup_source", folder)
    migrate(url)
    app = _app(url)
    assert _cli(app, "seed-demo").exit_code == 0
    with app.app_context():
        from app.db import session_factory

        session = session_factory()()
        session.info["actor"] = Actor(None, "test")
        creator = session.scalar(select(User).where(User.email == "chair@demo.example.org"))
        second = review_service.create_review(
            session=session,
            creator=creator,
            title="Second review",
            subject="Child B",
            review_type="rapid_review",
        )
        review_service.create_person(
            session=session,
            review=second,
            pseudonym="Child B",
            role="child",
            real_name="Bartholomew Quillfeather",
        )
        session.commit()
        session.close()
    token = _cli(app, "create-token", "--email", "chair@demo.example.org")
    assert token.exit_code == 0, token.output
    verified = _cli(app, "verify-audit")
    assert verified.exit_code == 0, verified.output
    file = folder / "learning-review.backup"
    made = _cli(app, "backup", str(file))
    assert made.exit_code == 0, made.output
    app.extensions["lr_engine"].dispose()
    yield {
        "url": url,
        "file": file,
        "token": token.output.strip().splitlines()[-1],
        "head": _head(verified.output),
        "exports": _exports(url),
    }


@pytest.mark.parametrize("target_kind", ["sqlite", "postgresql"])
def test_a_backup_restores_into_an_empty_database_of_either_kind(
    source: dict[str, Any], target_kind: str, tmp_path: Path
) -> None:
    target = _fresh_url(target_kind, "backup_target", tmp_path)
    app = _app(target)
    restored = _cli(app, "restore", str(source["file"]))
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output
    # The reviews export identically (every field, every person, every event).
    exports = _exports(target)
    assert len(exports) == 2 and exports == source["exports"]
    # The token minted before the backup still works.
    client = app.test_client()
    response = client.get("/api/v1/reviews", headers={"Authorization": f"Bearer {source['token']}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    titles = {item["title"] for item in response.get_json()["items"]}
    assert "Second review" in titles
    # The audit chain verifies, ending where the source's did.
    verified = _cli(app, "verify-audit")
    assert verified.exit_code == 0, verified.output
    assert _head(verified.output) == source["head"]
    # New rows get new ids after the restored ones (PostgreSQL's sequences were moved on).
    engine = make_engine(target)
    session = make_session_factory(engine)()
    session.info["actor"] = Actor(None, "test")
    creator = session.scalar(select(User).where(User.email == "chair@demo.example.org"))
    third = review_service.create_review(
        session=session,
        creator=creator,
        title="Third",
        subject="Child C",
        review_type="rapid_review",
    )
    session.commit()
    assert third.id == max(exports) + 1
    # The review keys came across: the restricted values in the log still read, with the key.
    person_entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "people", AuditEntry.action == "create")
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    assert "Quillfeather" not in person_entry.after_json
    _before, after = AuditReader(session, decrypt=True).values(person_entry)
    assert after["real_name"] == "Bartholomew Quillfeather"
    session.close()
    engine.dispose()
    # A second restore is refused, and changes nothing.
    again = _cli(app, "restore", str(source["file"]))
    assert again.exit_code == 1
    assert "this database is not empty" in again.output
    assert len(_exports(target)) == 3
    app.extensions["lr_engine"].dispose()


def test_a_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    target = _fresh_url(database_kind(), "backup_bad", tmp_path)
    app = _app(target)
    not_gzip = tmp_path / "notes.txt"
    not_gzip.write_text("hello")
    result = _cli(app, "restore", str(not_gzip))
    assert result.exit_code == 1 and "is not a Learning Review backup" in result.output
    cut = tmp_path / "cut.backup"
    with gzip.open(cut, "wt") as stream:
        stream.write(
            json.dumps(
                {
                    "format": "learning-review-backup",
                    "version": 1,
                    "revision": "7c1e4a2b9d30",
                    "created_at": "x",
                    "source": "sqlite",
                }
            )
        )
        stream.write("\n")
    result = _cli(app, "restore", str(cut))
    assert result.exit_code == 1 and "incomplete" in result.output
    app.extensions["lr_engine"].dispose()


def test_a_backup_never_overwrites_a_file(source: dict[str, Any], tmp_path: Path) -> None:
    app = _app(source["url"])
    result = _cli(app, "backup", str(source["file"]))
    assert result.exit_code == 1 and "already exists" in result.output
    app.extensions["lr_engine"].dispose()


def test_a_backup_file_is_readable_by_its_owner_only(source: dict[str, Any]) -> None:
    # It holds every real name: mode 0600, not the umask's world-readable 0644.
    assert source["file"].stat().st_mode & 0o777 == 0o600
