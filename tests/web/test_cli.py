"""The command line: create-user, create-token, seed-demo, demo-logins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Partnership, Review, User
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
        ],
        env={"LR_PASSWORD": "a long enough passphrase"},
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user is not None and user.partnership.name == "Brand New Partnership"
    assert user.password_hash.startswith("$argon2id$")


def test_create_user_refuses_a_common_password(runner: Any, db_session: Any) -> None:
    result = runner.invoke(
        args=["create-user", "--email", "x@example.org", "--name", "X", "--partnership", "P"],
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
