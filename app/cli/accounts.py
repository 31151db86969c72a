"""Users and partnerships, done on the server by the operator: creating users and API
tokens, partnership roles, renaming and merging partnerships, identity providers, and
pruning ended sign-in sessions."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.common import cli_session, fail
from app.security import TOKEN_LIFETIME, issue_api_token, token_expiry
from app.services import accounts
from app.services.errors import ServiceError
from app.services.users import (
    create_user,
    find_partnership,
    get_or_create_partnership,
    prune_ended_sessions,
)
from models import IdentityProvider, Partnership, User


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
    session = cli_session("create-user")
    if not new_partnership and find_partnership(partnership, session=session) is None:
        known = ", ".join(session.scalars(select(Partnership.name).order_by(Partnership.name)))
        session.close()
        fail(
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
        fail(error.message)
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
    session = cli_session("create-token")
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        session.close()
        fail(f"no active user with email {email}")
        return
    token, row = issue_api_token(user, name, session=session, lifetime=timedelta(days=days))
    expires = token_expiry(row)
    session.commit()
    session.close()
    click.echo(f"Token for {user.email} ({name}), expires {expires.isoformat()}.", err=True)
    click.echo("It will not be shown again:", err=True)
    click.echo(token)


def _partnership_named(session: Session, name: str) -> Partnership:
    partnership = find_partnership(name, session=session)
    if partnership is None:
        known = ", ".join(session.scalars(select(Partnership.name).order_by(Partnership.name)))
        session.close()
        fail(f"no partnership called {name!r} (known: {known or 'none'})")
    return partnership


def _commit_or_fail(session: Session, change: Callable[[], object]) -> None:
    """Make ``change`` and commit it, or say why not in one line (exit 1); then close."""
    try:
        change()
        session.commit()
    except ServiceError as error:
        session.rollback()
        fail(error.message)
    finally:
        session.close()


@click.command("rename-partnership")
@with_appcontext
@click.option("--name", "old", required=True, help="The partnership's present name")
@click.option("--to", "new", required=True, help="Its new name")
def rename_partnership_command(old: str, new: str) -> None:
    """Rename a partnership."""
    session = cli_session("rename-partnership")
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
    session = cli_session("merge-partnerships")
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
    session = cli_session("add-identity-provider")
    owner = _partnership_named(session, partnership)
    wanted = sorted({d.strip().lower().lstrip("@") for d in domains.split(",") if d.strip()})
    taken = {
        d for provider in session.scalars(select(IdentityProvider)) for d in provider.email_domains
    } & set(wanted)
    if not wanted or taken:
        session.close()
        fail(
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
    session = cli_session("prune-sessions")
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
    session = cli_session("set-partnership-role")
    try:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is not None:
            user.partnership_role = None if role == "none" else role
            session.commit()
            click.echo(f"{user.email}: partnership role {role}.", err=True)
    finally:
        session.close()
    if user is None:
        fail(f"No user {email}")
