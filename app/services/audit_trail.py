"""A review's audit trail, filtered by person, kind and date: who changed, read, exported or
signed in, for the review's chair and lead reviewer (and as CSV for the partnership's records).

Restricted values in entries (real names, and free text that may hold one) are decrypted
only for a reader the caller has checked may see them (``AuditReader``); the CSV holds the
free text pseudonymised and never a person's real name, aliases or date of birth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from app.services.anonymity import anonymiser_for
from models import AuditEntry, Membership, Person, Review, User
from models.audit.sealing import AuditReader

SIGN_IN_ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "two_factor_failed")
# What the kinds of the filter mean, as conditions on an entry.
KINDS: dict[str, str] = {
    "real_names": "Views of real names",
    "exports": "Exports",
    "sign_ins": "Sign-ins",
    "changes": "Changes",
}
PAGE_SIZE = 200


@dataclass(frozen=True)
class TrailFilter:
    """What to show: one person (a user id), one kind, a range of days (UTC, inclusive)."""

    person: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _is_read() -> ColumnElement[bool]:
    return AuditEntry.action.like("view%")


def _is_export() -> ColumnElement[bool]:
    return or_(AuditEntry.action.like("export%"), AuditEntry.action.like("download%"))


def _is_sign_in() -> ColumnElement[bool]:
    return AuditEntry.action.in_(SIGN_IN_ACTIONS)


def _kind_condition(kind: str) -> ColumnElement[bool]:
    if kind == "real_names":
        return AuditEntry.action == "view_real_names"
    if kind == "exports":
        return _is_export()
    if kind == "sign_ins":
        return _is_sign_in()
    return not_(or_(_is_read(), _is_export(), _is_sign_in()))


def _members(review: Review) -> Select[int]:
    return select(Membership.user_id).where(Membership.review_id == review.id)


def _member_ids_as_text(session: Session, review: Review) -> list[str]:
    return [str(user_id) for user_id in session.scalars(_members(review))]


def trail_statement(session: Session, review: Review, wanted: TrailFilter) -> Select[Any]:
    """Entries of the review, and sign-ins of its members, that match ``wanted``."""
    member_ids = _member_ids_as_text(session, review)
    sign_ins_of_members = and_(
        _is_sign_in(),
        or_(
            AuditEntry.actor_id.in_(_members(review)),
            and_(AuditEntry.entity_type == "users", AuditEntry.entity_id.in_(member_ids)),
        ),
    )
    statement = select(AuditEntry).where(
        or_(AuditEntry.review_id == review.id, sign_ins_of_members)
    )
    if wanted.kind:
        statement = statement.where(_kind_condition(wanted.kind))
    if wanted.person is not None:
        statement = statement.where(
            or_(
                AuditEntry.actor_id == wanted.person,
                and_(
                    _is_sign_in(),
                    AuditEntry.entity_type == "users",
                    AuditEntry.entity_id == str(wanted.person),
                ),
            )
        )
    if wanted.date_from:
        statement = statement.where(
            AuditEntry.at >= datetime.combine(wanted.date_from, time(), UTC)
        )
    if wanted.date_to:
        end = datetime.combine(wanted.date_to + timedelta(days=1), time(), UTC)
        statement = statement.where(AuditEntry.at < end)
    return statement


def trail_page(
    session: Session, review: Review, wanted: TrailFilter, limit: int = PAGE_SIZE
) -> tuple[list[AuditEntry], int]:
    """The newest ``limit`` matching entries and how many match in all."""
    statement = trail_statement(session, review, wanted)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    entries = session.scalars(statement.order_by(AuditEntry.seq.desc()).limit(limit)).all()
    return list(entries), total


def people_in_trail(session: Session, review: Review) -> list[tuple[int, str]]:
    """(user id, name) of the review's members and of anyone else who acted on it."""
    acted = select(AuditEntry.actor_id).where(
        AuditEntry.review_id == review.id, AuditEntry.actor_id.is_not(None)
    )
    users = session.scalars(
        select(User)
        .where(or_(User.id.in_(_members(review)), User.id.in_(acted)))
        .order_by(User.name, User.id)
    )
    return [(user.id, f"{user.name} ({user.email})") for user in users]


def kind_of(entry: AuditEntry) -> str:
    """The filter kind an entry belongs to, for display."""
    if entry.action == "view_real_names":
        return KINDS["real_names"]
    if entry.action.startswith(("export", "download")):
        return KINDS["exports"]
    if entry.action in SIGN_IN_ACTIONS:
        return KINDS["sign_ins"]
    if entry.action.startswith("view"):
        return "Views"
    return KINDS["changes"]


def describe_changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(field, before, after) as text, one row per field an entry records."""
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    rows = []
    for name in sorted(set(before) | set(after)):
        rows.append((name, _text(before.get(name)), _text(after.get(name))))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


CSV_HEADER: Sequence[str] = (
    "entry",
    "when (UTC)",
    "who",
    "kind",
    "action",
    "item",
    "changes",
)


def csv_rows(session: Session, review: Review, wanted: TrailFilter) -> Iterator[list[str]]:
    """Every matching entry, oldest first, restricted values left out and every text passed
    through the review's anonymiser (a real name typed into a note reads as its pseudonym)."""
    # Free text is decrypted only to be read through the anonymiser; who a person is (their
    # real name, aliases, date of birth) stays restricted.
    reader = AuditReader(
        session,
        decrypt=True,
        keep_sealed=frozenset((Person.__tablename__, c) for c in Person.__audit_restricted__),
    )
    change = anonymiser_for(session, review).pseudonymise
    statement = trail_statement(session, review, wanted).order_by(AuditEntry.seq)
    for entry in session.scalars(statement.execution_options(yield_per=1000)):
        before, after = reader.values(entry)
        changes = change(
            "; ".join(
                f"{name}: {old} → {new}" if old and new else f"{name}: {old or new}"
                for name, old, new in describe_changes(before, after)
            )
        )
        when = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
        yield [
            str(entry.seq),
            when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            change(entry.actor),
            kind_of(entry),
            entry.action,
            change(f"{entry.entity_type} {entry.entity_id}".strip()),
            changes,
        ]
