"""Signing out from the recovery-codes page shown right after setting up a second factor
signs out (it used to answer a CSRF 400: the page carried the token of the session that
signing in had just replaced)."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from sqlalchemy import select

from models import User
from tests.conftest import PASSWORD, csrf_token


def test_sign_out_from_the_recovery_codes_page_after_enrolment(
    client: Any, db_session: Any
) -> None:
    user = db_session.scalar(select(User).where(User.email == "admin@test.example.org"))
    user.mfa_exempt = False
    db_session.commit()
    signed = client.post(
        "/sign-in",
        data={"csrf_token": csrf_token(client), "email": user.email, "password": PASSWORD},
    )
    assert signed.location == "/sign-in/two-factor/setup"
    page = client.get("/sign-in/two-factor/setup").get_data(as_text=True)
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    codes_page = client.post(
        "/sign-in/two-factor/setup",
        data={
            "csrf_token": csrf_token(client, "/sign-in/two-factor/setup"),
            "code": pyotp.TOTP(secret).now(),
        },
    ).get_data(as_text=True)
    assert "Save your recovery codes" in codes_page
    form = re.search(
        r'action="/sign-out".*?name="csrf_token"[^>]*value="([^"]+)"', codes_page, re.S
    )
    assert form, "no sign-out form on the recovery codes page"
    signed_out = client.post("/sign-out", data={"csrf_token": form.group(1)})
    assert signed_out.status_code == 302 and signed_out.location == "/sign-in"
    assert client.get("/").status_code == 302  # signed out for real
