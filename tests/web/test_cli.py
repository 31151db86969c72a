"""The command line: create-user, create-token, seed-demo, demo-logins, check-config,
prune-sessions and the database commands."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from models import Partnership, Review, User, UserSession
from tests.conftest import ROLES_ON_REVIEW


def test_create_user_takes_the_password_from_the_environment(runner: Any, db_session: Any) -> None:
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "New.Person@Example.org",
            "--name",
            "New Person",
            "--partnership",
            "Brand New Partnership",
            "--new-partnership",
        ],
        env={"LR_PASSWORD": "a long enough passphrase"},
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user is not None and user.partnership.name == "Brand New Partnership"
    assert user.password_hash.startswith("$argon2id$")


def test_create_user_refuses_a_common_password(runner: Any, db_session: Any) -> None:
    result = runner.invoke(
        args=[
            "create-user",
            *("--email", "x@example.org", "--name", "X", "--partnership", "P"),
            "--new-partnership",
        ],
        env={"LR_PASSWORD": "password1234"},
    )
    assert result.exit_code == 1
    assert "commonly used" in result.output
    assert db_session.scalar(select(Partnership).where(Partnership.name == "P")) is None


def test_create_token_prints_the_token_alone_on_the_last_line(runner: Any, client: Any) -> None:
    result = runner.invoke(args=["create-token", "--email", "chair@test.example.org"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert result.stdout.strip() == token  # nothing else on standard output
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["email"] == "chair@test.example.org"


def test_seed_demo_loads_child_f_and_logins_are_printed(runner: Any, db_session: Any) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    review = db_session.scalar(select(Review).where(Review.subject == "Child F"))
    assert review is not None
    assert len(review.agencies) >= 6 and len(review.people) >= 10
    roles = {m.role for m in review.memberships}
    assert roles == set(ROLES_ON_REVIEW)
    logins = runner.invoke(args=["demo-logins"])
    assert "chair@demo.example.org" in logins.output and "learning-review-demo" in logins.output
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert len(db_session.scalars(select(Review).where(Review.subject == "Child F")).all()) == 1


def test_create_user_refuses_a_partnership_that_does_not_exist(
    runner: Any, db_session: Any
) -> None:
    # A typo used to create a second tenant that nothing could rename or remove.
    before = db_session.scalar(select(func.count(Partnership.id)))
    result = runner.invoke(
        args=[
            "create-user",
            *("--email", "typo@example.org", "--name", "Typo Person"),
            *("--partnership", "Northshire Tset Partnership"),
        ],
        env={"LR_PASSWORD": "a long enough passphrase"},
    )
    assert result.exit_code == 1
    assert "no partnership called 'Northshire Tset Partnership'" in result.output
    assert "Northshire Test Partnership" in result.output  # the names it knows
    assert "--new-partnership" in result.output
    assert db_session.scalar(select(func.count(Partnership.id))) == before
    assert db_session.scalar(select(User).where(User.email == "typo@example.org")) is None
    joined = runner.invoke(
        args=[
            "create-user",
            *("--email", "typo@example.org", "--name", "Typo Person"),
            *("--partnership", "  northshire test   partnership "),
        ],
        env={"LR_PASSWORD": "a long enough passphrase"},
    )
    assert joined.exit_code == 0, joined.output
    user = db_session.scalar(select(User).where(User.email == "typo@example.org"))
    assert user is not None and user.partnership.name == "Northshire Test Partnership"


def test_seed_demo_refuses_in_production(app: Any, runner: Any, db_session: Any) -> None:
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "refuses to run in production" in result.output
    assert db_session.scalar(select(User).where(User.email.like("%@demo.example.org"))) is None


def test_prune_sessions_removes_only_ended_sessions(
    runner: Any, db_session: Any, world: Any
) -> None:
    now = datetime.now(UTC)
    user_id = world.users["chair"]
    sessions = {
        "live": UserSession(token_hash="1" * 64, user_id=user_id),
        "signed_out": UserSession(token_hash="2" * 64, user_id=user_id, revoked_at=now),
        "idle": UserSession(
            token_hash="3" * 64, user_id=user_id, last_seen_at=now - timedelta(hours=1)
        ),
        "too_old": UserSession(
            token_hash="4" * 64,
            user_id=user_id,
            created_at=now - timedelta(hours=13),
            last_seen_at=now,
        ),
    }
    db_session.add_all(sessions.values())
    db_session.commit()
    result = runner.invoke(args=["prune-sessions"])
    assert result.exit_code == 0, result.output
    assert "Removed 3 ended sessions." in result.output
    left = set(
        db_session.scalars(select(UserSession.token_hash).where(UserSession.user_id == user_id))
    )
    assert left == {"1" * 64}


def _app_on(url: str) -> Any:
    from app import create_app

    return create_app({"ENV_NAME": "testing", "DATABASE_URL": url})


def test_check_config_and_database_commands_on_a_database_of_their_own(tmp_path: Any) -> None:
    from tests.conftest import fresh_database_url

    app = _app_on(fresh_database_url("cli_db", tmp_path))
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["check-config"])
    assert empty.exit_code == 1
    assert "run `learning-review db upgrade` first" in empty.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    ready = runner.invoke(args=["check-config"])
    assert ready.exit_code == 0, ready.output
    assert "ready" in ready.output
    # `db downgrade -1` is a revision, not an unknown option (it used to need `-- -1`).
    down = runner.invoke(args=["db", "downgrade", "-1"])
    assert down.exit_code == 0, down.output
    behind = runner.invoke(args=["check-config"])
    assert behind.exit_code == 1 and "db upgrade" in behind.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    app.extensions["lr_engine"].dispose()


def _learning_review(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The console script as an operator runs it, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refusals_are_one_line_each(tmp_path: Any) -> None:
    strong = "5f0e9c1b7a3d48e2b6c4a9f1d0e7b3c58a2f6d4e1c9b0a7f3e5d2c8b6a4f1e0d"
    cases = {
        "weak key": ({"SECRET_KEY": "a" * 32}, "SECRET_KEY"),
        "no database": ({"SECRET_KEY": strong}, "DATABASE_URL"),
        "sqlite": (
            {"SECRET_KEY": strong, "DATABASE_URL": f"sqlite:///{tmp_path}/prod.db"},
            "SQLite",
        ),
    }
    for name, (settings, expected) in cases.items():
        env = {"LR_ENV": "production", "LR_INSTANCE_PATH": str(tmp_path), **settings}
        done = _learning_review("check-config", env=env)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode != 0, name
        assert len(lines) == 1, (name, done.stderr)
        assert expected in lines[0] and "Traceback" not in done.stderr, (name, lines)
