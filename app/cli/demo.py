"""The fictional demo review "Child F": loading it, and printing its logins."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.cli.common import cli_session, fail
from app.demo import DEMO_MANAGER, DEMO_PARTNERSHIP, DEMO_PASSWORD, DEMO_USERS, seed_demo
from app.report_generation import render_settings
from models import Review, User


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
        fail(
            "seed-demo refuses to run in production: the demo accounts' password is public "
            "(it is in the README)"
        )
    session = cli_session("seed-demo")
    try:
        if if_empty and session.scalar(select(func.count(Review.id))):
            click.echo("The database already holds reviews: demo not loaded.", err=True)
            return
        if session.scalar(select(User.id).where(User.email.like("%@demo.example.org"))):
            fail("the demo is already loaded")
        review = seed_demo(session, require_totp=require_totp, render=render_settings())
        session.commit()
        click.echo(f"Loaded the demo review '{review.title}' in {DEMO_PARTNERSHIP}.", err=True)
    finally:
        session.close()


@click.command("demo-logins")
@with_appcontext
def demo_logins_command() -> None:
    """Print the demo accounts and their password."""
    session = cli_session("demo-logins")
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
