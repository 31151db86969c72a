"""Command-line interface: ``learning-review`` is the app's ``flask`` command group."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from analysis.dates import uk_date
from app.config import PROJECT_ROOT, ConfigError
from app.db import session_factory
from app.demo import DEMO_MANAGER, DEMO_PARTNERSHIP, DEMO_PASSWORD, DEMO_USERS, seed_demo
from app.security import TOKEN_LIFETIME, issue_api_token, token_expiry
from app.services import accounts, backup, retention
from app.services.errors import ServiceError
from app.services.users import (
    create_user,
    find_partnership,
    get_or_create_partnership,
    prune_ended_sessions,
)
from models import IdentityProvider, Partnership, Review, User
from models.audit.chain import Actor, check_chain
from models.engine import make_engine

MIGRATIONS = PROJECT_ROOT / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def _session(label: str) -> Session:
    session = session_factory()()
    session.info["actor"] = Actor(None, f"cli:{label}")
    return session


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


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


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--partnership", required=True, help="An existing partnership's name")
@click.option("--new-partnership", is_flag=True, help="Create the partnership if it does not exist")
@click.option("--admin", is_flag=True, help="Site administrator (must use a second factor)")
def create_user_command(
    email: str, name: str, partnership: str, new_partnership: bool, admin: bool
) -> None:
    """Create a user. The password comes from LR_PASSWORD or a prompt."""
    session = _session("create-user")
    if not new_partnership and find_partnership(partnership, session=session) is None:
        known = ", ".join(session.scalars(select(Partnership.name).order_by(Partnership.name)))
        session.close()
        _fail(
            f"no partnership called {partnership!r} (known: {known or 'none'}); "
            "check the spelling, or add --new-partnership to create it"
        )
    password = os.environ.get("LR_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True, err=True
    )
    try:
        owner = get_or_create_partnership(partnership, session=session)
        user = create_user(
            session=session,
            email=email,
            name=name,
            password=password,
            partnership=owner,
            is_admin=admin,
            password_minimum=current_app.config["PASSWORD_MIN_LENGTH"],
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        _fail(error.message)
    else:
        click.echo(f"Created {user.email} in {owner.name}.", err=True)
    finally:
        session.close()


@click.command("create-token")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", default="command line", show_default=True)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=TOKEN_LIFETIME.days,
    show_default=True,
    help="Days until the token expires",
)
def create_token_command(email: str, name: str, days: int) -> None:
    """Create an API token for any active user (no second factor asked: run with access to
    the server). The token is printed alone on the last line of standard output; its expiry
    goes to standard error."""
    session = _session("create-token")
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        session.close()
        _fail(f"no active user with email {email}")
        return
    token, row = issue_api_token(user, name, session=session, lifetime=timedelta(days=days))
    expires = token_expiry(row)
    session.commit()
    session.close()
    click.echo(f"Token for {user.email} ({name}), expires {expires.isoformat()}.", err=True)
    click.echo("It will not be shown again:", err=True)
    click.echo(token)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing if the database holds any review")
@click.option(
    "--require-totp",
    is_flag=True,
    help="Make the demo admin and every demo role that reads real names use TOTP",
)
def seed_demo_command(if_empty: bool, require_totp: bool) -> None:
    """Load the fictional demo review "Child F" and one demo user per role."""
    if current_app.config["ENV_NAME"] == "production":
        _fail(
            "seed-demo refuses to run in production: the demo accounts' password is public "
            "(it is in the README)"
        )
    session = _session("seed-demo")
    try:
        if if_empty and session.scalar(select(func.count(Review.id))):
            click.echo("The database already holds reviews: demo not loaded.", err=True)
            return
        if session.scalar(select(User.id).where(User.email.like("%@demo.example.org"))):
            _fail("the demo is already loaded")
        review = seed_demo(session, require_totp=require_totp)
        session.commit()
        click.echo(f"Loaded the demo review '{review.title}' in {DEMO_PARTNERSHIP}.", err=True)
    finally:
        session.close()


@click.command("demo-logins")
@with_appcontext
def demo_logins_command() -> None:
    """Print the demo accounts and their password."""
    session = _session("demo-logins")
    present = set(session.scalars(select(User.email).where(User.email.like("%@demo.example.org"))))
    session.close()
    if not present:
        click.echo("No demo accounts in this database.")
        return
    click.echo("Demo logins (all fictional), password: " + DEMO_PASSWORD)
    for email, name, role, is_admin in DEMO_USERS:
        if email in present:
            what = "site admin" if is_admin else (role or "").replace("_", " ")
            click.echo(f"  {email:34} {what:16} {name}")
    manager_email, manager_name = DEMO_MANAGER
    if manager_email in present:
        click.echo(f"  {manager_email:34} {'business manager':16} {manager_name}")


@click.command("verify-audit")
@with_appcontext
@click.option(
    "--expect-head",
    metavar="HASH",
    help=(
        "The head printed by an earlier run (its hash, or the whole 'Head: entry N HASH' "
        "line): fail unless the chain still contains it."
    ),
)
def verify_audit_command(expect_head: str | None) -> None:
    """Check the audit log's hash chain and print its head; exit 1 naming the first broken
    entry, or if the chain no longer holds the head given with --expect-head (exit 2 when
    that is not a full head hash)."""
    if expect_head is not None:
        expect_head = _head_hash(expect_head)
    session = _session("verify-audit")
    try:
        report = check_chain(session, expect_head=expect_head)
    finally:
        session.close()
    broken = report.broken
    if broken is not None:
        click.echo(
            f"Audit log BROKEN at entry {broken.seq} (id {broken.entry_id}): {broken.reason}.",
            err=True,
        )
        sys.exit(1)
    if expect_head and report.expected_head_seq is None:
        click.echo(
            "Audit log BROKEN: the expected head is not in the chain (entries were cut off its "
            f"end, or it was re-hashed). The chain now ends at entry {report.head_seq} with "
            f"{report.head_hash}.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Audit log intact: {report.count} entries, chain verified.")
    if report.plain_count:
        click.echo(f"  {report.plain_count} entries predate the keyed chain (plain SHA-256).")
    if expect_head:
        since = report.head_seq - (report.expected_head_seq or 0)
        click.echo(f"  The expected head is entry {report.expected_head_seq}; {since} since.")
    click.echo(f"Head: entry {report.head_seq} {report.head_hash}")


_HEAD_HASH = re.compile(r"[0-9a-f]{64}")


def _head_hash(given: str) -> str:
    """The hash of an expected head as pasted: the hash alone, or the whole line
    ``Head: entry N HASH`` as ``verify-audit`` prints it. Exits 2 when it is not a hash."""
    words = given.split()
    candidate = words[-1].lower() if words else ""
    if not _HEAD_HASH.fullmatch(candidate):
        click.echo(
            f"Error: {given.strip()!r}: that is not a full head hash: copy the whole "
            "64-character value (or the whole 'Head: entry N …' line) that verify-audit printed.",
            err=True,
        )
        sys.exit(2)
    return candidate


def _describe_removal(counts: dict[str, int]) -> str:
    parts = [f"{count} {label}" for label, count in counts.items() if count]
    return ", ".join(parts) if parts else "no case data left"


@click.command("retention")
@with_appcontext
@click.option("--dry-run", "mode", flag_value="dry-run", help="List what would be removed.")
@click.option("--purge", "mode", flag_value="purge", help="Remove it.")
def retention_command(mode: str | None) -> None:
    """Closed reviews past their partnership's retention period: list them (--dry-run) or
    remove their case data (--purge), keeping published reports and the audit chain."""
    if mode is None:
        _fail("say --dry-run to list what would go, or --purge to remove it")
    session = _session("retention")
    try:
        due = retention.due_reviews(session)
        if not due:
            click.echo("No review is past its retention period.")
            return
        for item in due:
            review = item.review
            years = item.partnership.retention_years
            click.echo(
                f"Review {review.id} '{review.title}' ({item.partnership.name}): closed "
                f"{uk_date(item.closed_at.date())}, case data kept {years} years, due "
                f"{uk_date(item.due_at.date())}."
            )
            if mode == "dry-run":
                click.echo(f"  Would remove: {_describe_removal(item.counts)}.")
            else:
                removed = retention.purge_review(session, review)
                click.echo(f"  Removed: {_describe_removal(removed)}; audit key destroyed.")
        if mode == "dry-run":
            click.echo("Kept: each review's outline, findings, actions and published reports.")
        else:
            session.commit()
            click.echo(
                "Published reports and the audit chain are kept: run verify-audit and keep the "
                "new head."
            )
    finally:
        session.close()


@click.command("retention-rule")
@with_appcontext
@click.option("--partnership", required=True)
@click.option("--years", type=int, help="Keep a closed review's case data this many years.")
@click.option("--clear", is_flag=True, help="Keep case data until the partnership decides.")
def retention_rule_command(partnership: str, years: int | None, clear: bool) -> None:
    """Set a partnership's retention rule (published reports are always kept)."""
    if (years is None) == (not clear):
        _fail("give --years N or --clear")
    session = _session("retention-rule")
    try:
        owner = session.scalar(select(Partnership).where(Partnership.name == partnership))
        if owner is None:
            _fail(f"no partnership named {partnership!r}")
            return
        try:
            retention.set_retention(session, owner, None if clear else years)
        except ServiceError as error:
            _fail(error.message)
        session.commit()
        rule = "until the partnership decides" if clear else f"{years} years after closing"
        click.echo(f"{owner.name} keeps a closed review's case data {rule}.")
    finally:
        session.close()


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write the whole database to FILE: one portable file (gzip JSON Lines) with the
    migration revision, that `restore` loads into an empty SQLite or PostgreSQL database."""
    if file.exists():
        _fail(f"{file} already exists: choose a new file name")
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
        _fail(str(error))
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
        _fail(str(error))
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
            _fail(
                f"this database is not empty (table {table} holds {count} rows): restore only "
                "into a new, empty database, so that nothing is overwritten or mixed"
            )
        if revision not in (None, header.revision):
            _fail(
                f"this empty database is at migration {revision}, the backup at "
                f"{header.revision}: restore into a database with no tables"
            )
        try:
            alembic_command.upgrade(alembic_config(url), header.revision)
        except CommandError as error:
            _fail(
                f"the backup's migration {header.revision} is unknown to this version of "
                f"Learning Review ({error}): restore with the version that made it"
            )
        with engine.begin() as connection:
            counts = backup.load_backup(connection, file)
    except backup.BackupError as error:
        _fail(str(error))
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
        _fail(f"cannot reach the database ({error.orig.__class__.__name__}): check DATABASE_URL")
        return
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    if set(current) != set(heads):
        _fail(
            f"the database is at {', '.join(current) or 'no revision'}, the code needs "
            f"{', '.join(heads)}: run `learning-review db upgrade` first"
        )
    click.echo(f"Configuration ({current_app.config['ENV_NAME']}) and database are ready.")


def _partnership_named(session: Session, name: str) -> Partnership:
    partnership = find_partnership(name, session=session)
    if partnership is None:
        known = ", ".join(session.scalars(select(Partnership.name).order_by(Partnership.name)))
        session.close()
        _fail(f"no partnership called {name!r} (known: {known or 'none'})")
    return partnership


def _commit_or_fail(session: Session, change: Callable[[], object]) -> None:
    """Make ``change`` and commit it, or say why not in one line (exit 1); then close."""
    try:
        change()
        session.commit()
    except ServiceError as error:
        session.rollback()
        _fail(error.message)
    finally:
        session.close()


@click.command("rename-partnership")
@with_appcontext
@click.option("--name", "old", required=True, help="The partnership's present name")
@click.option("--to", "new", required=True, help="Its new name")
def rename_partnership_command(old: str, new: str) -> None:
    """Rename a partnership."""
    session = _session("rename-partnership")
    partnership = _partnership_named(session, old)
    _commit_or_fail(
        session,
        lambda: accounts.rename_partnership(session=session, partnership=partnership, name=new),
    )
    click.echo(f"Renamed {old!r} to {new!r}.", err=True)


@click.command("merge-partnerships")
@with_appcontext
@click.option("--from", "source", required=True, help="The partnership that goes")
@click.option("--into", "target", required=True, help="The partnership that stays")
def merge_partnerships_command(source: str, target: str) -> None:
    """Move every user, review and register entry of one partnership into another."""
    session = _session("merge-partnerships")
    going = _partnership_named(session, source)
    staying = _partnership_named(session, target)
    _commit_or_fail(
        session,
        lambda: accounts.merge_partnerships(session=session, source=going, target=staying),
    )
    click.echo(f"Merged {source!r} into {target!r}.", err=True)


@click.command("add-identity-provider")
@with_appcontext
@click.option("--partnership", required=True, help="An existing partnership's name")
@click.option("--name", required=True, help="Shown to administrators, e.g. 'Northshire Council'")
@click.option("--issuer", required=True, help="The OpenID Connect issuer URL")
@click.option("--client-id", required=True)
@click.option("--domains", required=True, help="Email domains it signs in, comma-separated")
@click.option(
    "--creates-accounts", is_flag=True, help="Create accounts for its domains' people at sign-in"
)
def add_identity_provider_command(
    partnership: str, name: str, issuer: str, client_id: str, domains: str, creates_accounts: bool
) -> None:
    """Let a partnership sign in with an OpenID Connect provider (client secret from
    LR_CLIENT_SECRET or a prompt)."""
    secret = os.environ.get("LR_CLIENT_SECRET") or click.prompt(
        "Client secret", hide_input=True, err=True
    )
    session = _session("add-identity-provider")
    owner = _partnership_named(session, partnership)
    wanted = sorted({d.strip().lower().lstrip("@") for d in domains.split(",") if d.strip()})
    taken = {
        d for provider in session.scalars(select(IdentityProvider)) for d in provider.email_domains
    } & set(wanted)
    if not wanted or taken:
        session.close()
        _fail(
            f"domains already signed in by another provider: {', '.join(sorted(taken))}"
            if taken
            else "give at least one email domain"
        )
    session.add(
        IdentityProvider(
            partnership_id=owner.id,
            name=name,
            issuer=issuer.rstrip("/"),
            client_id=client_id,
            client_secret=secret,
            email_domains=wanted,
            creates_accounts=creates_accounts,
        )
    )
    session.commit()
    session.close()
    click.echo(f"{name} now signs in {', '.join(wanted)} for {owner.name}.", err=True)


@click.command("prune-sessions")
@with_appcontext
def prune_sessions_command() -> None:
    """Delete ended sign-in sessions (signed out, revoked, idle or past their limit)."""
    session = _session("prune-sessions")
    try:
        removed = prune_ended_sessions(
            session=session,
            now=datetime.now(UTC),
            idle=current_app.config["SESSION_IDLE_TIMEOUT"],
            absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
        )
        session.commit()
    finally:
        session.close()
    click.echo(f"Removed {removed} ended session{'' if removed == 1 else 's'}.")


@click.command("set-partnership-role")
@with_appcontext
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["business_manager", "none"]),
    help="business_manager runs the partnership's review programme; none removes the role",
)
def set_partnership_role_command(email: str, role: str) -> None:
    """Give a user a role for their whole partnership (or take it away); audited."""
    session = _session("set-partnership-role")
    try:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is not None:
            user.partnership_role = None if role == "none" else role
            session.commit()
            click.echo(f"{user.email}: partnership role {role}.", err=True)
    finally:
        session.close()
    if user is None:
        _fail(f"No user {email}")


@click.command("jobs-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def jobs_worker_command(burst: bool) -> None:
    """Run background jobs from the Redis queue (needs REDIS_URL; run as many as you like)."""
    from app import jobs

    try:
        jobs.work(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]
    except RuntimeError as error:
        _fail(str(error))


def init_app(app: Flask) -> None:
    for cmd in (
        check_config_command,
        prune_sessions_command,
        rename_partnership_command,
        merge_partnerships_command,
        add_identity_provider_command,
        db_group,
        create_user_command,
        set_partnership_role_command,
        create_token_command,
        seed_demo_command,
        demo_logins_command,
        verify_audit_command,
        retention_command,
        retention_rule_command,
        backup_command,
        restore_command,
        jobs_worker_command,
    ):
        app.cli.add_command(cmd)


def main() -> None:
    """Entry point of the ``learning-review`` console script."""
    from app import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Learning Review command line.")
    try:
        cli.main(prog_name="learning-review")
    except ConfigError as error:  # one clear line, not a traceback
        click.echo(f"learning-review: {error}", err=True)
        sys.exit(2)
