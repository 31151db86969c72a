"""What every command shares: a database session acting as the command, and a one-line
failure (exit 1) instead of a traceback."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from sqlalchemy.orm import Session

from app.db import session_factory
from models.audit.chain import Actor


def cli_session(label: str) -> Session:
    """A new session whose changes the audit log records as made by ``cli:<label>``."""
    session = session_factory()()
    session.info["actor"] = Actor(None, f"cli:{label}")
    return session


def fail(message: str) -> NoReturn:
    """Say ``Error: <message>`` on standard error and exit 1."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)
