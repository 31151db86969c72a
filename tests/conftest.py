"""Shared fixtures: the database (SQLite or PostgreSQL, chosen by LR_TEST_DB), the app, a
client, a committed "world" of users in every role, and a login helper.

Each test runs inside an outer transaction that is rolled back at the end; the app's
request-boundary commits only release savepoints inside it (SQLAlchemy's "joining a session
into an external transaction" recipe).
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command as alembic_command
from argon2 import profiles
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app, passwords
from app.cli import alembic_config
from app.config import TestingConfig, audit_keys_for
from app.security import _sha256
from models import (
    Membership,
    Partnership,
    Person,
    ReportVersion,
    Review,
    ReviewAgency,
    User,
    UserSession,
)
from models.audit import Actor, configure_audit_keys, configure_default_audit_keys
from models.engine import make_engine, make_session_factory

# The audit log's keys for sessions made without an app (set-up code), as every test app
# derives them from its SECRET_KEY.
configure_audit_keys(audit_keys_for({"SECRET_KEY": TestingConfig.SECRET_KEY}))

# Every sign-in verifies an argon2 hash: at the production parameters (64 MiB, 3 passes) a
# tenth of a second of both cores, several hundred times a run. The suite hashes with argon2's
# CHEAPEST profile; test_auth checks that a fresh process hashes at the production parameters.
passwords.use_parameters(profiles.CHEAPEST)

PASSWORD = "correct horse battery staple 42"
ROLES_ON_REVIEW = (
    "chair",
    "lead_reviewer",
    "panel_member",
    "agency_rep",
    "facilitator",
    "board_member",
    "observer",
)


def database_kind() -> str:
    kind = os.environ.get("LR_TEST_DB", "sqlite")
    if kind not in ("sqlite", "postgresql"):
        raise pytest.UsageError("LR_TEST_DB must be sqlite or postgresql")
    return kind


def postgres_url(database: str | None = None) -> str:
    url = make_url(
        os.environ.get(
            "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/learning_review_test"
        )
    )
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def fresh_postgres_database(url: str) -> None:
    """Create the database if missing and empty it; fail loudly if the server is unreachable."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_database_url(name: str, tmp_dir: Path) -> str:
    """An empty database of the kind under test, named ``name``."""
    if database_kind() == "sqlite":
        path = tmp_dir / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    # LR_TEST_DB_PREFIX lets two checkouts run their PostgreSQL suites side by side, and each
    # pytest-xdist worker ("gw0", "gw1", …) gets databases of its own.
    prefix = os.environ.get("LR_TEST_DB_PREFIX", "learning_review")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker and not name.endswith(worker):
        name = f"{name}_{worker}"
    url = postgres_url(f"{prefix}_{name}")
    fresh_postgres_database(url)
    return url


def migrate(url: str) -> None:
    alembic_command.upgrade(alembic_config(url), "head")


#: Tests that never touch a database: analysis/ is pure Python (an import-linter contract
#: keeps SQLAlchemy out of it) and the top-level tests read source files. They run once, in
#: the SQLite run; the PostgreSQL run leaves them out (reported as deselected).
DATABASE_FREE = ("analysis",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run leaves out the tests that never touch a database (the SQLite run
    has run them), unless LR_TEST_EVERYTHING is set."""
    if database_kind() != "postgresql" or os.environ.get("LR_TEST_EVERYTHING"):
        return
    tests_dir = Path(__file__).resolve().parent
    kept, left_out = [], []
    for item in items:
        relative = item.path.relative_to(tests_dir)
        database_free = relative.parts[0] in DATABASE_FREE or len(relative.parts) == 1
        (left_out if database_free else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@dataclass
class World:
    """Committed fixtures: ids of a review with one user in each role, and outsiders."""

    review_id: int
    other_review_id: int
    users: dict[str, int]  # role or kind -> user id
    agency_ref: str
    person_ref: str
    event_ref: str = "E1"
    kpe_ref: str = "K1"
    account_ref: str = "AC1"
    factor_ref: str = "F1"
    link_ref: str = "L1"
    finding_ref: str = "FN1"
    action_ref: str = "A1"
    report_number: int = 1
    report_id: int = 0  # a draft report version of the review
    partnership_id: int = 0
    feedback_id: int = 0


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = fresh_database_url("test", tmp_path_factory.mktemp("db"))
    migrate(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@functools.cache
def password_hash() -> str:
    """PASSWORD's argon2 hash, made once for every user of the world."""
    from app.passwords import hash_password

    return hash_password(PASSWORD)


def _make_user(session: Session, partnership: Partnership, key: str, **extra: Any) -> User:
    user = User(
        email=f"{key.replace('_', '-')}@test.example.org",
        name=f"Test {key.replace('_', ' ').title()}",
        password_hash=password_hash(),
        partnership=partnership,
        mfa_exempt=True,
        **extra,
    )
    session.add(user)
    session.flush()
    return user


@pytest.fixture(scope="session")
def world(engine: Engine) -> World:
    from analysis.chronology.dates.parsing import parse_when
    from app.services import chronology, factors, findings
    from app.services.reviews import directory_agency

    session = make_session_factory(engine)()
    session.info["actor"] = Actor(None, "test-setup")
    ours = Partnership(name="Northshire Test Partnership")
    theirs = Partnership(name="Elsewhere Test Partnership")
    session.add_all([ours, theirs])
    session.flush()
    users = {role: _make_user(session, ours, role) for role in ROLES_ON_REVIEW}
    users["other_member"] = _make_user(session, ours, "other_member")
    users["outsider"] = _make_user(session, theirs, "outsider")
    users["admin"] = _make_user(session, ours, "admin", is_admin=True)
    users["business_manager"] = _make_user(
        session, ours, "business_manager", partnership_role="business_manager"
    )
    review = Review(
        partnership_id=ours.id, title="Test review", subject="Child T", review_type="rapid_review"
    )
    other = Review(
        partnership_id=ours.id, title="Another review", subject="Child U", review_type="local_cspr"
    )
    session.add_all([review, other])
    session.flush()
    agency = ReviewAgency(
        review_id=review.id,
        agency=directory_agency(session, ours.id, "Northshire Police", "Police"),
        ref="POL",
    )
    session.add(agency)
    session.flush()
    person = Person(
        review_id=review.id,
        ref="P1",
        pseudonym="Child T",
        role="child",
        real_name="Tamsin Testcase",
        aliases=["Tam"],
    )
    session.add(person)
    for role in ROLES_ON_REVIEW:
        session.add(
            Membership(
                review_id=review.id,
                user_id=users[role].id,
                role=role,
                agency=agency if role == "agency_rep" else None,
            )
        )
    session.add(Membership(review_id=other.id, user_id=users["other_member"].id, role="chair"))
    session.flush()
    chronology.create_kpe(session=session, review=review, title="First episode", ref="K1")
    chronology.create_event(
        session=session,
        review=review,
        added_by_id=users["panel_member"].id,
        ref="E1",
        when=parse_when("14/01/2023"),
        agency="POL",
        description="Police attend the family home after a call from a neighbour.",
        people=["P1"],
        kpe="K1",
    )
    factors.create_account(
        session=session,
        review=review,
        contributor_kind="practitioner",
        contributor_role="Duty officer",
        narrative="I thought the call was a one-off argument.",
        events=["E1"],
    )
    factors.create_factor(
        session=session,
        review=review,
        label="Domestic incidents graded standard get no follow-up",
        type="latent_condition",
        level="organisation",
        evidence=[{"source": "agency_record", "event": "E1"}],
    )
    factors.create_link(
        session=session, review=review, source="F1", target="E1", relation="contributed_to"
    )
    finding = findings.create_finding(
        session=session,
        review=review,
        ref="FN1",
        title="Standard-risk domestic incidents are closed without follow-up",
        questions_for_board=["How will repeat incidents be seen as a pattern?"],
        factors=["F1"],
    )
    findings.create_action(
        session=session,
        review=review,
        ref="A1",
        finding=finding.ref,
        description="Review repeat notifications as a pattern.",
        owner_agency="POL",
        strength="strong",
    )
    feedback = findings.create_feedback(
        session=session,
        review=review,
        audience="family",
        recipients="Mother",
        you_said="Nobody asked who lived with us.",
        we_did="The contact record now asks.",
        fed_back_on=date(2025, 6, 1),
    )
    # A draft report version written directly (rendering one is slow and tested elsewhere).
    report = ReportVersion(
        review_id=review.id,
        number=1,
        markdown="# Test review\n",
        html='<!DOCTYPE html><html lang="en-GB"><head><title>Test review</title></head>'
        "<body><h1>Test review</h1></body></html>",
        pdf=b"%PDF-1.7 test",
        docx=b"PK test",
        public_markdown="# Test review\n",
        public_html='<!DOCTYPE html><html lang="en-GB"><head><title>Test review</title></head>'
        "<body><h1>Test review</h1></body></html>",
        public_pdf=b"%PDF-1.7 public",
        public_docx=b"PK public",
        scan_hits=[],
        created_by_id=users["lead_reviewer"].id,
    )
    session.add(report)
    session.commit()
    result = World(
        review_id=review.id,
        other_review_id=other.id,
        users={key: user.id for key, user in users.items()},
        agency_ref="POL",
        person_ref="P1",
        report_id=report.id,
        partnership_id=ours.id,
        feedback_id=feedback.id,
    )
    session.close()
    return result


@pytest.fixture
def connection(engine: Engine, world: World) -> Iterator[Connection]:
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def db_session(connection: Connection) -> Iterator[Session]:
    """A session inside the test's transaction, for arranging data and checking results."""
    session = make_session_factory(connection, join_transaction_mode="create_savepoint")()
    session.info["actor"] = Actor(None, "test")
    yield session
    session.close()


@pytest.fixture(scope="session")
def cache_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Where the tests' apps cache rendered graphs and report files by content: one folder
    for all pytest-xdist workers of a run (``make test`` gives both database runs one, in
    LR_TEST_CACHE_DIR), never the project's instance/ folder. The demo's report is rendered
    once instead of once per test that loads the demo."""
    root = os.environ.get("LR_TEST_CACHE_DIR")
    if root:
        base = Path(root)
    else:
        base = tmp_path_factory.getbasetemp()
        if os.environ.get("PYTEST_XDIST_WORKER"):
            base = base.parent  # the run's folder, above each worker's own
        base = base / "render-cache"
    return {"REPORT_CACHE_DIR": str(base / "report"), "GRAPH_CACHE_DIR": str(base / "graph")}


def _test_app(database_url: str, cache_dirs: dict[str, str]) -> Flask:
    # Background jobs run when a test waits for them (``finish_job``), in the test's thread.
    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": database_url,
            "JOBS_RUNNER": "deferred",
            **cache_dirs,
        }
    )
    app.extensions["lr_engine"].dispose()
    return app


@dataclass
class SharedApp:
    """One app per test process, and its settings as they were made."""

    app: Flask
    config: dict[str, Any]


@pytest.fixture(scope="session")
def shared_app(database_url: str, cache_dirs: dict[str, str]) -> SharedApp:
    # Building the app (binding its 230 URL rules) costs about a tenth of a second: thousands of
    # tests share one per process, each starting from the settings it was built with.
    app = _test_app(database_url, cache_dirs)
    return SharedApp(app, copy.deepcopy(dict(app.config)))


@pytest.fixture
def app(request: pytest.FixtureRequest, connection: Connection, shared_app: SharedApp) -> Flask:
    """The app, on the test's transaction. A test marked ``fresh_app`` (one that adds routes)
    gets an app of its own; the others share one, reset to its first settings, with empty
    rate-limit counters, no background jobs and the audit keys it derives."""
    from app import jobs
    from app.extensions import limiter

    if request.node.get_closest_marker("fresh_app"):
        app = _test_app(
            shared_app.config["DATABASE_URL"],
            {key: shared_app.config[key] for key in ("REPORT_CACHE_DIR", "GRAPH_CACHE_DIR")},
        )
    else:
        app = shared_app.app
        app.config.clear()
        app.config.update(copy.deepcopy(shared_app.config))
        app.extensions.pop(jobs.EXTENSION, None)
        configure_default_audit_keys(app.extensions["lr_audit_keys"])
        limiter.init_app(app)  # new, empty storage (another test's app may have replaced it)
    app.extensions["lr_session_factory"] = make_session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    return app


@pytest.fixture
def finish_job(app: Flask) -> Any:
    """finish_job(response) runs the background job a 202 response started (its Location
    header names it) and returns the ended ``models.Job``; also takes a job id."""
    from app import jobs

    def _finish(started: Any) -> Any:
        if isinstance(started, int):
            return jobs.wait(app, started)
        assert started.status_code == 202, started.get_data(as_text=True)
        location = started.headers["Location"]
        return jobs.wait(app, int(location.rstrip("/").rsplit("/", 1)[1]))

    return _finish


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """A CSRF token for this client's session, read from a page the way a browser would."""
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient, db_session: Session, world: World) -> Any:
    """login("chair") signs the client in as that world user (a real server-side session)."""

    def _login(who: str) -> int:
        import secrets

        user_id = world.users[who]
        token = secrets.token_urlsafe(32)
        db_session.add(UserSession(token_hash=_sha256(token), user_id=user_id))
        db_session.commit()
        with client.session_transaction() as flask_session:
            flask_session["sid"] = token
            flask_session["_user_id"] = str(user_id)
            flask_session["_fresh"] = True
            flask_session.permanent = True
        return user_id

    return _login


@pytest.fixture
def api(db_session: Session, world: World) -> Any:
    """api("chair") gives the headers of an API call made with a new token of that user."""

    def _headers(who: str) -> dict[str, str]:
        from app.security import create_api_token

        user = db_session.get(User, world.users[who])
        assert user is not None
        token = create_api_token(user, "tests", session=db_session)
        db_session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _headers
