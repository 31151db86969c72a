"""Migrations: `upgrade head` gives exactly the models' schema, and every step reverses."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.cli import alembic_config
from models import Base
from models.engine import make_engine
from tests.conftest import fresh_database_url


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    return fresh_database_url("migrations", tmp_path)


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return list(diff)


def test_upgrade_head_gives_exactly_the_models_schema(empty_url: str) -> None:
    command.upgrade(alembic_config(empty_url), "head")
    assert _differences(empty_url) == []


def test_every_revision_goes_down_and_up_again(empty_url: str) -> None:
    config = alembic_config(empty_url)
    revisions = list(ScriptDirectory.from_config(config).walk_revisions("base", "heads"))
    revisions.reverse()  # oldest first
    assert revisions, "no migrations found"
    for revision in revisions:
        command.upgrade(config, revision.revision)
        command.downgrade(config, revision.down_revision or "base")
        command.upgrade(config, revision.revision)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    assert _differences(empty_url) == []
