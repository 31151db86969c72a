"""Signing in and out: passwords, lockout, second factor, sessions, redirects, headers."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from models import AuditEntry, User, UserSession, utcnow
from tests.conftest import PASSWORD, World, csrf_token


def sign_in(client: Any, email: str, password: str, next_url: str | None = None) -> Any:
    token = csrf_token(client)
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": token, "email": email, "password": password})


def test_anonymous_visitor_is_sent_to_sign_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_sign_in_with_the_right_password_reaches_the_dashboard(client: Any) -> None:
    response = sign_in(client, "chair@test.example.org", PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "My reviews" in page and "Test review" in page


def test_wrong_password_and_unknown_email_get_the_same_message(client: Any) -> None:
    wrong = sign_in(client, "chair@test.example.org", "not the password at all")
    unknown = sign_in(client, "nobody@test.example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    message = "The email address or password is not right"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not signed in


def test_five_failures_lock_the_account_even_with_the_right_password(
    client: Any, db_session: Any
) -> None:
    for _ in range(5):
        sign_in(client, "observer@test.example.org", "wrong password guess")
    user = db_session.scalar(select(User).where(User.email == "observer@test.example.org"))
    db_session.refresh(user)
    assert user.locked_until is not None
    response = sign_in(client, "observer@test.example.org", PASSWORD)
    assert response.status_code == 401
    # After the 15 minutes, the right password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert sign_in(client, "observer@test.example.org", PASSWORD).status_code == 302


def test_failed_and_successful_sign_ins_are_audited(client: Any, db_session: Any) -> None:
    sign_in(client, "chair@test.example.org", "wrong password guess")
    sign_in(client, "chair@test.example.org", PASSWORD)
    actions = db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-2:] == ["sign_in_failed", "sign_in"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com",
        "javascript:alert(1)",
    ],
)
def test_next_redirects_only_to_local_paths(client: Any, target: str) -> None:
    response = sign_in(client, "chair@test.example.org", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.location == "/"


def test_next_to_a_local_path_is_followed(client: Any, world: World) -> None:
    target = f"/reviews/{world.review_id}"
    response = sign_in(client, "chair@test.example.org", PASSWORD, next_url=target)
    assert response.location == target


def test_logout_revokes_the_session_so_a_replayed_cookie_is_refused(client: Any, app: Any) -> None:
    sign_in(client, "chair@test.example.org", PASSWORD)
    with client.session_transaction() as saved:
        stolen = dict(saved)
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/").status_code == 302
    with client.session_transaction() as replay:
        replay.update(stolen)
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app: Any, db_session: Any) -> None:
    first, second = app.test_client(), app.test_client()
    sign_in(first, "panel-member@test.example.org", PASSWORD)
    sign_in(second, "panel-member@test.example.org", PASSWORD)
    new_password = "a completely different passphrase 7"
    response = first.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(first, "/account"),
            "current_password": PASSWORD,
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_deactivation_ends_the_users_sessions(
    app: Any, login: Any, client: Any, world: World
) -> None:
    victim = app.test_client()
    sign_in(victim, "observer@test.example.org", PASSWORD)
    assert victim.get("/").status_code == 200
    login("admin")
    client.post(
        f"/admin/users/{world.users['observer']}/active",
        data={"csrf_token": csrf_token(client, "/account")},
    )
    assert victim.get("/").status_code == 302
    assert sign_in(victim, "observer@test.example.org", PASSWORD).status_code == 401


def test_idle_and_absolute_timeouts(client: Any, db_session: Any) -> None:
    sign_in(client, "chair@test.example.org", PASSWORD)
    row = db_session.scalars(select(UserSession).order_by(UserSession.id.desc())).first()
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    db_session.commit()
    assert client.get("/").status_code == 302
    sign_in(client, "chair@test.example.org", PASSWORD)
    row = db_session.scalars(select(UserSession).order_by(UserSession.id.desc())).first()
    row.created_at = utcnow() - timedelta(hours=12, minutes=1)
    db_session.commit()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short", False),
        ("password1234", False),  # on the common-passwords list
        ("qwertyuiop123", False),
        ("correct horse battery staple", True),
        ("no rules about symbols here", True),
    ],
)
def test_password_rules(app: Any, password: str, accepted: bool) -> None:
    from app.security import password_problem

    with app.app_context():
        assert (password_problem(password) is None) is accepted


def test_cookies_are_httponly_and_samesite(client: Any) -> None:
    response = sign_in(client, "chair@test.example.org", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_carry_a_strict_content_security_policy(client: Any) -> None:
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.get_data(as_text=True)
    assert " style=" not in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(client: Any) -> None:
    response = client.post(
        "/sign-in", data={"email": "chair@test.example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


class TestSecondFactor:
    def _enrol(self, db_session: Any, email: str) -> tuple[User, str]:
        user = db_session.scalar(select(User).where(User.email == email))
        secret = pyotp.random_base32()
        user.totp_secret, user.totp_enabled = secret, True
        db_session.commit()
        return user, secret

    def test_admin_without_totp_must_enrol_before_signing_in(
        self, client: Any, db_session: Any
    ) -> None:
        user = db_session.scalar(select(User).where(User.email == "admin@test.example.org"))
        user.mfa_exempt = False
        db_session.commit()
        response = sign_in(client, "admin@test.example.org", PASSWORD)
        assert response.location == "/sign-in/two-factor/setup"
        assert client.get("/").status_code == 302  # not signed in yet
        page = client.get("/sign-in/two-factor/setup").get_data(as_text=True)
        secret = page.split('id="totp-secret">')[1].split("<")[0]
        response = client.post(
            "/sign-in/two-factor/setup",
            data={
                "csrf_token": csrf_token(client, "/sign-in/two-factor/setup"),
                "code": pyotp.TOTP(secret).now(),
            },
        )
        assert "Save your recovery codes" in response.get_data(as_text=True)
        assert client.get("/admin").status_code == 200

    def test_chair_is_asked_for_a_code_and_a_replayed_code_is_refused(
        self, app: Any, db_session: Any
    ) -> None:
        user, secret = self._enrol(db_session, "chair@test.example.org")
        user.mfa_exempt = False
        db_session.commit()
        code = pyotp.TOTP(secret).now()
        first, second = app.test_client(), app.test_client()
        for c in (first, second):
            assert sign_in(c, user.email, PASSWORD).location == "/sign-in/two-factor"
        ok = first.post(
            "/sign-in/two-factor",
            data={"csrf_token": csrf_token(first, "/sign-in/two-factor"), "code": code},
        )
        assert ok.status_code == 302 and first.get("/").status_code == 200
        replay = second.post(
            "/sign-in/two-factor",
            data={"csrf_token": csrf_token(second, "/sign-in/two-factor"), "code": code},
        )
        assert replay.status_code == 401
        assert second.get("/").status_code == 302

    def test_a_recovery_code_works_once(self, app: Any, db_session: Any, client: Any) -> None:
        user, _secret = self._enrol(db_session, "lead-reviewer@test.example.org")
        with app.test_request_context():
            from app import db as app_db
            from app.security import new_recovery_codes

            codes = new_recovery_codes(user)
            app_db.db().commit()
        for expected in (302, 401):
            c = app.test_client()
            sign_in(c, user.email, PASSWORD)
            response = c.post(
                "/sign-in/two-factor",
                data={"csrf_token": csrf_token(c, "/sign-in/two-factor"), "code": codes[0]},
            )
            assert response.status_code == expected

    def test_turning_the_second_factor_off_removes_the_recovery_codes_and_is_logged(
        self, app: Any, db_session: Any, client: Any
    ) -> None:
        from models import RecoveryCode

        user, secret = self._enrol(db_session, "panel-member@test.example.org")
        with app.test_request_context():
            from app import db as app_db
            from app.security import new_recovery_codes

            new_recovery_codes(user)
            app_db.db().commit()
        assert sign_in(client, user.email, PASSWORD).location == "/sign-in/two-factor"
        client.post(
            "/sign-in/two-factor",
            data={
                "csrf_token": csrf_token(client, "/sign-in/two-factor"),
                "code": pyotp.TOTP(secret).now(),
            },
        )
        response = client.post(
            "/account/two-factor/disable", data={"csrf_token": csrf_token(client, "/account")}
        )
        assert response.status_code == 302
        assert "Second factor turned off." in client.get("/account").get_data(as_text=True)
        db_session.expire_all()
        assert db_session.get(User, user.id).totp_enabled is False
        codes = db_session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id))
        assert list(codes) == []  # none left to stand in for a factor that is gone
        entry = db_session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "users", AuditEntry.entity_id == str(user.id))
            .order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None and json.loads(entry.after_json)["totp_enabled"] is False

    def test_api_tokens_never_ask_for_a_second_factor(
        self, client: Any, db_session: Any, app: Any
    ) -> None:
        user, _ = self._enrol(db_session, "chair@test.example.org")
        from app.security import create_api_token

        token = create_api_token(user, "script", session=db_session)
        db_session.commit()
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json["email"] == "chair@test.example.org"


def test_passwords_are_hashed_at_the_production_parameters_outside_the_suite() -> None:
    """The suite hashes cheaply (tests/conftest.py); the app itself never does."""
    import subprocess
    import sys

    script = "from app.passwords import hash_password; print(hash_password('x'))"
    made = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), made
