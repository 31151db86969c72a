"""Results computed from a whole review, kept until the review next changes.

Every change to a review's data writes an audit entry in the same transaction, so the highest
audit entry of a review is its change counter: one indexed read tells whether a
result computed earlier (who knew what, likely duplicates, the systems graph) still holds.
The cache is per process and small (least recently used entries go first); a result must be
plain, immutable data that does not depend on who reads it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry

T = TypeVar("T")

MAX_ENTRIES = 64
# Audit actions that record a reading, not a change ("view_real_names", "export_bundle").
READING_PREFIXES = ("view_", "export_")

_entries: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
_lock = threading.Lock()


def change_counter(session: Session, review_id: int) -> tuple[int, str]:
    """What changes whenever anything in the review changes: its latest audit entry's number
    and hash (the hash too, since a rolled-back transaction can reuse a number). Entries that
    record a reading (a view of restricted data, an export) change nothing and are passed
    over, so a chair reading the audit trail does not make every cached result stale."""
    latest = session.execute(
        select(AuditEntry.seq, AuditEntry.hash)
        .where(
            AuditEntry.review_id == review_id,
            ~AuditEntry.action.startswith(READING_PREFIXES[0], autoescape=True),
            ~AuditEntry.action.startswith(READING_PREFIXES[1], autoescape=True),
        )
        # Entries are appended in seq order, so the highest id is the latest: an index seek.
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return (int(latest.seq), str(latest.hash)) if latest else (0, "")


def cached(
    session: Session,
    review_id: int,
    name: str,
    compute: Callable[[], T],
    *key: Hashable,
) -> T:
    """``compute()``'s result for this state of the review, computed once per change."""
    full_key = (review_id, name, change_counter(session, review_id), *key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _entries[full_key] = value
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached result (tests that rebuild a database reuse review ids)."""
    with _lock:
        _entries.clear()
