"""Users and partnerships: creating them and finding them, and what an account holds (its
memberships of reviews, its API tokens)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app.passwords import MIN_LENGTH, hash_password, password_problem
from app.services.errors import ServiceError
from models import ApiToken, Membership, Partnership, User, UserSession


def normalise_email(email: str) -> str:
    """The address in canonical form; syntax only, no look-ups (no network here or there)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ServiceError(f"Enter a valid email address: {error}", "email") from error
    return result.normalized.lower()


def find_partnership(name: str, *, session: Session) -> Partnership | None:
    """The partnership of that name (spaces and case aside), or None."""
    name = " ".join(name.split())
    return session.scalar(select(Partnership).where(func.lower(Partnership.name) == name.lower()))


def partnerships_among(session: Session, partnership_ids: Iterable[int]) -> list[Partnership]:
    """The partnerships of ``partnership_ids``, by name."""
    return list(
        session.scalars(
            select(Partnership)
            .where(Partnership.id.in_(list(partnership_ids)))
            .order_by(Partnership.name)
        )
    )


def get_or_create_partnership(name: str, *, session: Session) -> Partnership:
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the partnership's name", "partnership")
    existing = find_partnership(name, session=session)
    if existing is not None:
        return existing
    partnership = Partnership(name=name)
    session.add(partnership)
    session.flush()
    return partnership


def user_by_email(session: Session, email: str) -> User | None:
    """The account with the address ``email`` (stored normalised: lower case), or None."""
    return session.scalar(select(User).where(User.email == email))


def users_of(session: Session, partnership_ids: Iterable[int]) -> list[User]:
    """Every account of the partnerships of ``partnership_ids``, by name."""
    return list(
        session.scalars(
            select(User).where(User.partnership_id.in_(list(partnership_ids))).order_by(User.name)
        )
    )


def memberships_of(session: Session, user: User) -> list[Membership]:
    """The user's memberships of reviews (each with its review and role)."""
    return list(
        session.scalars(
            select(Membership).where(Membership.user_id == user.id).join(Membership.review)
        )
    )


def api_tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's API tokens, revoked and expired ones too, oldest first."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at)
        )
    )


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    password: str | None,
    partnership: Partnership,
    is_admin: bool = False,
    mfa_exempt: bool = False,
    password_minimum: int = MIN_LENGTH,
) -> User:
    """A new account. Without a password (an invitation) no password opens it until the
    invited person chooses one through their link."""
    email = normalise_email(email)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the person's name", "name")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ServiceError("There is already an account with that email address", "email")
    if password is not None and (
        problem := password_problem(password, minimum=password_minimum, email=email, name=name)
    ):
        raise ServiceError(problem, "password")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password or secrets.token_urlsafe(48)),
        partnership=partnership,
        is_admin=is_admin,
        mfa_exempt=mfa_exempt,
    )
    session.add(user)
    session.flush()
    return user


def prune_ended_sessions(
    *, session: Session, now: datetime, idle: timedelta, absolute: timedelta
) -> int:
    """Delete sign-in sessions that can no longer be used (signed out, revoked, idle too long
    or past their absolute limit); returns how many went. Audited sign-ins are kept."""
    result = session.execute(
        delete(UserSession).where(
            or_(
                UserSession.revoked_at.is_not(None),
                UserSession.last_seen_at < now - idle,
                UserSession.created_at < now - absolute,
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
