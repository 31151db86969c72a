"""Account recovery and administration: invitation and reset links, passwords an administrator
sets, second-factor resets, unlocking, editing a user, and renaming or merging partnerships.

Links are single-use and time-limited; only a SHA-256 of the token is stored. Every change here
is an audited model change (``User`` is audited) or an explicit audit record.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.passwords import MIN_LENGTH, hash_password, password_problem
from app.services.errors import ServiceError
from app.services.users import normalise_email
from models import (
    AccountLink,
    Agency,
    Base,
    Partnership,
    PartnershipCondition,
    RecoveryCode,
    User,
    audit,
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def issue_account_link(
    *, session: Session, user: User, purpose: str, now: datetime, lifetime: timedelta
) -> str:
    """A new link token for ``user`` (the earlier unused ones of that purpose stop working)."""
    session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    audit.record(
        session,
        f"account_link_{purpose}",
        entity_type="users",
        entity_id=str(user.id),
        after={"expires_at": (now + lifetime).isoformat()},
    )
    return token


def live_account_link(*, session: Session, token: str, now: datetime) -> AccountLink | None:
    """The unused, unexpired link of ``token`` whose user is active, or None."""
    link = session.scalar(select(AccountLink).where(AccountLink.token_hash == _digest(token)))
    if link is None or link.used_at is not None or _aware(link.expires_at) <= now:
        return None
    return link if link.user.is_active else None


def awaiting_invitation(session: Session, user: User) -> bool:
    """Whether ``user`` was invited and has not chosen a password yet (an invitation link is
    unused: choosing a password through any link uses them all)."""
    unused = session.scalar(
        select(AccountLink.id)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == "invitation",
            AccountLink.used_at.is_(None),
        )
        .limit(1)
    )
    return unused is not None


def set_password_from_link(
    *,
    session: Session,
    link: AccountLink,
    password: str,
    now: datetime,
    password_minimum: int = MIN_LENGTH,
) -> User:
    """The link's user chooses their password; the link (and any other) stops working."""
    user = link.user
    if problem := password_problem(
        password, minimum=password_minimum, email=user.email, name=user.name
    ):
        raise ServiceError(problem, "password")
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.must_change_password = False
    user.failed_logins = 0
    user.locked_until = None
    session.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
        .values(used_at=now)
    )
    session.flush()
    return user


def set_temporary_password(
    *,
    session: Session,
    user: User,
    password: str,
    now: datetime,
    password_minimum: int = MIN_LENGTH,
) -> None:
    """An administrator chooses a password: the user must change it at their next sign-in."""
    if problem := password_problem(
        password, minimum=password_minimum, email=user.email, name=user.name
    ):
        raise ServiceError(problem, "password")
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.must_change_password = True
    session.flush()


def reset_second_factor(*, session: Session, user: User) -> None:
    """Forget the user's authenticator and recovery codes: they enrol again at next sign-in."""
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_timecode = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
    audit.record(session, "two_factor_reset", entity_type="users", entity_id=str(user.id))


def unlock(*, session: Session, user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    audit.record(session, "account_unlocked", entity_type="users", entity_id=str(user.id))


def edit_user(
    *,
    session: Session,
    user: User,
    actor: User,
    name: str,
    email: str,
    partnership: Partnership,
    is_admin: bool,
) -> None:
    """Change a user's details; an administrator cannot remove their own administration."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the person's name", "name")
    email = normalise_email(email)
    clash = session.scalar(select(User.id).where(User.email == email, User.id != user.id))
    if clash is not None:
        raise ServiceError("Another account already uses that email address", "email")
    if user.id == actor.id and not is_admin:
        raise ServiceError("You cannot remove your own administration", "is_admin")
    user.name = name
    user.email = email
    user.partnership = partnership
    user.is_admin = is_admin
    session.flush()


def rename_partnership(*, session: Session, partnership: Partnership, name: str) -> None:
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Enter the partnership's name", "name")
    clash = session.scalar(
        select(Partnership.id).where(
            func.lower(Partnership.name) == name.lower(), Partnership.id != partnership.id
        )
    )
    if clash is not None:
        raise ServiceError(f"There is already a partnership called {name}", "name")
    partnership.name = name
    session.flush()


_Named = TypeVar("_Named", Agency, PartnershipCondition)


def _merge_same_named(
    session: Session, model: type[_Named], key: str, *, source: Partnership, target: Partnership
) -> None:
    """Fold each of ``source``'s rows of ``model`` into ``target``'s row with the same ``key``
    (references repointed, the duplicate deleted); a row with no match moves as it is."""
    theirs = {
        getattr(row, key): row
        for row in session.scalars(select(model).where(model.partnership_id == target.id))
    }
    for row in session.scalars(select(model).where(model.partnership_id == source.id)):
        same = theirs.get(getattr(row, key))
        if same is not None:
            _repoint(session, table=model.__tablename__, old=row.id, new=same.id)
            session.delete(row)
    session.flush()


def merge_partnerships(*, session: Session, source: Partnership, target: Partnership) -> None:
    """Move everything of ``source`` (a typo's tenant, or two boards joining) into ``target``
    and remove ``source``. Directory agencies and library conditions of the same name become
    one entry; every other row that belongs to a partnership moves as it is."""
    if source.id == target.id:
        raise ServiceError("Choose a different partnership to merge into", "target")
    _merge_same_named(session, Agency, "name_key", source=source, target=target)
    _merge_same_named(session, PartnershipCondition, "label_key", source=source, target=target)
    _repoint(session, table="partnerships", old=source.id, new=target.id)
    audit.record(
        session,
        "partnerships_merged",
        entity_type="partnerships",
        entity_id=str(target.id),
        before={"merged": source.name},
        after={"into": target.name},
    )
    session.delete(source)
    session.flush()


def _repoint(session: Session, *, table: str, old: int, new: int) -> None:
    """Every column that refers to row ``old`` of ``table`` refers to ``new`` instead."""
    for other in Base.metadata.sorted_tables:
        for column in other.columns:
            if any(fk.column.table.name == table for fk in column.foreign_keys):
                session.execute(other.update().where(column == old).values({column.name: new}))
