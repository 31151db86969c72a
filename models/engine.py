"""Engines and session factories for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from models.audit import AUDIT_KEYS_INFO, AuditKeys, install_audit_listener

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that we can begin IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails with "database is locked"
        # when another worker wrote in between; taking the write lock up front makes it wait
        # (up to the busy timeout) instead, and keeps the audit chain in order.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings this application relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(
    bind: Any, *, audit_keys: AuditKeys | None = None, **kwargs: Any
) -> sessionmaker[Session]:
    """A session factory whose sessions write every audited change to the audit log, keyed
    with ``audit_keys`` (else the process's, see ``models.audit.current_audit_keys``)."""
    if audit_keys is not None:
        kwargs["info"] = {**kwargs.get("info", {}), AUDIT_KEYS_INFO: audit_keys}
    factory = sessionmaker(bind=bind, expire_on_commit=False, **kwargs)
    install_audit_listener(factory)
    return factory
