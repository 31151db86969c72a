"""The second factor is checked whenever a role changes, not only at sign-in (every role that
may read real names needs one); minting an API token needs a recent second factor; tokens
expire and are revoked when the password changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
from sqlalchemy import select

from models import ApiToken, Membership, User, UserSession, utcnow
from tests.conftest import PASSWORD, World, csrf_token


def _needs_totp(db_session: Any, world: World, who: str, *, enrolled: bool = False) -> str:
    user = db_session.get(User, world.users[who])
    user.mfa_exempt = False
    secret = pyotp.random_base32()
    if enrolled:
        user.totp_secret, user.totp_enabled = secret, True
    db_session.commit()
    return secret


def test_a_member_promoted_to_chair_must_set_up_a_second_factor_before_acting(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    _needs_totp(db_session, world, "observer")
    login("observer")  # a password-only session: observers need no second factor
    overview = f"/reviews/{world.review_id}"
    assert client.get(overview).status_code == 200
    membership = db_session.scalars(
        select(Membership).where(
            Membership.review_id == world.review_id,
            Membership.user_id == world.users["observer"],
        )
    ).one()
    membership.role = "chair"
    db_session.commit()
    response = client.get(overview)
    assert response.status_code == 302
    assert response.location == "/sign-in/two-factor/setup"
    assert client.get(overview).status_code == 302  # the password-only session has ended
    page = client.get("/sign-in/two-factor/setup").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    done = client.post(
        "/sign-in/two-factor/setup",
        data={
            "csrf_token": csrf_token(client, "/sign-in/two-factor/setup"),
            "code": pyotp.TOTP(secret).now(),
        },
    )
    assert "Save your recovery codes" in done.get_data(as_text=True)
    assert client.get(overview).status_code == 200


def test_every_role_that_reads_real_names_needs_a_second_factor(
    app: Any, world: World, db_session: Any
) -> None:
    roles = (
        ("panel_member", True),
        ("agency_rep", True),
        ("lead_reviewer", True),
        ("board_member", False),
        ("facilitator", False),
    )
    for who, _ in roles:
        _needs_totp(db_session, world, who)
    for who, needs in roles:
        client = app.test_client()
        response = client.post(
            "/sign-in",
            data={
                "csrf_token": csrf_token(client),
                "email": db_session.get(User, world.users[who]).email,
                "password": PASSWORD,
            },
        )
        where = "/sign-in/two-factor/setup" if needs else "/"
        assert response.location == where, who


def _age_second_factor(db_session: Any, user_id: int, minutes: int) -> None:
    for row in db_session.scalars(select(UserSession).where(UserSession.user_id == user_id)):
        row.second_factor_at = utcnow() - timedelta(minutes=minutes)
    db_session.commit()


def _tokens_of(db_session: Any, user_id: int) -> list[ApiToken]:
    db_session.expire_all()
    return list(db_session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))


def test_minting_a_token_needs_a_second_factor_within_fifteen_minutes(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    secret = _needs_totp(db_session, world, "panel_member", enrolled=True)
    user_id = login("panel_member")
    _age_second_factor(db_session, user_id, 20)
    page = client.get("/account").get_data(as_text=True)
    assert "Code from your authenticator app" in page
    token = csrf_token(client, "/account")
    refused = client.post("/account/tokens", data={"csrf_token": token, "name": "script"})
    assert refused.status_code == 422
    assert "Enter a code from your authenticator app" in refused.get_data(as_text=True)
    assert _tokens_of(db_session, user_id) == []
    made = client.post(
        "/account/tokens",
        data={"csrf_token": token, "name": "script", "code": pyotp.TOTP(secret).now()},
    )
    assert made.status_code == 200 and 'id="new-token"' in made.get_data(as_text=True)
    assert len(_tokens_of(db_session, user_id)) == 1
    # The code just entered counts as a recent second factor for the next token.
    again = client.post("/account/tokens", data={"csrf_token": token, "name": "second"})
    assert again.status_code == 200
    assert len(_tokens_of(db_session, user_id)) == 2


def test_tokens_expire_after_ninety_days_as_shown(
    client: Any, api: Any, login: Any, world: World, db_session: Any
) -> None:
    headers = api("panel_member")
    me = client.get("/api/v1/me", headers=headers).json
    expires = me["token"]["expires_at"]
    assert expires[:10] == (utcnow() + timedelta(days=90)).date().isoformat()
    login("panel_member")
    settings = client.get("/account").get_data(as_text=True)
    assert "Expires" in settings
    row = _tokens_of(db_session, world.users["panel_member"])[0]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert "Expired" in client.get("/account").get_data(as_text=True)


def test_a_password_change_revokes_the_users_tokens(
    client: Any, api: Any, login: Any, world: World, db_session: Any
) -> None:
    headers = api("panel_member")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    login("panel_member")
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account"),
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase 77",
            "confirm_password": "a brand new passphrase 77",
        },
    )
    assert changed.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_operator_mints_a_token_with_its_expiry_on_standard_error(
    runner: Any, client: Any
) -> None:
    result = runner.invoke(args=["create-token", "--email", "chair@test.example.org"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert result.stdout.strip() == token
    expiry = (utcnow() + timedelta(days=90)).date().isoformat()
    assert f"expires {expiry}" in result.stderr
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["token"]["expires_at"].startswith(expiry)
