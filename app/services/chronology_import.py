"""Importing an agency's chronology file: preview first, then all rows or none."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.chronology.dates import When
from analysis.chronology.importing import (
    ExistingEvent,
    ImportContext,
    ImportPreview,
    ImportRefusedError,
    build_preview,
    fold,
    read_table,
)
from app.services import chronology as chrono
from app.services import reviews as review_service
from app.services.errors import ServiceError
from models import ChronologyImport, Event, KeyPracticeEpisode, Review, audit, utcnow


def _context(session: Session, review: Review, default_agency: str | None) -> ImportContext:
    events = session.scalars(
        select(Event).where(Event.review_id == review.id, Event.deleted_at.is_(None))
    )
    kpes = session.scalars(
        select(KeyPracticeEpisode).where(KeyPracticeEpisode.review_id == review.id)
    )
    kpe_keys: dict[str, str] = {}
    for kpe in kpes:
        kpe_keys[fold(kpe.title)] = kpe.ref
        kpe_keys[fold(kpe.ref)] = kpe.ref
    people: dict[str, str] = {}
    for person in review.people:
        people[fold(person.pseudonym)] = person.ref
        people[fold(person.ref)] = person.ref
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
    )


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "number": row.number,
        "ref": row.ref,
        "date": row.when.date,
        "date_precision": row.when.precision,
        "end_date": row.when.end_date,
        "when": row.when.display(),
        "agency_name": row.agency_name,
        "agency_ref": row.agency_ref,
        "description": row.description,
        "source": row.source,
        "source_detail": row.source_detail,
        "people": list(row.people),
        "unknown_people": list(row.unknown_people),
        "appraisal": row.appraisal,
        "kpe": row.kpe,
    }


def preview_json(preview: ImportPreview) -> dict[str, Any]:
    return {
        "rows": [_row_json(r) for r in preview.rows],
        "errors": [
            {"row": e.number, "column": e.column, "message": e.message} for e in preview.errors
        ],
        "mapping": {
            "fields": {str(k): v for k, v in preview.mapping.fields.items()},
            "unknown": list(preview.mapping.unknown),
            "missing": list(preview.mapping.missing),
        },
        "unknown_agencies": list(preview.unknown_agencies),
        "unknown_people": list(preview.unknown_people),
        "duplicates": [
            {"row": d.number, "event": d.event_ref, "reason": d.reason} for d in preview.duplicates
        ],
        "row_count": preview.row_count,
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
    """Read the file and store its preview; nothing enters the chronology yet."""
    try:
        table = read_table(filename, data)
    except ImportRefusedError as error:
        raise ServiceError(str(error), "file") from error
    preview = build_preview(table, _context(session, review, default_agency))
    stored = preview_json(preview)
    record = ChronologyImport(
        review_id=review.id,
        user_id=user_id,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        default_agency=default_agency,
        preview=stored,
        row_count=preview.row_count,
        error_count=len(stored["errors"]) + len(stored["mapping"]["missing"]),
    )
    session.add(record)
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
            f"Problems in the rows ({len(preview['errors'])}): fix them in the file and upload it "
            "again, or choose to leave those rows out"
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
    rows = [
        {
            "ref": row["ref"],
            "when": When(row["date"], row["date_precision"], row["end_date"]),
            "agency": row["agency_ref"]
            or (agency_refs.get(fold(row["agency_name"])) if row["agency_name"] else None),
            "source": row["source"],
            "source_detail": row["source_detail"],
            "description": row["description"],
            "people": row["people"],
            "appraisal": row["appraisal"],
            "kpe": row["kpe"],
        }
        for row in preview["rows"]
    ]
    chrono.create_events(session=session, review=review, added_by_id=added_by_id, rows=rows)
    record.status = "confirmed"
    record.confirmed_at = utcnow()
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
            "rows_left_out": len({e["row"] for e in preview["errors"]}),
            "agencies_created": preview["unknown_agencies"],
        },
    )
    return len(preview["rows"])
