"""Changes to audited models, recorded automatically by a session listener
(``install_audit_listener``), and ``record_created`` for rows inserted in bulk, which the
listener does not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import (
    event,
    inspect,
)
from sqlalchemy.orm import Session, sessionmaker

from models.audit.chain import _append, _entry, session_actor
from models.audit.keys import session_audit_keys
from models.audit.sealing import _ReviewKeyring
from models.audit.tables import REDACTED
from models.base import Audited


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
