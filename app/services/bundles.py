"""The review bundle: a whole review as JSON, imported and exported.

Export writes only what is stored; import validates first (schema, refs, unsupported sections)
and then stores everything in the caller's transaction, so a bad bundle changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
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
    Finding,
    KeyPracticeEpisode,
    Link,
    Person,
    Review,
    ReviewAgency,
    User,
)

# The optional sections this version stores; later features add to it.
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


def export_bundle(review: Review) -> dict[str, Any]:
    """The whole review as a bundle, real names included (callers restrict and audit it)."""
    bundle: dict[str, Any] = {"format": BUNDLE_FORMAT, "review": review_item(review)}
    agencies = [agency_item(a) for a in review.agencies]
    people = [person_item(p, with_real_names=True) for p in review.people]
    if agencies:
        bundle["agencies"] = agencies
    if people:
        bundle["people"] = people
    kpes = [
        _drop_empty({"ref": k.ref, "title": k.title, "summary": k.summary})
        for k in review_kpes(review)
    ]
    if kpes:
        bundle["kpes"] = kpes
    events = [chronology.event_item(e) for e in review_events(review)]
    if events:
        bundle["events"] = events
    session = _session_of(review)
    for section, model, item in (
        ("accounts", Account, factor_service.account_item),
        ("factors", Factor, factor_service.factor_item),
        ("links", Link, factor_service.link_item),
        ("findings", Finding, finding_service.finding_item),
        ("actions", Action, finding_service.action_item),
    ):
        rows = session.scalars(select(model).where(model.review_id == review.id).order_by(model.id))
        items = [item(row) for row in rows]
        if items:
            bundle[section] = items
    entries = good_practice_service.review_good_practice(session, review)
    if entries:
        bundle["good_practice"] = [good_practice_service.entry_item(e) for e in entries]
    return bundle


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


def import_bundle(data: Any, *, session: Session, importer: User) -> Review:
    """Store a bundle as a new review chaired by ``importer``; raise BundleError if invalid."""
    problems = validate_bundle(data, SUPPORTED_SECTIONS)
    if problems:
        raise BundleError(problems)
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
                ref=item["ref"],
            )
        except ServiceError as error:
            problems.append(BundleProblem(f"$.kpes[{index}]", error.message))
    for index, item in enumerate(data.get("events", [])):
        try:
            when = when_from_bundle(item["date"], item["date_precision"], item.get("end_date"))
            event = chronology.create_event(
                session=session,
                review=review,
                added_by_id=importer.id,
                ref=item["ref"],
                when=when,
                agency=item.get("agency"),
                source=item.get("source"),
                source_detail=item.get("source_detail", ""),
                description=item["description"],
                outcome=item.get("outcome", ""),
                people=item.get("people", []),
                appraisal=item.get("appraisal"),
                kpe=item.get("kpe"),
            )
            if item.get("merged_from"):
                event.merged_from = list(item["merged_from"])
        except DateParseError as error:
            problems.append(BundleProblem(f"$.events[{index}].date", str(error)))
        except ServiceError as error:
            problems.append(BundleProblem(f"$.events[{index}]", error.message))
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
    for index, item in enumerate(data.get("good_practice", [])):
        try:
            good_practice_service.create_entry(
                session=session,
                partnership_id=review.partnership_id,
                review=review,
                creator=importer,
                with_status=True,
                **item,
            )
        except ServiceError as error:
            problems.append(BundleProblem(f"$.good_practice[{index}]", error.message))
    if problems:
        # The caller's transaction is rolled back on this error, so nothing stays stored.
        raise BundleError(problems)
    session.refresh(review)
    return review
