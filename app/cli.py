"""Command-line interface: ``learning-review`` is the app's ``flask`` command group."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT
from app.db import session_factory
from app.demo import DEMO_PARTNERSHIP, DEMO_PASSWORD, DEMO_USERS, seed_demo
from app.security import create_api_token
from app.services.errors import ServiceError
from app.services.users import create_user, get_or_create_partnership
from models import Review, User
from models.audit import Actor, verify_chain

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


def _fail(message: str) -> None:
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


@db_group.command("downgrade")
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
@click.option("--partnership", required=True, help="Created if it does not exist")
@click.option("--admin", is_flag=True, help="Site administrator (must use a second factor)")
def create_user_command(email: str, name: str, partnership: str, admin: bool) -> None:
    """Create a user. The password comes from LR_PASSWORD or a prompt."""
    password = os.environ.get("LR_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True, err=True
    )
    session = _session("create-user")
    try:
        owner = get_or_create_partnership(partnership, session=session)
        user = create_user(
            session=session,
            email=email,
            name=name,
            password=password,
            partnership=owner,
            is_admin=admin,
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
def create_token_command(email: str, name: str) -> None:
    """Create an API token; it is printed alone on the last line of standard output."""
    session = _session("create-token")
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        session.close()
        _fail(f"no active user with email {email}")
        return
    token = create_api_token(user, name, session=session)
    session.commit()
    session.close()
    click.echo(f"Token for {user.email} ({name}). It will not be shown again:", err=True)
    click.echo(token)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing if the database holds any review")
@click.option("--require-totp", is_flag=True, help="Make demo admins and chairs use TOTP")
def seed_demo_command(if_empty: bool, require_totp: bool) -> None:
    """Load the fictional demo review "Child F" and one demo user per role."""
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
            what = "site admin" if is_admin else role.replace("_", " ")
            click.echo(f"  {email:34} {what:16} {name}")


@click.command("verify-audit")
@with_appcontext
def verify_audit_command() -> None:
    """Check the audit log's hash chain; exit 1 naming the first broken entry."""
    session = _session("verify-audit")
    try:
        count, broken = verify_chain(session)
    finally:
        session.close()
    if broken is not None:
        click.echo(
            f"Audit log BROKEN at entry {broken.seq} (id {broken.entry_id}): {broken.reason}.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Audit log intact: {count} entries, chain verified.")


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
        db_group,
        create_user_command,
        create_token_command,
        seed_demo_command,
        demo_logins_command,
        verify_audit_command,
        jobs_worker_command,
    ):
        app.cli.add_command(cmd)


def main() -> None:
    """Entry point of the ``learning-review`` console script."""
    from app import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Learning Review command line.")
    cli.main(prog_name="learning-review")
