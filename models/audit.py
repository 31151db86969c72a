"""The append-only, hash-chained audit log.

Every entry carries the SHA-256 of its own content and of the entry before it, so changing,
deleting or reordering any entry breaks the chain where it happened. Changes to audited models
are recorded automatically by a session listener (``install_audit_listener``); views of
restricted data and sign-ins are recorded explicitly with ``record``.

A chain cannot show that entries were cut off its end; keep the latest ``hash`` somewhere else
(a backup, a printed report) if that matters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Integer, String, Text, event, insert, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from models.base import Audited, Base, utcnow

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
# Arbitrary but fixed: the PostgreSQL advisory lock that serialises appends to the chain.
_AUDIT_LOCK_KEY = 7_411_203_991


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(60), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    review_id: Mapped[int | None] = mapped_column(index=True)
    before_json: Mapped[str] = mapped_column(Text, default="null")
    after_json: Mapped[str] = mapped_column(Text, default="null")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def before(self) -> Any:
        return json.loads(self.before_json)

    @property
    def after(self) -> Any:
        return json.loads(self.after_json)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, a token's owner, or a command-line operator."""

    id: int | None
    label: str


SYSTEM_ACTOR = Actor(None, "system")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utc_iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes and PostgreSQL aware ones; hash the same text for both.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


_HASHED_FIELDS = (
    "seq",
    "actor_id",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "review_id",
    "before_json",
    "after_json",
    "prev_hash",
)


def entry_hash(fields: Mapping[str, Any]) -> str:
    """The SHA-256 of an entry's content, including the previous entry's hash."""
    content = {name: fields[name] for name in _HASHED_FIELDS}
    content["at"] = _utc_iso(fields["at"])
    # Every value is already a str, int or None: dump directly (this runs once per entry).
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _append(connection: Connection, entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    if connection.dialect.name == "postgresql":
        # Held to the end of the transaction, so two writers can never fork the chain.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    # On SQLite every transaction begins IMMEDIATE (models.engine), which serialises writers.
    last = connection.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    rows = []
    for entry in entries:
        seq += 1
        row = {**entry, "seq": seq, "prev_hash": prev}
        row["hash"] = entry_hash(row)
        prev = row["hash"]
        rows.append(row)
    connection.execute(insert(AuditEntry), rows)


def _entry(
    actor: Actor,
    action: str,
    *,
    entity_type: str = "",
    entity_id: str = "",
    review_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor_id": actor.id,
        "actor": actor.label,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "review_id": review_id,
        "before_json": canonical_json(before),
        "after_json": canonical_json(after),
    }


def session_actor(session: Session) -> Actor:
    actor = session.info.get("actor")
    return actor if isinstance(actor, Actor) else SYSTEM_ACTOR


def record(
    session: Session,
    action: str,
    *,
    entity_type: str = "",
    entity_id: str = "",
    review_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one explicit entry (a sign-in, a view of restricted data) in this transaction."""
    entry = _entry(
        session_actor(session),
        action,
        entity_type=entity_type,
        entity_id=entity_id,
        review_id=review_id,
        before=before,
        after=after,
    )
    _append(session.connection(), [entry])


def record_created(
    session: Session, entity_type: str, review_id: int | None, rows: Iterable[tuple[str, Any]]
) -> None:
    """Append a "create" entry per (entity id, column values) for rows inserted in bulk (not
    through the unit of work, so not seen by the listener): the entries it would have made."""
    actor = session_actor(session)
    entries = [
        _entry(
            actor,
            "create",
            entity_type=entity_type,
            entity_id=entity_id,
            review_id=review_id,
            after=after,
        )
        for entity_id, after in rows
    ]
    _append(session.connection(), entries)


def _column_values(obj: Audited, keys: Iterable[str]) -> dict[str, Any]:
    values = {}
    for key in keys:
        value = getattr(obj, key)
        values[key] = REDACTED if key in obj.__audit_redact__ and value is not None else value
    return values


def _primary_key(obj: Any) -> str:
    # In after_flush the identity key is not assigned yet, but the column values are.
    return ",".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


def _review_id_of(obj: Any) -> int | None:
    if obj.__tablename__ == "reviews":
        return int(obj.id)
    review_id = getattr(obj, "review_id", None)
    return int(review_id) if review_id is not None else None


def _changes(session: Session) -> Iterator[dict[str, Any]]:
    actor = session_actor(session)
    for obj in session.new:
        if isinstance(obj, Audited):
            keys = [attr.key for attr in inspect(obj).mapper.column_attrs]
            yield _entry(
                actor,
                "create",
                entity_type=obj.__tablename__,  # type: ignore[attr-defined]
                entity_id=_primary_key(obj),
                review_id=_review_id_of(obj),
                after=_column_values(obj, keys),
            )
    for obj in session.dirty:
        if not isinstance(obj, Audited) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for attr in state.mapper.column_attrs:
            history = state.attrs[attr.key].history
            if not history.has_changes() or attr.key in obj.__audit_ignore__:
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if attr.key in obj.__audit_redact__:
                old, new = REDACTED, REDACTED
            before[attr.key], after[attr.key] = old, new
        if set(after) - {"version"}:
            yield _entry(
                actor,
                "update",
                entity_type=obj.__tablename__,  # type: ignore[attr-defined]
                entity_id=_primary_key(obj),
                review_id=_review_id_of(obj),
                before=before,
                after=after,
            )
    for obj in session.deleted:
        if isinstance(obj, Audited):
            state = inspect(obj)
            keys = [attr.key for attr in state.mapper.column_attrs]
            yield _entry(
                actor,
                "delete",
                entity_type=obj.__tablename__,  # type: ignore[attr-defined]
                entity_id=_primary_key(obj),
                review_id=_review_id_of(obj),
                before=_column_values(obj, keys),
            )


def _after_flush(session: Session, _flush_context: object) -> None:
    _append(session.connection(), list(_changes(session)))


def install_audit_listener(factory: sessionmaker[Session]) -> None:
    """Record every change to an ``Audited`` model made through sessions of this factory.

    Call it once per factory (``make_session_factory`` does). Do not guard it with
    ``event.contains``: the event registry is keyed by object id, so a new factory at a
    reused address can look as if it already had the listener, and changes go unrecorded.
    """
    event.listen(factory, "after_flush", _after_flush)


@dataclass(frozen=True)
class ChainBreak:
    """The first entry where the chain does not hold, and why."""

    seq: int
    entry_id: int
    reason: str


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Check the whole chain; return how many entries were read and the first break, if any."""
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    columns = [getattr(AuditEntry, name) for name in (*_HASHED_FIELDS, "at", "id", "hash")]
    # Plain rows, streamed: no ORM objects to build for what may be millions of entries.
    statement = select(*columns).order_by(AuditEntry.id).execution_options(yield_per=2000)
    rows = session.execute(statement)
    try:
        for entry in rows:
            count += 1
            if entry.seq != expected_seq:
                reason = f"expected entry number {expected_seq} here, found {entry.seq}"
                return count, ChainBreak(entry.seq, entry.id, reason)
            if entry.prev_hash != prev:
                reason = "it does not follow the entry before it (an entry was removed or moved)"
                return count, ChainBreak(entry.seq, entry.id, reason)
            if entry_hash(dict(entry._mapping)) != entry.hash:
                return count, ChainBreak(entry.seq, entry.id, "its content was changed")
            prev = entry.hash
            expected_seq += 1
    finally:
        rows.close()  # a server-side cursor on PostgreSQL: close it even when we stop early
    return count, None
