"""Single sign-on against a real OpenID Connect provider: panva's oidc-provider (from npm,
installed by `make test` into tests/oidc/) runs on the loopback, and the app signs people in
through it exactly as it would through a council's Entra ID."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from models import IdentityProvider, User
from tests.conftest import PASSWORD, World, csrf_token

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "learning-review-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests-only-0123456789"
CALLBACK = "http://localhost/sign-in/organisation/callback"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        ["node", str(PROVIDER_DIR / "provider.mjs"), str(port), CLIENT_ID, CLIENT_SECRET, CALLBACK],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # the provider prints "ready ISSUER" once it listens
    if not line.startswith("ready "):
        process.kill()
        _, errors = process.communicate(timeout=10)
        pytest.fail(f"the OpenID provider did not start: {line}{errors}")
    yield line.split()[1]
    process.terminate()
    process.communicate(timeout=10)


@pytest.fixture
def provider(issuer: str, db_session: Any, world: World) -> IdentityProvider:
    row = IdentityProvider(
        partnership_id=world.partnership_id,
        name="Northshire Council",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        email_domains=["test.example.org", "northshire.example.gov.uk"],
        creates_accounts=False,
    )
    db_session.add(row)
    db_session.commit()
    return row


def _through_provider(client: Any, email: str) -> Any:
    """Start single sign-on for ``email``, let the provider sign them in, and come back."""
    token = csrf_token(client)
    start = client.post("/sign-in/organisation", data={"csrf_token": token, "sso_email": email})
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    browser = requests.Session()
    location = start.location
    for _ in range(10):  # the provider's redirects, as a browser follows them
        if location.startswith(CALLBACK):
            break
        answer = browser.get(location, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text[:300]
        location = requests.compat.urljoin(location, answer.headers["Location"])
    else:
        pytest.fail("the provider never sent the browser back")
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def test_an_invited_person_signs_in_through_their_organisation(
    app: Flask, client: Any, provider: IdentityProvider, db_session: Any, world: World
) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with your organisation" in page
    done = _through_provider(client, "panel-member@test.example.org")
    assert done.status_code == 302 and done.location == "/", done.get_data(as_text=True)[:300]
    assert client.get(f"/reviews/{world.review_id}").status_code == 200
    user = db_session.scalar(select(User).where(User.email == "panel-member@test.example.org"))
    db_session.refresh(user)
    assert user.sso_issuer == provider.issuer and user.sso_subject


def test_a_chair_is_asked_for_our_second_factor_unless_the_provider_used_one(
    app: Flask, client: Any, provider: IdentityProvider, db_session: Any, world: World
) -> None:
    chair = db_session.get(User, world.users["chair"])
    chair.mfa_exempt = False
    db_session.commit()
    without = _through_provider(client, "chair@test.example.org")
    assert without.location.endswith("/sign-in/two-factor/setup")
    with client.session_transaction() as flask_session:
        flask_session.clear()
    # The provider says it used a one-time code ("amr": ["pwd", "otp"]): that is enough.
    requests.post(f"{provider.issuer}/test-control/second-factor/on", timeout=10)
    try:
        with_mfa = _through_provider(client, "chair@test.example.org")
    finally:
        requests.post(f"{provider.issuer}/test-control/second-factor/off", timeout=10)
    assert with_mfa.status_code == 302 and with_mfa.location == "/"


def test_nobody_without_an_invitation_gets_in_unless_the_domain_is_allowed(
    app: Flask, client: Any, provider: IdentityProvider, db_session: Any, world: World
) -> None:
    refused = _through_provider(client, "stranger@northshire.example.gov.uk")
    assert refused.status_code == 403
    assert "administrator to invite you" in refused.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email.like("stranger@%"))) is None
    provider.creates_accounts = True
    db_session.commit()
    with client.session_transaction() as flask_session:
        flask_session.clear()
    welcomed = _through_provider(client, "stranger@northshire.example.gov.uk")
    assert welcomed.status_code == 302 and welcomed.location == "/"
    created = db_session.scalar(
        select(User).where(User.email == "stranger@northshire.example.gov.uk")
    )
    assert created is not None and created.partnership_id == world.partnership_id


def test_an_unverified_email_and_an_unknown_domain_are_refused(
    app: Flask, client: Any, provider: IdentityProvider, db_session: Any
) -> None:
    provider.email_domains = [*provider.email_domains, "unverified.example.org"]
    db_session.commit()
    refused = _through_provider(client, "unverified@unverified.example.org")
    assert refused.status_code == 403 and "verified" in refused.get_data(as_text=True)
    token = csrf_token(client)
    elsewhere = client.post(
        "/sign-in/organisation", data={"csrf_token": token, "sso_email": "x@elsewhere.example"}
    )
    assert elsewhere.status_code == 302 and elsewhere.location.endswith("/sign-in")


def test_passwords_still_work_beside_single_sign_on(
    client: Any, provider: IdentityProvider
) -> None:
    token = csrf_token(client)
    signed_in = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "observer@test.example.org", "password": PASSWORD},
    )
    assert signed_in.status_code == 302
