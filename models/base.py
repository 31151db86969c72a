"""Declarative base, naming convention and small column helpers shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, Table
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of every table; constraint names follow NAMING_CONVENTION so migrations are stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


def table_of(model: type[Base]) -> Table:
    """The Table a model is mapped to. SQLAlchemy types ``__table__`` as any FromClause (a class
    may be mapped to a join or a select); every model here is mapped to one Table."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


class Audited:
    """Mixin: every insert, update and delete of this model is written to the audit log.

    ``__audit_redact__`` names columns whose values are replaced by a marker (secrets);
    ``__audit_ignore__`` names bookkeeping columns whose changes alone are not worth an entry;
    ``__audit_restricted__`` names columns whose values are kept, encrypted with the review's
    audit key (a person's real name), so that destroying the key erases them.
    """

    __audit_redact__: frozenset[str] = frozenset()
    __audit_restricted__: frozenset[str] = frozenset()
    __audit_ignore__: frozenset[str] = frozenset()
