"""The hash chain: appending entries (``record``) and verifying them.

Every entry carries a keyed hash (HMAC-SHA-256) of its own content and of the entry before it,
so changing, deleting or reordering any entry breaks the chain where it happened, and nobody
without the key (``LR_AUDIT_KEY``, from the environment, never the database) can re-hash it.
Entries written before the chain was keyed (``format`` 1) carry a plain SHA-256 and still
verify; no plain entry may follow a keyed one. Changes to audited models are recorded
automatically by a session listener (``install_audit_listener``); views of restricted data and
sign-ins are recorded explicitly with ``record``.

A chain cannot show by itself that entries were cut off its end: ``verify-audit`` prints the
head hash, to be kept outside the server and checked later with ``--expect-head``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from models.audit.keys import AuditKeys, current_audit_keys, session_audit_keys
from models.audit.tables import GENESIS_HASH, KEYED_FORMAT, PLAIN_FORMAT, AuditEntry
from models.base import utcnow

# Arbitrary but fixed: the PostgreSQL advisory lock that serialises appends to the chain.
_AUDIT_LOCK_KEY = 7_411_203_991


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


def entry_hash(fields: Mapping[str, Any], chain_key: bytes | None = None) -> str:
    """The hash of an entry's content, including the previous entry's hash: HMAC-SHA-256
    with ``chain_key`` for a keyed entry (format 2), plain SHA-256 for an older one."""
    content = {name: fields[name] for name in _HASHED_FIELDS}
    content["at"] = _utc_iso(fields["at"])
    keyed = fields.get("format", PLAIN_FORMAT) == KEYED_FORMAT
    if keyed:
        content["format"] = KEYED_FORMAT
    # Every value is already a str, int or None: dump directly (this runs once per entry).
    data = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if not keyed:
        return hashlib.sha256(data).hexdigest()
    if chain_key is None:
        chain_key = current_audit_keys().chain
    return hmac.new(chain_key, data, hashlib.sha256).hexdigest()


def _lock_chain(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held to the end of the transaction (and re-entrant), so two writers can never fork
        # the chain or create the same review's key twice.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    # On SQLite every transaction begins IMMEDIATE (models.engine), which serialises writers.


def _append(connection: Connection, entries: list[dict[str, Any]], keys: AuditKeys) -> None:
    if not entries:
        return
    _lock_chain(connection)
    chain_key = keys.chain
    last = connection.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    rows = []
    for entry in entries:
        seq += 1
        row = {**entry, "seq": seq, "prev_hash": prev, "format": KEYED_FORMAT}
        row["hash"] = entry_hash(row, chain_key)
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
    _append(session.connection(), [entry], session_audit_keys(session))


@dataclass(frozen=True)
class ChainBreak:
    """The first entry where the chain does not hold, and why."""

    seq: int
    entry_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    """What ``check_chain`` found: the entries read, the first break, the head (the last
    entry's number and hash), how many entries predate the keyed chain, and where the
    expected head was found (None if it was not asked for or not found)."""

    count: int
    broken: ChainBreak | None
    head_seq: int
    head_hash: str
    plain_count: int
    expected_head_seq: int | None = None


def check_chain(
    session: Session, *, expect_head: str | None = None, keys: AuditKeys | None = None
) -> ChainReport:
    """Check the whole chain, and that ``expect_head`` (a head hash kept elsewhere) is in it."""
    chain_key = (keys or session_audit_keys(session)).chain
    prev = GENESIS_HASH
    expected_seq = 1
    count = plain = 0
    seen_keyed = False
    found_head: int | None = None
    expect = expect_head.strip().lower() if expect_head else None
    broken: ChainBreak | None = None
    columns = [
        getattr(AuditEntry, name) for name in (*_HASHED_FIELDS, "at", "id", "hash", "format")
    ]
    # Plain rows, streamed: no ORM objects to build for what may be millions of entries.
    statement = select(*columns).order_by(AuditEntry.id).execution_options(yield_per=2000)
    rows = session.execute(statement)
    try:
        for entry in rows:
            count += 1
            if entry.seq != expected_seq:
                reason = f"expected entry number {expected_seq} here, found {entry.seq}"
                broken = ChainBreak(entry.seq, entry.id, reason)
                break
            if entry.prev_hash != prev:
                reason = "it does not follow the entry before it (an entry was removed or moved)"
                broken = ChainBreak(entry.seq, entry.id, reason)
                break
            if entry.format == KEYED_FORMAT:
                seen_keyed = True
            elif seen_keyed or entry.format != PLAIN_FORMAT:
                reason = "it is not keyed although an earlier entry is (it was re-hashed)"
                broken = ChainBreak(entry.seq, entry.id, reason)
                break
            else:
                plain += 1
            if entry_hash(dict(entry._mapping), chain_key) != entry.hash:
                broken = ChainBreak(entry.seq, entry.id, "its content was changed")
                break
            if expect is not None and entry.hash == expect:
                found_head = entry.seq
            prev = entry.hash
            expected_seq += 1
    finally:
        rows.close()  # a server-side cursor on PostgreSQL: close it even when we stop early
    return ChainReport(count, broken, expected_seq - 1, prev, plain, found_head)


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Check the whole chain; return how many entries were read and the first break, if any."""
    report = check_chain(session)
    return report.count, report.broken
