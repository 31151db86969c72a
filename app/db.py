"""One database session per request; the request boundary commits once.

Views and services use ``db()``; services flush and never commit. After a successful request
(status below 400, or a view that asked with ``commit_even_on_error``) the session commits;
otherwise everything it did is rolled back.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from app.config import audit_keys_for
from models.audit import Actor, configure_default_audit_keys
from models.engine import make_engine, make_session_factory


def init_app(app: Flask) -> None:
    # The app's own keys, from its configuration: two apps in one process never mix them.
    keys = audit_keys_for(app.config)
    app.extensions["lr_audit_keys"] = keys
    configure_default_audit_keys(keys)
    if "lr_session_factory" not in app.extensions:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["lr_engine"] = engine
        app.extensions["lr_session_factory"] = make_session_factory(engine, audit_keys=keys)
    app.after_request(_commit)
    app.teardown_request(_close)


def session_factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["lr_session_factory"]
    return factory


def db() -> Session:
    """This request's session."""
    if "db_session" not in g:
        g.db_session = session_factory()()
        g.db_session.info["actor"] = Actor(None, "anonymous")
    session: Session = g.db_session
    return session


def set_actor(actor: Actor) -> None:
    """Name who is acting, for the audit entries this request writes."""
    db().info["actor"] = actor


def commit_even_on_error() -> None:
    """Keep this request's writes although it answers with an error (a failed sign-in)."""
    g.commit_even_on_error = True


def _commit(response: Response) -> Response:
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400 or g.get("commit_even_on_error"):
            session.commit()
        else:
            session.rollback()
    return response


def _close(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
