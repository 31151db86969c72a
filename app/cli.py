"""Command-line interface: ``learning-review`` is the app's ``flask`` command group."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT, ConfigError
from app.db import session_factory
from app.demo import DEMO_PARTNERSHIP, DEMO_PASSWORD, DEMO_USERS, seed_demo
from app.security import create_api_token
from app.services import accounts
from app.services.errors import ServiceError
from app.services.users import (
    create_user,
    find_partnership,
    get_or_create_partnership,
    prune_ended_sessions,
)
from models import IdentityProvider, Partnership, Review, User
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


@click.command("rename-partnership")
@with_appcontext
@click.option("--name", "old", required=True, help="The partnership's present name")
@click.option("--to", "new", required=True, help="Its new name")
def rename_partnership_command(old: str, new: str) -> None:
    """Rename a partnership."""
    session = _session("rename-partnership")
    partnership = _partnership_named(session, old)
    try:
        accounts.rename_partnership(session=session, partnership=partnership, name=new)
        session.commit()
    except ServiceError as error:
        session.rollback()
        _fail(error.message)
    finally:
        session.close()
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
    try:
        accounts.merge_partnerships(session=session, source=going, target=staying)
        session.commit()
    except ServiceError as error:
        session.rollback()
        _fail(error.message)
    finally:
        session.close()
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


def init_app(app: Flask) -> None:
    for cmd in (
        check_config_command,
        prune_sessions_command,
        rename_partnership_command,
        merge_partnerships_command,
        add_identity_provider_command,
        db_group,
        create_user_command,
        create_token_command,
        seed_demo_command,
        demo_logins_command,
        verify_audit_command,
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
