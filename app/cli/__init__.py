"""Command-line interface: ``learning-review`` is the app's ``flask`` command group.

One module a group of commands: ``server`` (migrations, check-config, backup, restore, the jobs
worker), ``audit`` (verify-audit, retention), ``accounts`` (users, tokens, partnerships,
identity providers, sessions) and ``demo`` (seed-demo, demo-logins); ``common`` holds what
they share.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from app.cli.accounts import (
    add_identity_provider_command,
    create_token_command,
    create_user_command,
    merge_partnerships_command,
    prune_sessions_command,
    rename_partnership_command,
    set_partnership_role_command,
)
from app.cli.audit import retention_command, retention_rule_command, verify_audit_command
from app.cli.demo import demo_logins_command, seed_demo_command
from app.cli.server import (
    alembic_config,
    backup_command,
    check_config_command,
    db_group,
    jobs_worker_command,
    restore_command,
)
from app.config import ConfigError

__all__ = ["alembic_config", "init_app", "main"]


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
