"""Restricted values sealed with a key of their review.

Restricted values (a person's real name, aliases, date of birth: ``__audit_restricted__``) are
stored encrypted with a key of their review (``AuditKey``, wrapped by a key derived from the
environment), so destroying that key erases them while the chain still verifies.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Connection,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from models.audit.chain import _lock_chain, canonical_json
from models.audit.keys import AuditKeys, session_audit_keys
from models.audit.tables import ENCRYPTED_MARK, ERASED, REDACTED, AuditEntry, AuditKey
from models.base import utcnow


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
