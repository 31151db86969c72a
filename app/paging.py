"""Keyset paging: the rows of a query after a given id, in id order, one page at a time.

A list that pages (the API's ``{"items", "next_cursor"}``) remembers the id of the last row
it gave out and asks for the rows after it, so a page never skips or repeats a row while
others add to the list. No Flask here: services page their queries with it, and the API
turns the last id into a cursor (``app/api/helpers.py``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

Row = TypeVar("Row")

#: A query a list endpoint pages through: rows of one model.
Statement = Select[Any]


def rows_after(
    session: Session,
    statement: Select[Row],
    id_column: InstrumentedAttribute[int],
    *,
    after: int,
    limit: int,
) -> list[Row]:
    """Up to ``limit`` + 1 rows of ``statement`` whose ``id_column`` is above ``after`` (0:
    from the start), in id order: the one past ``limit`` says there is a next page."""
    if after:
        statement = statement.where(id_column > after)
    return list(session.scalars(statement.order_by(id_column).limit(limit + 1)))
