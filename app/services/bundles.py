"""The review bundle: a whole review as JSON, imported and exported.

Export writes only what is stored; import validates first (schema, refs, unsupported sections)
and then stores everything in the caller's transaction, so a bad bundle changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Integer, Table, bindparam, delete, select
from sqlalchemy.orm import Session, object_session, selectinload

from analysis.bundle import BUNDLE_FORMAT, BundleProblem, validate_bundle
from analysis.chronology.dates import DateParseError, when_from_bundle
from app.services import chronology
from app.services import factors as factor_service
from app.services import findings as finding_service
from app.services import good_practice as good_practice_service
from app.services import reviews as review_service
from app.services.errors import ServiceError
from models import (
    Account,
    Action,
    Event,
    Factor,
    FeedbackRecord,
    Finding,
    GoodPractice,
    KeyPracticeEpisode,
    Link,
    Person,
    ReportNarrative,
    Review,
    ReviewAgency,
    User,
    audit,
)
from models.base import Base

# The optional sections of the bundle that this version stores.
SUPPORTED_SECTIONS = (
    "agencies",
    "people",
    "kpes",
    "events",
    "accounts",
    "factors",
    "links",
    "findings",
    "actions",
    "good_practice",
    "feedback",
    "partnership_good_practice",
)


class BundleError(ValueError):
    def __init__(self, problems: list[BundleProblem]) -> None:
        super().__init__(f"{len(problems)} problems in the bundle")
        self.problems = problems


def _drop_empty(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def review_item(review: Review) -> dict[str, Any]:
    return _drop_empty(
        {
            "title": review.title,
            "subject": review.subject,
            "review_type": review.review_type,
            "stage": review.stage,
            "terms_of_reference": review.terms_of_reference,
            "period_start": review.period_start.isoformat() if review.period_start else None,
            "period_end": review.period_end.isoformat() if review.period_end else None,
            "incident_known_on": (
                review.incident_known_on.isoformat() if review.incident_known_on else None
            ),
        }
    )


def agency_item(review_agency: ReviewAgency) -> dict[str, Any]:
    return _drop_empty(
        {"ref": review_agency.ref, "name": review_agency.name, "sector": review_agency.sector}
    )


def person_item(person: Person, *, with_real_names: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ref": person.ref,
        "pseudonym": person.pseudonym,
        "role": person.role,
        "agency": person.agency.ref if person.agency else None,
    }
    if with_real_names:
        item["real_name"] = person.real_name
        item["aliases"] = list(person.aliases or [])
        if person.date_of_birth is not None:
            item["date_of_birth"] = person.date_of_birth.isoformat()
    return _drop_empty(item)


def _iso_utc(moment: datetime) -> str:
    """``moment`` in UTC (a database without time zones gives it back naive, meaning UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def good_practice_item(entry: GoodPractice) -> dict[str, Any]:
    """The entry as a bundle item: the API's item, with its account and its approval."""
    item = good_practice_service.entry_item(entry)
    if entry.review_id is None:
        item.pop("events", None)
        item.pop("factors", None)
        if entry.agency is not None:
            item["agency_name"] = entry.agency.name
    elif entry.account is not None:
        item["account"] = entry.account.ref
    if entry.approved_at is not None:
        item["approved_at"] = _iso_utc(entry.approved_at)
        if entry.approved_by is not None:
            item["approved_by_email"] = entry.approved_by.email
    return item


def feedback_item(record: FeedbackRecord) -> dict[str, Any]:
    return _drop_empty(
        {
            "audience": record.audience,
            "recipients": record.recipients,
            "you_said": record.you_said,
            "we_did": record.we_did,
            "fed_back_on": record.fed_back_on.isoformat(),
            "finding": record.finding.ref if record.finding is not None else None,
        }
    )


def report_narrative_item(session: Session, review: Review) -> dict[str, Any]:
    """The report's narrative sections that were written (empty when none were)."""
    narrative = session.scalar(
        select(ReportNarrative).where(ReportNarrative.review_id == review.id)
    )
    if narrative is None:
        return {}
    return _drop_empty({key: getattr(narrative, key) for key in finding_service.NARRATIVE_FIELDS})


def partnership_entries(session: Session, partnership_id: int) -> list[GoodPractice]:
    """The partnership's good-practice entries outside any review, oldest first."""
    statement = select(GoodPractice).where(
        GoodPractice.partnership_id == partnership_id, GoodPractice.review_id.is_(None)
    )
    return list(session.scalars(statement.order_by(GoodPractice.id)))


def export_bundle(review: Review, *, with_partnership_entries: bool = False) -> dict[str, Any]:
    """The whole review as a bundle, real names included (callers restrict and audit it).

    ``with_partnership_entries`` adds the partnership's good-practice entries outside any
    review (the demo's file holds them); a review's own export leaves them out."""
    bundle: dict[str, Any] = {"format": BUNDLE_FORMAT, "review": review_item(review)}
    agencies = [agency_item(a) for a in review.agencies]
    people = [person_item(p, with_real_names=True) for p in review.people]
    if agencies:
        bundle["agencies"] = agencies
    if people:
        bundle["people"] = people
    kpes = [
        _drop_empty(
            {"ref": k.ref, "title": k.title, "summary": k.summary, "narrative": k.narrative}
        )
        for k in review_kpes(review)
    ]
    if kpes:
        bundle["kpes"] = kpes
    events = [chronology.event_item(e) for e in review_events(review)]
    if events:
        bundle["events"] = events
    session = _session_of(review)
    for section, items in (
        ("accounts", [factor_service.account_item(a) for a in _rows(session, Account, review)]),
        ("factors", [factor_service.factor_item(f) for f in _rows(session, Factor, review)]),
        ("links", [factor_service.link_item(link) for link in _rows(session, Link, review)]),
        ("findings", [finding_service.finding_item(f) for f in _rows(session, Finding, review)]),
        ("actions", [finding_service.action_item(a) for a in _rows(session, Action, review)]),
        ("good_practice", [good_practice_item(e) for e in _review_entries(session, review)]),
        ("feedback", [feedback_item(r) for r in _rows(session, FeedbackRecord, review)]),
    ):
        if items:
            bundle[section] = items
    narrative = report_narrative_item(session, review)
    if narrative:
        bundle["report_narrative"] = narrative
    if with_partnership_entries:
        register = partnership_entries(session, review.partnership_id)
        if register:
            bundle["partnership_good_practice"] = [good_practice_item(e) for e in register]
    return bundle


_Row = TypeVar("_Row", Account, Factor, Link, Finding, Action, FeedbackRecord)


def _rows(session: Session, model: type[_Row], review: Review) -> list[_Row]:
    """The review's rows of ``model`` in the order they were added."""
    statement = select(model).where(model.review_id == review.id).order_by(model.id)
    return list(session.scalars(statement))


def _review_entries(session: Session, review: Review) -> list[GoodPractice]:
    return good_practice_service.review_good_practice(session, review)


def _session_of(review: Review) -> Session:
    session = object_session(review)
    if session is None:
        raise ValueError("the review must belong to a session")
    return session


def review_kpes(review: Review) -> list[KeyPracticeEpisode]:
    session = _session_of(review)
    statement = select(KeyPracticeEpisode).where(KeyPracticeEpisode.review_id == review.id)
    return list(session.scalars(statement.order_by(KeyPracticeEpisode.id)))


def review_events(review: Review) -> list[Event]:
    """Live events in the order they were added (so a bundle round-trips exactly)."""
    session = _session_of(review)
    statement = select(Event).where(Event.review_id == review.id, Event.deleted_at.is_(None))
    return list(session.scalars(statement.order_by(Event.id).options(selectinload(Event.people))))


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


# A bundle larger than this is refused (422), so an import stays bounded: 100,000 events (and
# as many items in any other section); the byte limit is BUNDLE_MAX_BYTES in the config.
MAX_BUNDLE_ITEMS = 100_000
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


def bundle_size_problems(data: Any) -> list[BundleProblem]:
    """The sections of ``data`` over MAX_BUNDLE_ITEMS items (checked before anything else)."""
    if not isinstance(data, dict):
        return []
    return [
        BundleProblem(
            f"$.{section}",
            f"the bundle has {len(items):,} {section.replace('_', ' ')}; at most "
            f"{MAX_BUNDLE_ITEMS:,} can be imported at once: split the review or import it "
            "in smaller parts",
        )
        for section, items in data.items()
        if isinstance(items, list) and len(items) > MAX_BUNDLE_ITEMS
    ]


def _event_rows(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[BundleProblem]]:
    """Each bundle event as a row for ``create_events``, checked against the bundle's own
    agencies, people and KPEs by dictionary, before anything is stored."""
    agencies = {item["ref"] for item in data.get("agencies", [])}
    people = {item["ref"] for item in data.get("people", [])}
    kpes = {item["ref"] for item in data.get("kpes", [])}
    rows: list[dict[str, Any]] = []
    problems: list[BundleProblem] = []
    for index, item in enumerate(data.get("events", [])):
        where = f"$.events[{index}]"
        try:
            when = when_from_bundle(item["date"], item["date_precision"], item.get("end_date"))
        except DateParseError as error:
            problems.append(BundleProblem(f"{where}.date", str(error)))
            continue
        missing = [
            f"There is no {kind} '{ref}' in this review"
            for kind, refs, known in (
                ("agency", [item.get("agency")], agencies),
                ("person", item.get("people", []), people),
                ("key practice episode", [item.get("kpe")], kpes),
            )
            for ref in refs
            if ref and ref not in known
        ]
        if not item["description"].strip():
            missing.append("Describe what happened")
        if missing:
            problems.append(BundleProblem(where, missing[0]))
            continue
        rows.append(
            {
                "ref": item["ref"],
                "when": when,
                "agency": item.get("agency"),
                "source": item.get("source"),
                "source_detail": item.get("source_detail", ""),
                "description": item["description"],
                "outcome": item.get("outcome", ""),
                "people": item.get("people", []),
                "appraisal": item.get("appraisal"),
                "kpe": item.get("kpe"),
            }
        )
    return rows, problems


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


def bundle_problems(data: Any) -> list[BundleProblem]:
    """Everything wrong with ``data`` that can be found without the database (size, schema,
    refs, dates): what ``import_bundle`` checks before it writes anything."""
    problems = bundle_size_problems(data) or validate_bundle(data, SUPPORTED_SECTIONS)
    if problems:
        return problems
    return _event_rows(data)[1]


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
    event_rows, problems = _event_rows(data)
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
