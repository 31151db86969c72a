"""The append-only, hash-chained audit log.

Every entry carries a keyed hash (HMAC-SHA-256) of its own content and of the entry before it,
so changing, deleting or reordering any entry breaks the chain where it happened, and nobody
without the key (``LR_AUDIT_KEY``, from the environment, never the database) can re-hash it.
Entries written before the chain was keyed (``format`` 1) carry a plain SHA-256 and still
verify; no plain entry may follow a keyed one. Changes to audited models are recorded
automatically by a session listener (``install_audit_listener``); views of restricted data and
sign-ins are recorded explicitly with ``record``.

A chain cannot show by itself that entries were cut off its end: ``verify-audit`` prints the
head hash, to be kept outside the server and checked later with ``--expect-head``.

Restricted values (a person's real name, aliases, date of birth: ``__audit_restricted__``) are
stored encrypted with a key of their review (``AuditKey``, wrapped by a key derived from the
environment), so destroying that key erases them while the chain still verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import (
    Connection,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from models.base import Audited, Base, utcnow

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
# What a restricted value reads as once its review's key has been destroyed (retention).
ERASED = "[erased]"
# Entry formats: 1 = plain SHA-256 (before the chain was keyed), 2 = HMAC-SHA-256.
PLAIN_FORMAT = 1
KEYED_FORMAT = 2
# The marker of an encrypted value inside before/after: {"$enc": base64(nonce + ciphertext)}.
ENCRYPTED_MARK = "$enc"
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
    format: Mapped[int] = mapped_column(default=KEYED_FORMAT, server_default="1")

    @property
    def before(self) -> Any:
        return json.loads(self.before_json)

    @property
    def after(self) -> Any:
        return json.loads(self.after_json)


class AuditKey(Base):
    """A review's key for its restricted audit values, wrapped (AES-GCM) by the environment's
    key. Retention destroys it (``wrapped_key`` emptied): the values can no longer be read."""

    __tablename__ = "audit_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), unique=True
    )
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    destroyed_at: Mapped[datetime | None]


class AuditKeyError(RuntimeError):
    """The audit log's keys are not configured."""


@dataclass(frozen=True)
class AuditKeys:
    """The keys of the audit log, derived from one secret from the environment.

    ``chain`` keys the HMAC of every entry; ``wrap`` encrypts each review's own key.
    """

    chain: bytes
    wrap: bytes

    @classmethod
    def derive(cls, secret: str) -> AuditKeys:
        def _key(purpose: bytes) -> bytes:
            kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
            return kdf.derive(secret.encode())

        return cls(
            chain=_key(b"learning-review audit chain"), wrap=_key(b"learning-review audit wrap")
        )


_configured_keys: AuditKeys | None = None


# Where a session factory keeps its keys: ``make_session_factory(bind, audit_keys=...)``.
AUDIT_KEYS_INFO = "audit_keys"


def configure_audit_keys(keys: AuditKeys) -> None:
    """Use ``keys`` for sessions whose factory was given none (scripts, test set-up); the
    app's sessions carry the app's own keys."""
    global _configured_keys  # one key set per process, like the environment
    _configured_keys = keys


def configure_default_audit_keys(keys: AuditKeys) -> None:
    """Use ``keys`` for keyless sessions unless keys were configured already (the first app
    built in a process lends its keys to the scripts and set-up code that run beside it)."""
    if _configured_keys is None:
        configure_audit_keys(keys)


def session_audit_keys(session: Session) -> AuditKeys:
    """The keys of this session's factory, else ``current_audit_keys()``."""
    keys = session.info.get(AUDIT_KEYS_INFO)
    return keys if isinstance(keys, AuditKeys) else current_audit_keys()


def current_audit_keys() -> AuditKeys:
    """The process's keys (``configure_audit_keys``), else from ``LR_AUDIT_KEY`` or
    ``SECRET_KEY`` in the environment."""
    if _configured_keys is not None:
        return _configured_keys
    secret = os.environ.get("LR_AUDIT_KEY") or os.environ.get("SECRET_KEY")
    if not secret:
        raise AuditKeyError("The audit log has no key: set LR_AUDIT_KEY (or SECRET_KEY).")
    return AuditKeys.derive(secret)


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


class _ReviewKeyring:
    """Each review's data key, looked up (or created) once per flush when a restricted value
    is written. Nothing is cached beyond the flush: a key created in a transaction that is
    rolled back, or destroyed by another, is never used again by mistake."""

    def __init__(self, connection: Connection, keys: AuditKeys) -> None:
        self._connection = connection
        self._wrap = keys.wrap
        self._keys: dict[int, bytes | None] = {}

    def seal(self, review_id: int, value: Any) -> Any:
        """``value`` encrypted with the review's key; redacted if the review itself is gone
        (deleted in this flush: there is nothing left to hold a key)."""
        if review_id not in self._keys:
            self._keys[review_id] = _review_key(
                self._connection, self._wrap, review_id, create=True
            )
        key = self._keys[review_id]
        return REDACTED if key is None else encrypt_value(key, review_id, value)


def _wrap_aad(review_id: int) -> bytes:
    return f"learning-review audit key of review {review_id}".encode()


def _review_key(
    connection: Connection, wrap_key: bytes, review_id: int, *, create: bool
) -> bytes | None:
    """The review's data key, unwrapped; None if it has none (or it was destroyed) and
    ``create`` is false, or if the review does not exist. A destroyed key is replaced by a
    new one only for new values."""
    wrap = AESGCM(wrap_key)
    if create:
        _lock_chain(connection)
    row = connection.execute(
        select(AuditKey.id, AuditKey.wrapped_key).where(AuditKey.review_id == review_id)
    ).first()
    if row is not None and row.wrapped_key:
        blob = bytes(row.wrapped_key)
        return wrap.decrypt(blob[:12], blob[12:], _wrap_aad(review_id))
    if not create:
        return None
    if (
        connection.execute(text("SELECT 1 FROM reviews WHERE id = :id"), {"id": review_id}).first()
        is None
    ):
        return None  # the review was deleted in this transaction
    key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(12)
    wrapped = nonce + wrap.encrypt(nonce, key, _wrap_aad(review_id))
    if row is None:
        connection.execute(insert(AuditKey).values(review_id=review_id, wrapped_key=wrapped))
    else:
        connection.execute(
            update(AuditKey)
            .where(AuditKey.id == row.id)
            .values(wrapped_key=wrapped, destroyed_at=None, created_at=utcnow())
        )
    return key


def _value_aad(review_id: int) -> bytes:
    return f"learning-review restricted value of review {review_id}".encode()


def encrypt_value(key: bytes, review_id: int, value: Any) -> dict[str, str]:
    """``value`` encrypted with a review's key, as it is stored in an entry."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, canonical_json(value).encode(), _value_aad(review_id))
    return {ENCRYPTED_MARK: base64.b64encode(nonce + sealed).decode()}


def is_encrypted(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {ENCRYPTED_MARK}


def _decrypt_value(key: bytes | None, review_id: int, value: dict[str, str]) -> Any:
    if key is None:
        return ERASED
    blob = base64.b64decode(value[ENCRYPTED_MARK])
    try:
        plain = AESGCM(key).decrypt(blob[:12], blob[12:], _value_aad(review_id))
    except InvalidTag:
        return ERASED  # sealed with a key that was destroyed and later replaced
    return json.loads(plain)


class AuditReader:
    """Reads entries' before/after with their restricted values decrypted (for a reader the
    caller has checked may see them), or marked restricted for everyone else."""

    def __init__(
        self,
        session: Session,
        *,
        decrypt: bool,
        keep_sealed: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        """``keep_sealed``: (table, column) pairs left "[restricted]" even when decrypting
        (a person's real name, where the free text around it is decrypted to be
        pseudonymised)."""
        self._connection = session.connection()
        self._wrap = session_audit_keys(session).wrap
        self._decrypt = decrypt
        self._keep_sealed = keep_sealed
        self._keys: dict[int, bytes | None] = {}

    def values(self, entry: AuditEntry) -> tuple[Any, Any]:
        """The entry's (before, after), restricted values decrypted or hidden."""
        return self._open(entry, entry.before), self._open(entry, entry.after)

    def has_restricted(self, entry: AuditEntry) -> bool:
        """Whether the entry holds an encrypted value (showing it decrypted is a view)."""
        if ENCRYPTED_MARK not in entry.before_json and ENCRYPTED_MARK not in entry.after_json:
            return False  # the common case, without parsing
        return any(
            isinstance(values, dict) and any(is_encrypted(v) for v in values.values())
            for values in (entry.before, entry.after)
        )

    def _open(self, entry: AuditEntry, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        opened = {}
        for name, value in values.items():
            if is_encrypted(value):
                sealed = not self._decrypt or (entry.entity_type, name) in self._keep_sealed
                value = "[restricted]" if sealed else self._read(entry.review_id, value)
            opened[name] = value
        return opened

    def _read(self, review_id: int | None, value: dict[str, str]) -> Any:
        if review_id is None:
            return ERASED
        if review_id not in self._keys:
            key = _review_key(self._connection, self._wrap, review_id, create=False)
            self._keys[review_id] = key
        return _decrypt_value(self._keys[review_id], review_id, value)


def destroy_review_key(session: Session, review_id: int) -> bool:
    """Destroy a review's audit key: its restricted audit values can never be read again.
    Returns whether there was a key to destroy."""
    result = session.execute(
        update(AuditKey)
        .where(AuditKey.review_id == review_id, AuditKey.wrapped_key.is_not(None))
        .values(wrapped_key=None, destroyed_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


def record_created(
    session: Session,
    model: type[Audited],
    review_id: int | None,
    rows: Iterable[tuple[str, Any]],
) -> None:
    """Append a "create" entry per (entity id, column values) for rows of ``model`` inserted
    in bulk (not through the unit of work, so not seen by the listener): the entries it would
    have made, restricted values encrypted with the review's key the same way."""
    actor = session_actor(session)
    keys = session_audit_keys(session)
    connection = session.connection()
    keyring = _ReviewKeyring(connection, keys)

    def sealed(after: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for key, value in after.items():
            if value is not None and key in model.__audit_redact__:
                value = REDACTED
            elif value is not None and key in model.__audit_restricted__:
                value = keyring.seal(review_id, value) if review_id is not None else REDACTED
            values[key] = value
        return values

    entries = [
        _entry(
            actor,
            "create",
            entity_type=model.__tablename__,  # type: ignore[attr-defined]
            entity_id=entity_id,
            review_id=review_id,
            after=sealed(after),
        )
        for entity_id, after in rows
    ]
    _append(connection, entries, keys)


def _column_values(
    obj: Audited, keys: Iterable[str], seal: Callable[[Any], Any] | None
) -> dict[str, Any]:
    values = {}
    for key in keys:
        value = getattr(obj, key)
        if value is not None and key in obj.__audit_redact__:
            value = REDACTED
        elif value is not None and key in obj.__audit_restricted__:
            value = seal(value) if seal is not None else REDACTED
        values[key] = value
    return values


def _primary_key(obj: Any) -> str:
    # In after_flush the identity key is not assigned yet, but the column values are.
    return ",".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


def _review_id_of(obj: Any) -> int | None:
    if obj.__tablename__ == "reviews":
        return int(obj.id)
    review_id = getattr(obj, "review_id", None)
    return int(review_id) if review_id is not None else None


def _sealer(keyring: _ReviewKeyring, obj: Audited) -> Callable[[Any], Any] | None:
    """How to store this object's restricted values: encrypted with its review's key (the
    key is only fetched when a restricted value is actually written)."""
    if not obj.__audit_restricted__:
        return None
    review_id = _review_id_of(obj)
    if review_id is None:
        return None  # no review to hold a key: the value is redacted instead
    return lambda value: keyring.seal(review_id, value)


def _changes(session: Session, keyring: _ReviewKeyring) -> Iterator[dict[str, Any]]:
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
                after=_column_values(obj, keys, _sealer(keyring, obj)),
            )
    for obj in session.dirty:
        if not isinstance(obj, Audited) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        seal = _sealer(keyring, obj)
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
            elif attr.key in obj.__audit_restricted__:
                old = old if old is None else seal(old) if seal else REDACTED
                new = new if new is None else seal(new) if seal else REDACTED
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
                before=_column_values(obj, keys, _sealer(keyring, obj)),
            )


def _after_flush(session: Session, _flush_context: object) -> None:
    connection = session.connection()
    keys = session_audit_keys(session)
    _append(connection, list(_changes(session, _ReviewKeyring(connection, keys))), keys)


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
