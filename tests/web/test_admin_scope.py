"""Site administrators administer their own partnership only: the users they list, create,
deactivate and reactivate, and the partnerships they see (one rule: ``policy.administers``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Partnership, User
from tests.conftest import World, csrf_token


def test_an_administrator_lists_only_their_partnerships_users(
    client: Any, login: Any, world: World
) -> None:
    login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "chair@test.example.org" in page
    assert "outsider@test.example.org" not in page
    assert "Elsewhere Test Partnership" not in page
    partnerships = client.get("/admin/partnerships").get_data(as_text=True)
    assert "Northshire Test Partnership" in partnerships
    assert "Elsewhere Test Partnership" not in partnerships


def test_an_administrator_cannot_deactivate_another_partnerships_user(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("admin")
    token = csrf_token(client, "/admin/users")
    outsider = f"/admin/users/{world.users['outsider']}/active"
    assert client.post(outsider, data={"csrf_token": token}).status_code == 404
    db_session.expire_all()
    assert db_session.get(User, world.users["outsider"]).is_active is True
    ours = f"/admin/users/{world.users['observer']}/active"
    assert client.post(ours, data={"csrf_token": token}).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, world.users["observer"]).is_active is False


def test_an_administrator_creates_users_in_their_own_partnership_only(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("admin")
    elsewhere = db_session.scalar(
        select(Partnership.id).where(Partnership.name == "Elsewhere Test Partnership")
    )
    form = {
        "csrf_token": csrf_token(client, "/admin/users"),
        "name": "New Person",
        "email": "new-person@test.example.org",
        "password": "a long enough passphrase 91",
    }
    refused = client.post("/admin/users", data={**form, "partnership": str(elsewhere)})
    assert refused.status_code == 422
    assert db_session.scalar(select(User).where(User.email == form["email"])) is None
    made = client.post("/admin/users", data={**form, "partnership": str(world.partnership_id)})
    assert made.status_code == 302
    user = db_session.scalar(select(User).where(User.email == form["email"]))
    assert user is not None and user.partnership_id == world.partnership_id
