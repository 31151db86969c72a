"""Invitations, password resets and security notices by email: the messages and their links,
shared by the sign-in pages (a forgotten password) and the admin pages (an invitation, a reset,
a notice)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, url_for

from app.db import db
from app.mailer import send_mail
from app.services.accounts import issue_account_link
from models import User


def link_message(user: User, token: str, purpose: str) -> tuple[str, str, str]:
    """The subject, body and URL of an invitation or reset email."""
    url = url_for("auth.account_link", token=token, _external=True)
    if purpose == "invitation":
        days = current_app.config["INVITATION_LIFETIME"].days
        subject = "You have been invited to Learning Review"
        body = (
            f"Hello {user.name},\n\nAn account has been made for you on Learning Review. "
            f"Choose your password here (the link works once, for {days} days):\n\n{url}\n\n"
            "If you were not expecting this, you can ignore this email."
        )
    else:
        minutes = int(current_app.config["RESET_LINK_LIFETIME"].total_seconds() // 60)
        subject = "Reset your Learning Review password"
        body = (
            f"Hello {user.name},\n\nSomeone asked to reset the password of your Learning Review "
            f"account. Choose a new one here (the link works once, for {minutes} minutes):"
            f"\n\n{url}\n\nIf it was not you, ignore this email: your password stays as it is."
        )
    return subject, body, url


def send_account_link(user: User, purpose: str) -> tuple[bool, str]:
    """Issue a link for ``user`` and email it; (sent, url) so an administrator can pass it on."""
    config = current_app.config
    lifetime = config["INVITATION_LIFETIME" if purpose == "invitation" else "RESET_LINK_LIFETIME"]
    token = issue_account_link(
        session=db(), user=user, purpose=purpose, now=datetime.now(UTC), lifetime=lifetime
    )
    subject, body, url = link_message(user, token, purpose)
    return send_mail(user.email, subject, body), url


def security_notice(user: User, what: str) -> None:
    """Tell the account's owner that something about its security changed."""
    send_mail(
        user.email,
        "A change to your Learning Review account",
        f"Hello {user.name},\n\n{what}\n\nIf this was not you or your administrator, tell your "
        "administrator at once.",
    )
