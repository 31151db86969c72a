"""A review as a bundle: each stored row as its bundle item, and the whole review (real names
included: callers restrict and audit it). Export writes only what is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from analysis.bundle import BUNDLE_FORMAT
from app.services import chronology
from app.services import factors as factor_service
from app.services import findings as finding_service
from app.services import good_practice as good_practice_service
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
)


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
    return chronology.kpes_of(_session_of(review), review)


def review_events(review: Review) -> list[Event]:
    """Live events in the order they were added (so a bundle round-trips exactly)."""
    session = _session_of(review)
    statement = select(Event).where(Event.review_id == review.id, Event.deleted_at.is_(None))
    return list(session.scalars(statement.order_by(Event.id).options(selectinload(Event.people))))
