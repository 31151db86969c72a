"""Importing an agency's chronology file: preview first, then all rows or none; undo as a unit.

The file is kept with its preview until confirmed, so the user can change the column mapping,
fix a row in place or leave it out, and see the preview read again at once.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.chronology.dates.when import When
from analysis.chronology.importing import (
    FIELDS,
    ExistingEvent,
    ImportContext,
    ImportPreview,
    ImportRefusedError,
    RawTable,
    RowFix,
    build_preview,
    fold,
    read_table,
)
from analysis.chronology.people import RegisterEntry
from analysis.dates import uk_date
from app.services import chronology as chrono
from app.services import reviews as review_service
from app.services.errors import ServiceError
from models import (
    ChronologyImport,
    Event,
    Person,
    Review,
    ReviewAgency,
    audit,
    utcnow,
)

FIXABLE = ("date", "time", "agency", "description")


def _context(session: Session, review: Review, default_agency: str | None) -> ImportContext:
    events = session.scalars(
        select(Event).where(Event.review_id == review.id, Event.deleted_at.is_(None))
    )
    kpes = chrono.kpes_of(session, review)
    kpe_keys: dict[str, str] = {}
    for kpe in kpes:
        kpe_keys[fold(kpe.title)] = kpe.ref
        kpe_keys[fold(kpe.ref)] = kpe.ref
    people: dict[str, str] = {}
    register: list[RegisterEntry] = []
    for person in session.scalars(select(Person).where(Person.review_id == review.id)):
        names = [person.pseudonym, person.ref, person.real_name or "", *(person.aliases or [])]
        for name in names:
            if name and name.strip():
                people.setdefault(fold(name), person.ref)
        register.append(
            RegisterEntry(person.ref, person.pseudonym, tuple(n for n in names if n.strip()))
        )
    end = review.period_end or utcnow().date()
    return ImportContext(
        default_agency=default_agency,
        agencies={fold(a.name): a.ref for a in review.agencies},
        people=people,
        kpes=kpe_keys,
        used_refs=chrono.used_refs(session, review),
        existing_events=tuple(
            ExistingEvent(
                ref=e.ref,
                when=chrono.when_of(e),
                agency=e.agency.ref if e.agency else None,
                description=e.description,
            )
            for e in events
        ),
        register=tuple(register),
        latest_year=end.year,
    )


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "number": row.number,
        "ref": row.ref,
        "date": row.when.date,
        "date_precision": row.when.precision,
        "end_date": row.when.end_date,
        "when": row.when.display(),
        "written_date": row.written_date,
        "agency_name": row.agency_name,
        "agency_ref": row.agency_ref,
        "description": row.description,
        "outcome": row.outcome,
        "source": row.source,
        "source_detail": row.source_detail,
        "people": list(row.people),
        "unknown_people": list(row.unknown_people),
        "ambiguous_people": list(row.ambiguous_people),
        "appraisal": row.appraisal,
        "kpe": row.kpe,
        "order": row.order,
    }


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if not hasattr(value, "isoformat") else str(value)


def _error_rows(
    table: RawTable, preview: ImportPreview, fixes: dict[int, RowFix], default_agency: str | None
) -> dict[str, dict[str, str]]:
    """For each row with an error, its date, agency and description as they now read, so the
    user can fix them in place."""
    numbers = {error.number for error in preview.errors}
    column_of = {name: index for index, name in preview.mapping.fields.items()}
    cells: dict[str, dict[str, str]] = {}
    for row in table.rows:
        if row.number not in numbers:
            continue
        fix = fixes.get(row.number, RowFix())
        values = {}
        for name in FIXABLE:
            fixed = getattr(fix, name)
            index = column_of.get(name)
            written = row.cells[index] if index is not None else None
            values[name] = fixed if fixed is not None else _cell_text(written)
        if "agency" not in column_of and not values["agency"]:
            values["agency"] = default_agency or ""
        cells[str(row.number)] = values
    return cells


def preview_json(
    preview: ImportPreview,
    table: RawTable | None = None,
    fixes: dict[int, RowFix] | None = None,
    default_agency: str | None = None,
) -> dict[str, Any]:
    return {
        "rows": [_row_json(r) for r in preview.rows],
        "errors": [
            {"row": e.number, "column": e.column, "message": e.message} for e in preview.errors
        ],
        "mapping": {
            "fields": {str(k): v for k, v in preview.mapping.fields.items()},
            "unknown": list(preview.mapping.unknown),
            "missing": list(preview.mapping.missing),
            "repeated": list(preview.mapping.repeated),
        },
        "columns": [
            {"header": header, "field": field} for header, field in preview.mapping.columns
        ],
        "unknown_agencies": list(preview.unknown_agencies),
        "unknown_people": list(preview.unknown_people),
        "linked_people": dict(preview.linked_people),
        "ambiguous_people": {k: list(v) for k, v in preview.ambiguous_people.items()},
        "duplicates": [
            {"row": d.number, "event": d.event_ref, "reason": d.reason} for d in preview.duplicates
        ],
        "row_count": preview.row_count,
        "descending": preview.descending,
        "left_out": list(preview.left_out),
        "error_rows": (
            _error_rows(table, preview, fixes or {}, default_agency) if table is not None else {}
        ),
        "warnings": [{"row": w.number, "message": w.message} for w in preview.warnings],
    }


def _fixes_of(choices: dict[str, Any]) -> dict[int, RowFix]:
    return {
        int(number): RowFix(**{k: v for k, v in cells.items() if k in FIXABLE})
        for number, cells in (choices.get("fixes") or {}).items()
    }


def _refresh(session: Session, review: Review, record: ChronologyImport, data: bytes) -> None:
    """Read the file again with the user's choices and store the new preview."""
    try:
        table = read_table(record.filename, data)
    except ImportRefusedError as error:
        raise ServiceError(str(error), "file") from error
    choices = record.choices or {}
    fixes = _fixes_of(choices)
    try:
        preview = build_preview(
            table,
            _context(session, review, record.default_agency),
            chosen=choices.get("mapping") or None,
            fixes=fixes,
            left_out=[int(n) for n in choices.get("left_out") or []],
        )
    except ValueError as error:
        raise ServiceError(str(error), "mapping") from error
    stored = preview_json(preview, table, fixes, record.default_agency)
    stored["earlier_import"] = (record.preview or {}).get("earlier_import")
    stored["saved_mapping_from"] = choices.get("saved_mapping_from")
    stored["remember"] = bool(choices.get("remember"))
    record.preview = stored
    record.row_count = preview.row_count
    record.error_count = len(stored["errors"]) + len(stored["mapping"]["missing"])


def _agency_named(review: Review, name: str | None) -> ReviewAgency | None:
    if not name:
        return None
    return next((a for a in review.agencies if fold(a.name) == fold(name)), None)


def _earlier_import(session: Session, review: Review, sha256: str) -> dict[str, Any] | None:
    earlier = session.scalars(
        select(ChronologyImport)
        .where(
            ChronologyImport.review_id == review.id,
            ChronologyImport.sha256 == sha256,
            ChronologyImport.status == "confirmed",
            ChronologyImport.undone_at.is_(None),
        )
        .order_by(ChronologyImport.id.desc())
    ).first()
    if earlier is None:
        return None
    on = earlier.confirmed_at or earlier.created_at
    return {
        "id": earlier.id,
        "filename": earlier.filename,
        "on": uk_date(on.date()) if on else "",
        "by": earlier.user.name if earlier.user is not None else "",
    }


def start_import(
    *,
    session: Session,
    review: Review,
    user_id: int,
    filename: str,
    data: bytes,
    default_agency: str | None,
) -> ChronologyImport:
    """Read the file and store its preview; nothing enters the chronology yet.

    The column mapping saved for ``default_agency`` is offered (applied, and said so); a file
    already imported into the review is warned of, naming the earlier import.
    """
    try:
        table = read_table(filename, data)
    except ImportRefusedError as error:
        raise ServiceError(str(error), "file") from error
    sha256 = hashlib.sha256(data).hexdigest()
    choices: dict[str, Any] = {}
    agency = _agency_named(review, default_agency)
    if agency is not None and agency.import_mapping:
        saved = {h: f for h, f in agency.import_mapping.items() if h in table.headers}
        if saved:
            choices = {"mapping": saved, "saved_mapping_from": agency.name}
    record = ChronologyImport(
        review_id=review.id,
        user_id=user_id,
        filename=filename[:255],
        sha256=sha256,
        default_agency=default_agency,
        preview={"earlier_import": _earlier_import(session, review, sha256)},
        choices=choices,
        content=data,
    )
    _refresh(session, review, record, data)
    session.add(record)
    session.flush()
    return record


def update_import(
    *,
    session: Session,
    review: Review,
    record: ChronologyImport,
    mapping: dict[str, str | None] | None = None,
    fixes: dict[int, dict[str, str]] | None = None,
    left_out: list[int] | None = None,
    remember: bool | None = None,
) -> ChronologyImport:
    """Change the preview's column mapping, fix rows in place or leave rows out, and read the
    file again. ``mapping`` maps header text to a field (None leaves the column out)."""
    if record.status != "preview" or record.content is None:
        raise ServiceError("This import has already been confirmed: it cannot be changed")
    choices = dict(record.choices or {})
    if mapping is not None:
        headers = {column["header"] for column in record.preview.get("columns", [])}
        unknown = [h for h in mapping if h not in headers]
        if unknown:
            raise ServiceError(f"The file has no column {unknown[0]!r}", "mapping")
        bad = [f for f in mapping.values() if f is not None and f not in FIELDS]
        if bad:
            raise ServiceError(
                f"There is no field {bad[0]!r}: choose one of {', '.join(FIELDS)}, or none",
                "mapping",
            )
        choices["mapping"] = {**(choices.get("mapping") or {}), **mapping}
        choices.pop("saved_mapping_from", None)
    if fixes:
        stored = dict(choices.get("fixes") or {})
        for number, cells in fixes.items():
            wanted = {k: (v or "").strip() for k, v in cells.items() if k in FIXABLE}
            stored[str(number)] = {**stored.get(str(number), {}), **wanted}
        choices["fixes"] = stored
    if left_out is not None:
        choices["left_out"] = sorted({int(n) for n in left_out})
    if remember is not None:
        choices["remember"] = remember
    record.choices = choices
    _refresh(session, review, record, record.content)
    session.flush()
    return record


def confirm_import(
    *,
    session: Session,
    review: Review,
    record: ChronologyImport,
    added_by_id: int,
    skip_errors: bool = False,
    only_agency: str | None = None,
) -> int:
    """Store every previewed row in this transaction and return how many; refuse while errors
    remain (unless the user chose to leave the rows with errors out)."""
    if record.status != "preview":
        raise ServiceError("This import has already been confirmed")
    preview = record.preview
    if preview["mapping"]["missing"]:
        raise ServiceError(
            "The file lacks required columns: " + ", ".join(preview["mapping"]["missing"])
        )
    if preview["errors"] and not skip_errors:
        raise ServiceError(
            f"Problems in the rows ({len(preview['errors'])}): fix them here or in the file, "
            "or choose to leave those rows out"
        )
    if only_agency is not None:
        others = [r["number"] for r in preview["rows"] if r["agency_ref"] != only_agency]
        if others:
            raise ServiceError(
                "Agency representatives import only their own agency's events; rows "
                + ", ".join(str(n) for n in others[:10])
                + " name another agency or none"
            )
    agency_refs: dict[str, str] = {}
    for name in preview["unknown_agencies"]:
        agency_refs[fold(name)] = review_service.add_agency(
            session=session, review=review, name=name
        ).ref
    ordered = sorted(
        preview["rows"],
        key=lambda row: (
            *When(row["date"], row["date_precision"], row["end_date"]).sort_key()[:2],
            row.get("order", 0),
        ),
    )
    rows = [
        {
            "ref": row["ref"],
            "when": When(row["date"], row["date_precision"], row["end_date"]),
            "agency": row["agency_ref"]
            or (agency_refs.get(fold(row["agency_name"])) if row["agency_name"] else None),
            "source": row["source"],
            "source_detail": row["source_detail"],
            "description": row["description"],
            "outcome": row.get("outcome", ""),
            "people": row["people"],
            "appraisal": row["appraisal"],
            "kpe": row["kpe"],
        }
        for row in ordered
    ]
    # In bulk, as a bundle import stores its events: one claim of all the refs, then a few
    # statements for the events, who was involved, their first versions and audit entries.
    refs = chrono.claim_refs(session, review, "event", [row["ref"] for row in rows], "E")
    for row, ref in zip(rows, refs, strict=True):
        row["ref"] = ref
    chrono.insert_events(
        session=session, review=review, added_by_id=added_by_id, rows=rows, import_id=record.id
    )
    choices = record.choices or {}
    agency = _agency_named(review, record.default_agency)
    if agency is not None and choices.get("remember"):
        agency.import_mapping = {c["header"]: c["field"] for c in preview.get("columns", [])}
    record.status = "confirmed"
    record.confirmed_at = utcnow()
    record.content = None
    audit.record(
        session,
        "import_chronology",
        entity_type="chronology_imports",
        entity_id=str(record.id),
        review_id=review.id,
        after={
            "filename": record.filename,
            "sha256": record.sha256,
            "rows": len(preview["rows"]),
            "rows_left_out": len({e["row"] for e in preview["errors"]})
            + len(preview.get("left_out", [])),
            "agencies_created": preview["unknown_agencies"],
        },
    )
    session.flush()
    return len(preview["rows"])


def _events_of(session: Session, record: ChronologyImport) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.import_id == record.id)))


def undo_import(*, session: Session, review: Review, record: ChronologyImport) -> int:
    """Take every event of a confirmed import out of the chronology (soft delete, restorable);
    returns how many. Audited."""
    if record.status != "confirmed":
        raise ServiceError("Only a confirmed import can be undone")
    if record.undone_at is not None:
        raise ServiceError("This import has already been undone")
    removed = chrono.delete_events(session=session, events=_events_of(session, record))
    record.undone_at = utcnow()
    audit.record(
        session,
        "undo_chronology_import",
        entity_type="chronology_imports",
        entity_id=str(record.id),
        review_id=review.id,
        after={"filename": record.filename, "events_removed": [e.ref for e in removed]},
    )
    session.flush()
    return len(removed)


def restore_import(*, session: Session, review: Review, record: ChronologyImport) -> int:
    """Bring back the events of an undone import; returns how many. Audited."""
    if record.undone_at is None:
        raise ServiceError("This import has not been undone")
    back = chrono.restore_events(session=session, events=_events_of(session, record))
    record.undone_at = None
    audit.record(
        session,
        "restore_chronology_import",
        entity_type="chronology_imports",
        entity_id=str(record.id),
        review_id=review.id,
        after={"filename": record.filename, "events_restored": [e.ref for e in back]},
    )
    session.flush()
    return len(back)


def imports_of(session: Session, review: Review) -> list[ChronologyImport]:
    """The review's confirmed imports, newest first."""
    return list(
        session.scalars(
            select(ChronologyImport)
            .where(ChronologyImport.review_id == review.id, ChronologyImport.status == "confirmed")
            .order_by(ChronologyImport.id.desc())
        )
    )


def reread_import_preview(session: Session, review: Review, path: str) -> None:
    """Read again the open preview at ``path`` (``/reviews/<id>/chronology/imports/<id>``), so
    that a person just added to the register is linked in it; anything else is left alone."""
    match = re.fullmatch(rf"/reviews/{review.id}/chronology/imports/(\d+)", path)
    if match is None:
        return
    record = session.get(ChronologyImport, int(match.group(1)))
    if record is None or record.review_id != review.id or record.status != "preview":
        return
    if record.content is None:
        return
    update_import(session=session, review=review, record=record)
