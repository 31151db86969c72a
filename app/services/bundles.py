"""The review bundle: a whole review as JSON, imported and exported.

Export writes only what is stored; import validates first (schema, refs, unsupported sections)
and then stores everything in the caller's transaction, so a bad bundle changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from analysis.bundle import BUNDLE_FORMAT, BundleProblem, validate_bundle
from app.services import reviews as review_service
from app.services.errors import ServiceError
from models import Person, Review, ReviewAgency, User

# The optional sections this version stores; later features add to it.
SUPPORTED_SECTIONS = ("agencies", "people")


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
    return bundle


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
                agency=item.get("agency"),
            )
        except ServiceError as error:
            problems.append(BundleProblem(f"$.people[{index}]", error.message))
    if problems:
        # The caller's transaction is rolled back on this error, so nothing stays stored.
        raise BundleError(problems)
    session.refresh(review)
    return review
