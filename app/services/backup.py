"""Backups: the whole database as one portable file, and its restore into an empty database of
either kind (SQLite or PostgreSQL) — the way to move from the embedded SQLite to PostgreSQL.

The file is gzip-compressed JSON Lines: a header (format, migration revision, when, from
which kind of database), then for each table a line naming its columns and their kinds, and
one line per row. Values are written by kind (times in UTC ISO 8601, binary as base64, JSON as
JSON), so they read back the same on either database: the audit chain, whose hashes cover every
value, verifies after a restore with the same ``LR_AUDIT_KEY``. Tables are read from the
database itself (not the models), so a backup holds everything, whatever its revision.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Connection, Date, DateTime, LargeBinary, MetaData, Table, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text as sql_text

FORMAT_NAME = "learning-review-backup"
FORMAT_VERSION = 1
VERSION_TABLE = "alembic_version"
BATCH = 1000


class BackupError(Exception):
    """A backup cannot be read, or the target database cannot take it."""


@dataclass(frozen=True)
class BackupHeader:
    revision: str
    created_at: str
    source: str


def _kind(column_type: Any) -> str:
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, LargeBinary):
        return "bytes"
    if isinstance(column_type, JSON):
        return "json"
    return "plain"


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # stored in UTC
        return moment.astimezone(UTC).isoformat()
    if kind == "date":
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    return value


def _reflect(connection: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return metadata


def _tables(metadata: MetaData) -> list[Table]:
    """Parents before children, without the migration bookkeeping table."""
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


def current_revision(connection: Connection) -> str | None:
    if not sa_inspect(connection).has_table(VERSION_TABLE):
        return None
    revision: str | None = connection.scalar(
        sql_text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 - a constant
    )
    return revision


def write_backup(connection: Connection, out: IO[bytes]) -> dict[str, int]:
    """Write the database behind ``connection`` to ``out``; returns rows per table."""
    revision = current_revision(connection)
    if revision is None:
        raise BackupError("The database has no migration revision: run `db upgrade` first.")
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "revision": revision,
        "created_at": datetime.now(UTC).isoformat(),
        "source": connection.dialect.name,
    }
    counts: dict[str, int] = {}
    with gzip.open(out, "wt", encoding="utf-8") as stream:
        _line(stream, header)
        for table in _tables(_reflect(connection)):
            columns = list(table.columns)
            kinds = [_kind(c.type) for c in columns]
            order = [c for c in table.primary_key.columns] or columns
            _line(
                stream, {"table": table.name, "columns": [c.name for c in columns], "kinds": kinds}
            )
            count = 0
            rows = connection.execute(
                select(*columns).order_by(*order).execution_options(yield_per=BATCH)
            )
            for row in rows:
                _line(stream, [_encode(k, v) for k, v in zip(kinds, row, strict=True)])
                count += 1
            counts[table.name] = count
        _line(stream, {"end": True, "rows": counts})
    return counts


def _line(stream: IO[str], value: Any) -> None:
    stream.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    stream.write("\n")


def read_header(path: Path) -> BackupHeader:
    """The backup's header; BackupError if the file is not a Learning Review backup."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            header = json.loads(stream.readline())
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a Learning Review backup ({error}).") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise BackupError(f"{path} is not a Learning Review backup.")
    if header.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup of format {header.get('version')}, not {FORMAT_VERSION}."
        )
    return BackupHeader(str(header["revision"]), str(header["created_at"]), str(header["source"]))


def first_non_empty_table(connection: Connection) -> tuple[str, int] | None:
    """A table of the database that holds rows (name, count), or None if all are empty."""
    for table in _tables(_reflect(connection)):
        count = connection.scalar(select(func.count()).select_from(table)) or 0
        if count:
            return table.name, count
    return None


def _sections(path: Path) -> Iterator[tuple[dict[str, Any], list[list[Any]]]]:
    """Each table's description and its rows, in batches (rows are streamed, not all read)."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        stream.readline()  # the header
        section: dict[str, Any] | None = None
        batch: list[list[Any]] = []
        ended = False
        for raw in stream:
            item = json.loads(raw)
            if isinstance(item, list):
                if section is None:
                    raise BackupError("The backup has a row before any table.")
                batch.append(item)
                if len(batch) >= BATCH:
                    yield section, batch
                    batch = []
                continue
            if section is not None:
                yield section, batch
                batch = []
            if item.get("end"):
                ended = True
                break
            section = item
        if not ended:
            raise BackupError("The backup is incomplete (it has no end): it was cut short.")


def load_backup(connection: Connection, path: Path) -> dict[str, int]:
    """Insert the backup's rows into the (migrated, empty) database; returns rows per table.

    Columns that point at their own table (an event merged into another) are filled in after
    the table's rows, so the order of rows never trips a foreign key.
    """
    metadata = _reflect(connection)
    counts: dict[str, int] = {}
    deferred: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for section, rows in _sections(path):
        name = section["table"]
        table = metadata.tables.get(name)
        if table is None:
            raise BackupError(
                f"The database has no table {name!r}: is it at the backup's revision?"
            )
        names, kinds = section["columns"], section["kinds"]
        unknown = set(names) - set(table.columns.keys())
        if unknown:
            raise BackupError(f"Table {name!r} has no column {sorted(unknown)[0]!r}.")
        self_refs = {
            fk.parent.name for fk in table.foreign_keys if fk.column.table.name == table.name
        }
        keys = [c.name for c in table.primary_key.columns]
        values = []
        for row in rows:
            record = {n: _decode(k, v) for n, k, v in zip(names, kinds, row, strict=True)}
            later = {n: record[n] for n in self_refs if record.get(n) is not None}
            if later:
                deferred.setdefault(name, []).append(({k: record[k] for k in keys}, later))
                record.update(dict.fromkeys(later))
            values.append(record)
        if values:
            connection.execute(table.insert(), values)
        counts[name] = counts.get(name, 0) + len(values)
    for name, updates in deferred.items():
        table = metadata.tables[name]
        for key, later in updates:
            condition = [table.c[k] == v for k, v in key.items()]
            connection.execute(table.update().where(*condition).values(**later))
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection, metadata)
    return counts


def _reset_sequences(connection: Connection, metadata: MetaData) -> None:
    """Make PostgreSQL's id sequences continue after the restored rows."""
    for table in _tables(metadata):
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            continue
        sequence = connection.scalar(
            sql_text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": f'"{table.name}"', "column": keys[0].name},
        )
        if sequence is None:
            continue
        highest = connection.scalar(select(func.max(keys[0])))
        connection.execute(
            sql_text("SELECT setval(:sequence, :value, :called)"),
            {"sequence": sequence, "value": highest or 1, "called": highest is not None},
        )
