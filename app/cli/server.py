"""Operating the server: migrations (``db``), checking the configuration before serving,
backups and restores, and the background jobs' worker."""

from __future__ import annotations

import os
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from app.cli.common import fail
from app.config import PROJECT_ROOT
from app.services import backup
from models.engine import make_engine

MIGRATIONS = PROJECT_ROOT / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic's configuration: the project's migrations, run against ``database_url``."""
    cfg = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Database migrations (Alembic)."""


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the latest)."""
    url = current_app.config["DATABASE_URL"]
    _ensure_sqlite_folder(url)
    alembic_command.upgrade(alembic_config(url), revision)


@db_group.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (for example -1, or base)."""
    alembic_command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration (compared with the models unless --empty)."""
    cfg = alembic_config(current_app.config["DATABASE_URL"])
    alembic_command.revision(cfg, message=message, autogenerate=autogenerate)


@db_group.command("current")
def db_current() -> None:
    """Show the database's revision."""
    alembic_command.current(alembic_config(current_app.config["DATABASE_URL"]))


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write the whole database to FILE: one portable file (gzip JSON Lines) with the
    migration revision, that `restore` loads into an empty SQLite or PostgreSQL database."""
    if file.exists():
        fail(f"{file} already exists: choose a new file name")
    engine = make_engine(current_app.config["DATABASE_URL"])
    partial = file.with_name(file.name + ".partial")
    try:
        # Only its owner may read it: it holds every real name (0600 whatever the umask).
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            engine.connect() as connection,
            connection.begin(),
            os.fdopen(descriptor, "wb") as out,
        ):
            if connection.dialect.name == "postgresql":
                # One snapshot of every table, however long the backup takes.
                connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            counts = backup.write_backup(connection, out)
    except backup.BackupError as error:
        partial.unlink(missing_ok=True)
        fail(str(error))
        return
    finally:
        engine.dispose()
    partial.rename(file)
    click.echo(f"Backed up {sum(counts.values())} rows of {len(counts)} tables to {file}.")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Load a backup FILE into this (empty) database, then migrate it to the latest revision.
    Refuses a database that holds any data. Use the same LR_AUDIT_KEY (or SECRET_KEY) as the
    server the backup came from, or the audit chain will not verify."""
    url = current_app.config["DATABASE_URL"]
    try:
        header = backup.read_header(file)
    except backup.BackupError as error:
        fail(str(error))
        return
    _ensure_sqlite_folder(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            occupied = backup.first_non_empty_table(connection)
            revision = backup.current_revision(connection)
            connection.rollback()
        if occupied is not None:
            table, count = occupied
            fail(
                f"this database is not empty (table {table} holds {count} rows): restore only "
                "into a new, empty database, so that nothing is overwritten or mixed"
            )
        if revision not in (None, header.revision):
            fail(
                f"this empty database is at migration {revision}, the backup at "
                f"{header.revision}: restore into a database with no tables"
            )
        try:
            alembic_command.upgrade(alembic_config(url), header.revision)
        except CommandError as error:
            fail(
                f"the backup's migration {header.revision} is unknown to this version of "
                f"Learning Review ({error}): restore with the version that made it"
            )
        with engine.begin() as connection:
            counts = backup.load_backup(connection, file)
    except backup.BackupError as error:
        fail(str(error))
        return
    finally:
        engine.dispose()
    alembic_command.upgrade(alembic_config(url), "head")
    click.echo(
        f"Restored {sum(counts.values())} rows of {len(counts)} tables from {file} "
        f"({header.source} backup of {header.created_at}). Check it: learning-review verify-audit"
    )


@click.command("check-config")
@with_appcontext
def check_config_command() -> None:
    """Check the settings and that the database is migrated; run before serving."""
    url = current_app.config["DATABASE_URL"]
    engine = current_app.extensions["lr_engine"]
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except OperationalError as error:
        fail(f"cannot reach the database ({error.orig.__class__.__name__}): check DATABASE_URL")
        return
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    if set(current) != set(heads):
        fail(
            f"the database is at {', '.join(current) or 'no revision'}, the code needs "
            f"{', '.join(heads)}: run `learning-review db upgrade` first"
        )
    click.echo(f"Configuration ({current_app.config['ENV_NAME']}) and database are ready.")


@click.command("jobs-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def jobs_worker_command(burst: bool) -> None:
    """Run background jobs from the Redis queue (needs REDIS_URL; run as many as you like)."""
    from app import jobs

    try:
        jobs.work(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]
    except RuntimeError as error:
        fail(str(error))
