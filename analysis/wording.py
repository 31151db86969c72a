"""Small rules of wording shared by pages, messages and documents."""

from __future__ import annotations


def plural_of(count: int, singular: str, plural: str | None = None) -> str:
    """``1 event``, ``2 events``: the count with the right form of the noun."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
