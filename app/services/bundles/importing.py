"""A bundle stored as a new review: checked first (``checks``), then stored in the caller's
transaction, or in parts each committed on its own so that a big bundle never holds the
write lock for long; a part refused late removes what the earlier parts stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BindParameter, Integer, Table, bindparam, delete, select
from sqlalchemy.orm import Session

from analysis.bundle import BundleProblem, validate_bundle
from app.services import chronology
from app.services import factors as factor_service
from app.services import findings as finding_service
from app.services import good_practice as good_practice_service
from app.services import reviews as review_service
from app.services.bundles.checks import (
    SUPPORTED_SECTIONS,
    BundleError,
    bundle_event_rows,
    bundle_size_problems,
)
from app.services.bundles.export import partnership_entries
from app.services.errors import ServiceError
from models import GoodPractice, Review, User, audit
from models.base import Base


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _approval_time(item: dict[str, Any]) -> datetime | None:
    """The entry's ``approved_at`` (UTC when it names no time zone); ServiceError if it is
    not a date and time."""
    text = item.get("approved_at")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ServiceError(
            "approved_at must be a date and time, for example 2025-06-05T10:00:00+00:00",
            "approved_at",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _approve(
    session: Session, entry: GoodPractice, approved_at: datetime | None, item: dict[str, Any]
) -> None:
    """Keep an imported entry's approval: when, and by whom if the partnership has a user
    with the approver's email address (else the approval stands without a name)."""
    if approved_at is None or entry.share_status == "draft":
        return
    entry.approved_at = approved_at
    email = item.get("approved_by_email")
    if email:
        entry.approved_by_id = session.scalar(
            select(User.id).where(
                User.email == email.strip().lower(), User.partnership_id == entry.partnership_id
            )
        )


# Events stored per part when the caller commits in parts: each part's transaction holds the
# write lock well under a second, so other users' edits wait at most that long.
EVENTS_PER_PART = 200
MAX_EVENTS_PER_PART = 2_000
PART_SECONDS = 0.6
# After each part on SQLite, a pause so that writers waiting for the lock get it: SQLite does
# not queue them, and its busy handler looks again only every 100 ms or so.
SQLITE_PAUSE_SECONDS = 0.1
# Other items (accounts, factors, links, …) stored per part: each goes through its service.
ITEMS_PER_PART = 10


def _child_tables() -> list[tuple[Table, Any]]:
    """Every table holding a review's data (the audit log excepted), children first, each
    with the condition that picks a review's rows (a ``:review_id`` parameter)."""
    parameter: BindParameter[int] = bindparam("review_id", type_=Integer)
    owned: dict[str, Any] = {}
    tables: list[tuple[Table, Any]] = []
    for table in Base.metadata.sorted_tables:
        if table.name in ("audit_entries", "reviews"):
            continue
        if "review_id" in table.c:
            owned[table.name] = table.c.review_id == parameter
        else:
            for key in table.foreign_keys:
                parent = key.column.table
                if parent.name in owned and "review_id" in parent.c:
                    picked = select(key.column).where(parent.c.review_id == parameter)
                    owned[table.name] = key.parent.in_(picked)
                    break
        if table.name in owned:
            tables.append((table, owned[table.name]))
    return list(reversed(tables))


def discard_review(session: Session, review_id: int) -> None:
    """Remove everything stored for a review (an import that failed after storing parts);
    the audit log keeps its entries and records the removal."""
    for table, condition in _child_tables():
        session.execute(delete(table).where(condition), {"review_id": review_id})
    session.execute(delete(Review).where(Review.id == review_id))
    audit.record(
        session,
        "discard_import",
        entity_type="reviews",
        entity_id=str(review_id),
        review_id=review_id,
    )


def import_bundle(
    data: Any,
    *,
    session: Session,
    importer: User,
    commit: Callable[[], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    added_by: User | None = None,
) -> Review:
    """Store a bundle as a new review chaired by ``importer``; raise BundleError if invalid.

    Everything is checked that can be checked without the database (size, schema, refs, dates)
    before anything is written. Without ``commit`` the whole review is stored in the caller's
    transaction. With ``commit`` (the caller's commit) it is stored in parts, committed one by
    one, so that a big bundle never holds the write lock for long; if a later part is refused,
    what the earlier parts stored is removed again before BundleError is raised, so a bad
    bundle still changes nothing. ``progress(done, total)`` is told of each part's events.
    The review's events and good-practice entries are recorded as added by ``added_by``
    (the importer unless given).
    """
    author = added_by or importer
    author_id = author.id
    if commit is not None:
        commit()  # end the request's transaction: nothing holds the write lock while checking
    problems = bundle_size_problems(data) or validate_bundle(data, SUPPORTED_SECTIONS)
    if problems:
        raise BundleError(problems)
    event_rows, problems = bundle_event_rows(data)
    if problems:
        raise BundleError(problems)
    stored: list[int] = []
    try:
        review = _store_bundle(
            data, session, importer, author, author_id, event_rows, commit, progress, stored
        )
    except BundleError:
        if commit is not None and stored:
            session.rollback()
            discard_review(session, stored[0])
            commit()
        raise
    return review


def _let_others_write(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        time.sleep(SQLITE_PAUSE_SECONDS)


def _store_bundle(
    data: dict[str, Any],
    session: Session,
    importer: User,
    author: User,
    author_id: int,
    event_rows: list[dict[str, Any]],
    commit: Callable[[], None] | None,
    progress: Callable[[int, int], None] | None,
    stored: list[int],
) -> Review:
    head = data["review"]
    review = review_service.create_review(
        session=session,
        creator=importer,
        title=head["title"],
        subject=head["subject"],
        review_type=head["review_type"],
        stage=head.get("stage", "scoping"),
        terms_of_reference=head.get("terms_of_reference", ""),
        period_start=_date(head.get("period_start")),
        period_end=_date(head.get("period_end")),
        incident_known_on=_date(head.get("incident_known_on")),
    )
    problems = []
    for index, item in enumerate(data.get("agencies", [])):
        try:
            review_service.add_agency(
                session=session,
                review=review,
                name=item["name"],
                sector=item.get("sector", ""),
                ref=item["ref"],
            )
        except ServiceError as error:
            problems.append(BundleProblem(f"$.agencies[{index}]", error.message))
    for index, item in enumerate(data.get("people", [])):
        try:
            review_service.create_person(
                session=session,
                review=review,
                ref=item["ref"],
                pseudonym=item["pseudonym"],
                role=item["role"],
                real_name=item.get("real_name"),
                aliases=item.get("aliases", []),
                date_of_birth=item.get("date_of_birth"),
                agency=item.get("agency"),
            )
        except ServiceError as error:
            problems.append(BundleProblem(f"$.people[{index}]", error.message))
    for index, item in enumerate(data.get("kpes", [])):
        try:
            chronology.create_kpe(
                session=session,
                review=review,
                title=item["title"],
                summary=item.get("summary", ""),
                narrative=item.get("narrative", ""),
                ref=item["ref"],
            )
        except ServiceError as error:
            problems.append(BundleProblem(f"$.kpes[{index}]", error.message))
    if problems:
        raise BundleError(problems)
    merged = {
        item["ref"]: list(item["merged_from"])
        for item in data.get("events", [])
        if item.get("merged_from")
    }
    start, size = 0, EVENTS_PER_PART
    while start < len(event_rows):
        began = time.perf_counter()
        part = [
            {**row, "merged_from": merged.get(row["ref"], [])}
            for row in event_rows[start : start + size]
        ]
        try:
            # Each part claims its refs in one statement, and links its events to agencies,
            # people and KPEs by dictionary.
            chronology.claim_refs(session, review, "event", [r["ref"] for r in part], "E")
            chronology.insert_events(
                session=session, review=review, added_by_id=author_id, rows=part
            )
        except ServiceError as error:
            raise BundleError([BundleProblem(f"$.events[{start}:]", error.message)]) from None
        start += len(part)
        if commit is not None:
            stored[:] = [review.id]
            commit()
            # Parts sized to the database at hand: each holds the write lock about PART_SECONDS.
            took = max(time.perf_counter() - began, 0.001)
            size = min(MAX_EVENTS_PER_PART, max(50, int(size * PART_SECONDS / took)))
            _let_others_write(session)
        if progress is not None:
            progress(start, len(event_rows))
    for section, create in (
        ("accounts", factor_service.create_account),
        ("factors", factor_service.create_factor),
        ("links", factor_service.create_link),
        ("findings", finding_service.create_finding),
        ("actions", finding_service.create_action),
    ):
        for index, item in enumerate(data.get(section, [])):
            try:
                create(session=session, review=review, **item)
            except ServiceError as error:
                problems.append(BundleProblem(f"$.{section}[{index}]", error.message))
            if commit is not None and not problems and (index + 1) % ITEMS_PER_PART == 0:
                session.flush()
                stored[:] = [review.id]
                commit()
                _let_others_write(session)
    _store_good_practice(data, session, review, importer, author, problems)
    for index, item in enumerate(data.get("feedback", [])):
        try:
            finding_service.create_feedback(
                session=session,
                review=review,
                audience=item["audience"],
                recipients=item["recipients"],
                you_said=item["you_said"],
                we_did=item["we_did"],
                fed_back_on=_date(item["fed_back_on"]),
                finding=item.get("finding"),
            )
        except ServiceError as error:
            problems.append(BundleProblem(f"$.feedback[{index}]", error.message))
    if data.get("report_narrative"):
        finding_service.update_narrative(
            session=session, review=review, expected_version=None, **data["report_narrative"]
        )
    if problems:
        # The caller's transaction is rolled back on this error, so nothing stays stored.
        raise BundleError(problems)
    session.flush()
    if commit is not None:
        commit()
    session.refresh(review)
    return review


_APPROVAL_FIELDS = ("approved_at", "approved_by_email")


def _store_good_practice(
    data: dict[str, Any],
    session: Session,
    review: Review,
    importer: User,
    author: User,
    problems: list[BundleProblem],
) -> None:
    """The review's good-practice entries (added by ``author``), and the partnership's
    entries outside any review (added by ``importer``; each keeps its ref unless the
    partnership's register already uses it)."""
    taken = {e.ref for e in partnership_entries(session, review.partnership_id)}
    for section, of_review in (("good_practice", True), ("partnership_good_practice", False)):
        for index, item in enumerate(data.get(section, [])):
            values = {k: v for k, v in item.items() if k not in _APPROVAL_FIELDS}
            if not of_review and values["ref"] in taken:
                values.pop("ref")
            if not of_review and (values.get("agency_name") or "").strip():
                review_service.directory_agency(
                    session, review.partnership_id, values["agency_name"], ""
                )
            try:
                approved_at = _approval_time(item)
                entry = good_practice_service.create_entry(
                    session=session,
                    partnership_id=review.partnership_id,
                    review=review if of_review else None,
                    creator=author if of_review else importer,
                    with_status=True,
                    **values,
                )
            except ServiceError as error:
                problems.append(BundleProblem(f"$.{section}[{index}]", error.message))
                continue
            taken.add(entry.ref)
            _approve(session, entry, approved_at, item)
