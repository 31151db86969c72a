"""Refs in a review's shared namespace (E1, K2, F3, …): claimed once, released on removal."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.services.errors import ServiceError
from app.services.reviews import check_ref
from models import ItemRef, Review
from models.base import table_of

_REF_NUMBER = re.compile(r"^([A-Za-z]+)(\d+)$")
# Refs per IN (...) list: well under SQLite's limit on bound parameters.
_IN_CHUNK = 5_000


def claim_refs(
    session: Session, review: Review, kind: str, wanted: Sequence[str | None], prefix: str
) -> list[str]:
    """Take each wanted ref (or, for None, the next free ``prefix``N) in the review's shared
    namespace, in one pass: one read of the refs that could clash, one write.

    Only the wanted refs, and (when one is to be numbered) the refs starting with ``prefix``,
    are read: claiming a factor's ref in a review of 40,000 events reads a few rows, not all."""
    given = [ref for ref in wanted if ref is not None]
    for given_ref in given:
        check_ref(given_ref)
    by_ref = select(ItemRef.ref, ItemRef.kind).where(ItemRef.review_id == review.id)
    taken: dict[str, str] = {}
    for start in range(0, len(given), _IN_CHUNK):
        chunk = given[start : start + _IN_CHUNK]
        taken.update((r.ref, r.kind) for r in session.execute(by_ref.where(ItemRef.ref.in_(chunk))))
    if len(given) < len(wanted):
        taken.update(
            (r.ref, r.kind) for r in session.execute(by_ref.where(ItemRef.ref.startswith(prefix)))
        )
    numbers = [
        int(m.group(2)) for r in taken if (m := _REF_NUMBER.match(r)) and m.group(1) == prefix
    ]
    next_number = max(numbers, default=0) + 1
    refs: list[str] = []
    for ref in wanted:
        if ref is not None:
            if ref in taken:
                message = f"The ref '{ref}' is already used in this review (by a {taken[ref]})"
                raise ServiceError(message, "ref")
        else:
            while f"{prefix}{next_number}" in taken:
                next_number += 1
            ref = f"{prefix}{next_number}"
        taken[ref] = kind
        refs.append(ref)
    if refs:  # in bulk: an import claims tens of thousands at once
        session.connection().execute(
            insert(table_of(ItemRef)),
            [{"review_id": review.id, "ref": ref, "kind": kind} for ref in refs],
        )
    return refs


def claim_ref(session: Session, review: Review, kind: str, ref: str | None, prefix: str) -> str:
    """Take ``ref`` (or the next free ``prefix``N) in the review's shared namespace."""
    return claim_refs(session, review, kind, [ref], prefix)[0]


def used_refs(session: Session, review: Review) -> frozenset[str]:
    return frozenset(session.scalars(select(ItemRef.ref).where(ItemRef.review_id == review.id)))


def release_ref(session: Session, review: Review, ref: str) -> None:
    row = session.scalar(select(ItemRef).where(ItemRef.review_id == review.id, ItemRef.ref == ref))
    if row is not None:
        session.delete(row)
