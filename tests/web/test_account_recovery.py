"""Invitations, forgotten passwords and the administrator's tools, with real email: the app
talks SMTP to a local sink (aiosmtpd) and the tests follow the links it sends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from models import AccountLink, AuditEntry, Membership, Partnership, Review, User
from tests.conftest import PASSWORD, World, csrf_token
from tests.helpers import post_form

NEW_PASSWORD = "plum orchard ferry lantern 7"


class Sink:
    """An SMTP server on the loopback that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def link(self, to: str) -> str:
        """The path of the last link emailed to ``to``."""
        for message in reversed(self.messages):
            if message["To"] == to:
                match = re.search(r"https?://[^/\s]+(/set-password/\S+)", message.get_payload())
                assert match, message.get_payload()
                return match.group(1)
        raise AssertionError(f"no email to {to}")


@pytest.fixture
def smtp(app: Flask) -> Iterator[Sink]:
    import socket

    with socket.socket() as probe:  # a free port (the controller checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
        MAIL_FROM="Learning Review <no-reply@test.example.org>",
    )
    yield sink
    controller.stop()


def _sign_in(client: Any, email: str, password: str) -> Any:
    token = csrf_token(client)
    return client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})


def test_forgot_password_emails_a_single_use_link_and_says_the_same_for_anyone(
    client: Any, smtp: Sink, db_session: Any
) -> None:
    known = post_form(
        client, "/forgot-password", {"email": "panel-member@test.example.org"}, "/forgot-password"
    )
    unknown = post_form(
        client, "/forgot-password", {"email": "nobody@test.example.org"}, "/forgot-password"
    )
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r"<strong>[^<]*</strong>|csrf_token[^>]*>", "", html)  # noqa: E731
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    assert [m["To"] for m in smtp.messages] == ["panel-member@test.example.org"]

    link = smtp.link("panel-member@test.example.org")
    page = client.get(link)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    short = post_form(client, link, {"password": "short"}, link)
    assert short.status_code == 422
    done = post_form(client, link, {"password": NEW_PASSWORD}, link)
    assert done.status_code == 302 and done.location.endswith("/sign-in")
    assert client.get(link).status_code == 410  # single use
    assert _sign_in(client, "panel-member@test.example.org", PASSWORD).status_code == 401
    assert _sign_in(client, "panel-member@test.example.org", NEW_PASSWORD).status_code == 302
    notices = [m for m in smtp.messages if "change to your" in m["Subject"]]
    assert len(notices) == 1  # the owner is told their password was reset


def test_an_expired_link_does_not_work(client: Any, smtp: Sink, db_session: Any) -> None:
    from datetime import UTC, datetime, timedelta

    post_form(
        client, "/forgot-password", {"email": "observer@test.example.org"}, "/forgot-password"
    )
    link = smtp.link("observer@test.example.org")
    row = db_session.scalars(select(AccountLink).order_by(AccountLink.id.desc())).first()
    row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db_session.commit()
    assert client.get(link).status_code == 410
    assert post_form(client, link, {"password": NEW_PASSWORD}, "/sign-in").status_code == 410


def test_an_invitation_lets_the_person_choose_their_password(
    client: Any, login: Any, smtp: Sink, db_session: Any, world: World
) -> None:
    login("admin")
    created = post_form(
        client,
        "/admin/users",
        {
            "name": "Invited Person",
            "email": "invited@test.example.org",
            "partnership": str(world.partnership_id),
        },
        "/admin/users",
    )
    assert created.status_code == 302
    invited = db_session.scalar(select(User).where(User.email == "invited@test.example.org"))
    assert invited is not None and not invited.must_change_password
    message = smtp.messages[-1]
    assert message["Subject"] == "You have been invited to Learning Review"
    link = smtp.link("invited@test.example.org")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert "Welcome to Learning Review" in client.get(link).get_data(as_text=True)
    assert post_form(client, link, {"password": NEW_PASSWORD}, link).status_code == 302
    assert _sign_in(client, "invited@test.example.org", NEW_PASSWORD).status_code == 302


def test_without_email_the_administrator_is_given_the_link(
    app: Flask, client: Any, login: Any, db_session: Any, world: World
) -> None:
    app.config["SMTP_HOST"] = ""
    login("admin")
    created = post_form(
        client,
        "/admin/users",
        {
            "name": "Linked Person",
            "email": "linked@test.example.org",
            "partnership": str(world.partnership_id),
        },
        "/admin/users",
    )
    page = client.get(created.location).get_data(as_text=True)
    match = re.search(r"(/set-password/[A-Za-z0-9_-]+)", page)
    assert match and "does not send email" in page
    assert client.get(match.group(1)).status_code == 200
    forgot = client.get("/forgot-password").get_data(as_text=True)
    assert "Ask your partnership" in forgot


def test_a_password_the_administrator_sets_must_be_changed_first(
    client: Any, login: Any, smtp: Sink, db_session: Any, world: World
) -> None:
    login("admin")
    user_id = world.users["panel_member"]
    set_it = post_form(
        client,
        f"/admin/users/{user_id}/password",
        {"password": "temporary harbour kettle 3"},
        f"/admin/users/{user_id}",
    )
    assert set_it.status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert (
        _sign_in(client, "panel-member@test.example.org", "temporary harbour kettle 3").status_code
        == 302
    )
    elsewhere = client.get(f"/reviews/{world.review_id}")
    assert elsewhere.status_code == 302 and "/account" in elsewhere.location
    assert client.get(f"/api/v1/reviews/{world.review_id}").status_code == 403
    settings = client.get("/account").get_data(as_text=True)
    assert "Your administrator chose your password" in settings
    same = post_form(
        client,
        "/account/password",
        {
            "current_password": "temporary harbour kettle 3",
            "new_password": "temporary harbour kettle 3",
            "confirm_password": "temporary harbour kettle 3",
        },
        "/account",
    )
    assert same.status_code == 422
    assert "not the one you have now" in same.get_data(as_text=True)
    assert client.get(f"/reviews/{world.review_id}").status_code == 302
    changed = post_form(
        client,
        "/account/password",
        {
            "current_password": "temporary harbour kettle 3",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        "/account",
    )
    assert changed.status_code == 302
    assert client.get(f"/reviews/{world.review_id}").status_code == 200


def test_a_chair_who_lost_their_phone_is_reset_and_enrols_again(
    client: Any, login: Any, smtp: Sink, db_session: Any, world: World
) -> None:
    chair = db_session.get(User, world.users["chair"])
    chair.totp_secret = "JBSWY3DPEHPK3PXP"
    chair.totp_enabled = True
    chair.mfa_exempt = False
    db_session.commit()
    assert _sign_in(client, "chair@test.example.org", PASSWORD).location.endswith(
        "/sign-in/two-factor"
    )
    client.get("/sign-in")  # the pending step times out of the way: start again as admin
    with client.session_transaction() as flask_session:
        flask_session.clear()
    login("admin")
    reset = post_form(
        client, f"/admin/users/{chair.id}/two-factor", page=f"/admin/users/{chair.id}"
    )
    assert reset.status_code == 302
    db_session.expire_all()
    assert not db_session.get(User, chair.id).totp_enabled
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    again = _sign_in(client, "chair@test.example.org", PASSWORD)
    assert again.location.endswith("/sign-in/two-factor/setup")  # enrols a new authenticator
    assert any("second factor" in m.get_payload() for m in smtp.messages)


def test_unlock_lets_a_locked_out_user_sign_in(
    client: Any, login: Any, db_session: Any, world: World
) -> None:
    for _ in range(5):
        _sign_in(client, "observer@test.example.org", "wrong password entirely")
    assert _sign_in(client, "observer@test.example.org", PASSWORD).status_code == 401
    login("admin")
    user_id = world.users["observer"]
    assert post_form(client, f"/admin/users/{user_id}/unlock", page="/admin").status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert _sign_in(client, "observer@test.example.org", PASSWORD).status_code == 302


def test_admin_edits_details_but_not_their_own_administration(
    client: Any, login: Any, db_session: Any, world: World
) -> None:
    login("admin")
    user_id = world.users["observer"]
    saved = post_form(
        client,
        f"/admin/users/{user_id}",
        {"name": "Renamed Observer", "email": "renamed@test.example.org", "is_admin": "y"},
        f"/admin/users/{user_id}",
    )
    assert saved.status_code == 302
    db_session.expire_all()
    observer = db_session.get(User, user_id)
    assert (observer.name, observer.email, observer.is_admin) == (
        "Renamed Observer",
        "renamed@test.example.org",
        True,
    )
    own = world.users["admin"]
    refused = post_form(
        client,
        f"/admin/users/{own}",
        {"name": "Test Admin", "email": "admin@test.example.org"},
        f"/admin/users/{own}",
    )
    assert refused.status_code == 422
    assert "cannot remove your own administration" in refused.get_data(as_text=True)
    assert db_session.get(User, own).is_admin


def test_an_administrator_reaches_only_their_partnerships_accounts(
    client: Any, login: Any, world: World
) -> None:
    login("admin")
    outsider = world.users["outsider"]
    assert client.get(f"/admin/users/{outsider}").status_code == 404
    assert (
        post_form(client, f"/admin/users/{outsider}/two-factor", page="/admin").status_code == 404
    )


def test_an_orphaned_review_gets_a_new_chair(
    client: Any, login: Any, db_session: Any, world: World
) -> None:
    chair = db_session.scalar(
        select(Membership).where(
            Membership.review_id == world.review_id, Membership.role == "chair"
        )
    )
    db_session.delete(chair)
    db_session.commit()
    login("admin")
    listing = client.get("/admin/reviews").get_data(as_text=True)
    assert "No active chair" in listing and "Test review" in listing
    appointed = post_form(
        client,
        f"/admin/reviews/{world.review_id}/chair",
        {"user": str(world.users["lead_reviewer"])},
        "/admin/reviews",
    )
    assert appointed.status_code == 302
    roles = {
        m.user_id: m.role
        for m in db_session.scalars(
            select(Membership).where(Membership.review_id == world.review_id)
        )
    }
    assert roles[world.users["lead_reviewer"]] == "chair"
    # The appointment stands out in the review's audit trail, as a chair's own hand-over does.
    appointments = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.review_id == world.review_id, AuditEntry.action == "chair.appoint"
        )
    ).all()
    assert [entry.actor_id for entry in appointments] == [world.users["admin"]]


def test_the_operator_merges_a_typo_partnership_and_renames_one(
    runner: Any, db_session: Any, world: World
) -> None:
    typo = Partnership(name="Northshire Tset Partnership")
    db_session.add(typo)
    db_session.flush()
    stray = User(
        email="stray@test.example.org",
        name="Stray User",
        password_hash="x",
        partnership_id=typo.id,
    )
    db_session.add(stray)
    db_session.add(
        Review(
            partnership_id=typo.id,
            title="Stray review",
            subject="Child S",
            review_type="rapid_review",
        )
    )
    db_session.commit()
    merged = runner.invoke(
        args=[
            "merge-partnerships",
            *("--from", "Northshire Tset Partnership", "--into", "Northshire Test Partnership"),
        ]
    )
    assert merged.exit_code == 0, merged.output
    db_session.expire_all()
    assert db_session.get(User, stray.id).partnership_id == world.partnership_id
    assert db_session.scalar(
        select(Review).where(Review.title == "Stray review")
    ).partnership_id == (world.partnership_id)
    assert db_session.scalar(select(Partnership).where(Partnership.name.like("%Tset%"))) is None
    renamed = runner.invoke(
        args=[
            "rename-partnership",
            "--name",
            "Northshire Test Partnership",
            "--to",
            "Northshire SCP",
        ]
    )
    assert renamed.exit_code == 0, renamed.output
    db_session.expire_all()
    assert db_session.get(Partnership, world.partnership_id).name == "Northshire SCP"


def test_an_administrator_cannot_take_over_a_chaired_review_or_appoint_themselves(
    client: Any, login: Any, db_session: Any, world: World
) -> None:
    login("admin")
    listing = client.get("/admin/reviews").get_data(as_text=True)
    assert "The chair appoints any other chair" in listing
    refused = post_form(
        client,
        f"/admin/reviews/{world.review_id}/chair",
        {"user": str(world.users["admin"])},
        "/admin/reviews",
    )
    assert refused.status_code == 302
    assert "has a chair" in client.get("/admin/reviews").get_data(as_text=True)
    admin_role = db_session.scalar(
        select(Membership.role).where(
            Membership.review_id == world.review_id, Membership.user_id == world.users["admin"]
        )
    )
    assert admin_role is None
    assert client.get(f"/reviews/{world.review_id}/people/real-names").status_code == 404
    chair = db_session.scalar(
        select(Membership).where(
            Membership.review_id == world.review_id, Membership.role == "chair"
        )
    )
    db_session.delete(chair)
    db_session.commit()
    themselves = post_form(
        client,
        f"/admin/reviews/{world.review_id}/chair",
        {"user": str(world.users["admin"])},
        "/admin/reviews",
    )
    assert themselves.status_code == 302
    assert (
        db_session.scalar(
            select(Membership.id).where(
                Membership.review_id == world.review_id, Membership.user_id == world.users["admin"]
            )
        )
        is None
    )
