"""Creating users and partnerships."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.security import hash_password, password_problem
from app.services.errors import ServiceError
from models import Partnership, User


def normalise_email(email: str) -> str:
    """The address in canonical form; syntax only, no look-ups (no network here or there)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ServiceError(f"Enter a valid email address: {error}", "email") from error
    return result.normalized.lower()


def get_or_create_partnership(name: str, *, session: Session) -> Partnership:
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the partnership's name", "partnership")
    existing = session.scalar(
        select(Partnership).where(func.lower(Partnership.name) == name.lower())
    )
    if existing is not None:
        return existing
    partnership = Partnership(name=name)
    session.add(partnership)
    session.flush()
    return partnership


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    password: str,
    partnership: Partnership,
    is_admin: bool = False,
    mfa_exempt: bool = False,
) -> User:
    email = normalise_email(email)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the person's name", "name")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ServiceError("There is already an account with that email address", "email")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise ServiceError(problem, "password")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        partnership=partnership,
        is_admin=is_admin,
        mfa_exempt=mfa_exempt,
    )
    session.add(user)
    session.flush()
    return user
