"""Reviews, their members, agencies and people: create, change, remove."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from analysis.chronology.dates import DateParseError, parse_when
from analysis.taxonomy import PERSON_ROLES, REVIEW_TYPES, ROLES, STAGES
from app.paging import rows_after
from app.services.errors import ServiceError, StaleVersionError
from app.services.users import normalise_email
from models import Agency, Membership, Person, Review, ReviewAgency, User, audit, utcnow

REF_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
REVIEW_FIELDS = (
    "title",
    "subject",
    "review_type",
    "stage",
    "terms_of_reference",
    "period_start",
    "period_end",
    "incident_known_on",
)


def check_ref(ref: str, field: str = "ref") -> str:
    if not REF_PATTERN.match(ref):
        raise ServiceError(
            "A ref is 1 to 64 letters, digits or the characters _ . : - (no spaces)", field
        )
    return ref


def _next_ref(session: Session, model: Any, review_id: int, prefix: str) -> str:
    refs = session.scalars(select(model.ref).where(model.review_id == review_id))
    numbers = [
        int(r[len(prefix) :]) for r in refs if r.startswith(prefix) and r[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


class _Versioned(Protocol):
    @property
    def version(self) -> int: ...


def check_version(item: _Versioned, expected_version: int | None) -> None:
    """Refuse a change made to an older version than the one stored (a lost update)."""
    if expected_version is not None and expected_version != item.version:
        raise StaleVersionError(
            "Someone else changed this since you opened it. Your changes have not been saved."
        )


def _clean_review_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for key in ("title", "subject"):
        if key in cleaned:
            cleaned[key] = " ".join(str(cleaned[key] or "").split())
            if not cleaned[key]:
                raise ServiceError(f"Enter the review's {key}", key)
    if len(cleaned.get("title", "")) > 200:
        raise ServiceError("The title must be 200 characters or fewer", "title")
    if len(cleaned.get("subject", "")) > 100:
        raise ServiceError("The subject's pseudonym must be 100 characters or fewer", "subject")
    if "review_type" in cleaned and cleaned["review_type"] not in REVIEW_TYPES:
        raise ServiceError("Choose a review type from the list", "review_type")
    if "stage" in cleaned and cleaned["stage"] not in STAGES:
        raise ServiceError("Choose a stage from the list", "stage")
    for key in ("period_start", "period_end", "incident_known_on"):
        if key in cleaned and cleaned[key] is not None and not isinstance(cleaned[key], date):
            raise ServiceError("Enter a real date, for example 2024-03-27", key)
    return cleaned


def _note_closure(review: Review) -> None:
    """Retention runs from the day a review is closed: note it, and forget it on reopening."""
    if review.stage == "closed" and review.closed_at is None:
        review.closed_at = utcnow()
    elif review.stage != "closed":
        review.closed_at = None


def _check_period(review: Review) -> None:
    if review.period_start and review.period_end and review.period_start > review.period_end:
        raise ServiceError("The period under review must end after it starts", "period_end")


def create_review(*, session: Session, creator: User, **fields: Any) -> Review:
    """Create a review in the creator's partnership; the creator becomes its chair."""
    fields = _clean_review_fields(fields)
    for key in ("title", "subject", "review_type"):
        if not fields.get(key):
            raise ServiceError(f"Enter the review's {key.replace('_', ' ')}", key)
    review = Review(partnership_id=creator.partnership_id, created_by_id=creator.id, **fields)
    _check_period(review)
    _note_closure(review)
    session.add(review)
    session.flush()
    session.add(Membership(review_id=review.id, user_id=creator.id, role="chair"))
    session.flush()
    return review


def update_review(
    *, session: Session, review: Review, expected_version: int | None, **fields: Any
) -> Review:
    check_version(review, expected_version)
    fields = _clean_review_fields(fields)
    for key, value in fields.items():
        if key not in REVIEW_FIELDS:
            raise ServiceError(f"'{key}' cannot be changed here", key)
        setattr(review, key, value)
    _check_period(review)
    _note_closure(review)
    session.flush()
    return review


def member_reviews(session: Session, user_id: int, *, after: int, limit: int) -> list[Review]:
    """The reviews ``user_id`` is a member of, in id order: up to ``limit`` + 1 after the id
    ``after`` (a page, and whether there is another)."""
    statement = (
        select(Review)
        .join(Membership, Membership.review_id == Review.id)
        .where(Membership.user_id == user_id)
    )
    return rows_after(session, statement, Review.id, after=after, limit=limit)


def reviews_of_partnership(session: Session, partnership_id: int) -> list[Review]:
    """Every review of the partnership, by title."""
    return list(
        session.scalars(
            select(Review).where(Review.partnership_id == partnership_id).order_by(Review.title)
        )
    )


def review_titles(session: Session, review_ids: Iterable[int]) -> dict[int, str]:
    """The title of each review of ``review_ids``, by id."""
    rows = session.execute(select(Review.id, Review.title).where(Review.id.in_(list(review_ids))))
    return {review_id: title for review_id, title in rows}


def agency_by_ref(session: Session, review: Review, ref: str) -> ReviewAgency | None:
    return session.scalar(
        select(ReviewAgency).where(ReviewAgency.review_id == review.id, ReviewAgency.ref == ref)
    )


def name_key(name: str) -> str:
    return " ".join(name.split()).lower()


def directory_agency(session: Session, partnership_id: int, name: str, sector: str) -> Agency:
    """The partnership's directory entry for ``name``, created when new."""
    agency = session.scalar(
        select(Agency).where(
            Agency.partnership_id == partnership_id, Agency.name_key == name_key(name)
        )
    )
    if agency is None:
        agency = Agency(
            partnership_id=partnership_id,
            name=" ".join(name.split()),
            name_key=name_key(name),
            sector=sector,
        )
        session.add(agency)
        session.flush()
    elif sector and not agency.sector:
        agency.sector = sector
    return agency


def add_agency(
    *, session: Session, review: Review, name: str, sector: str = "", ref: str | None = None
) -> ReviewAgency:
    """Add an agency to the review, matched by name to the partnership's directory."""
    if not name.strip():
        raise ServiceError("Enter the agency's name", "name")
    if len(name) > 200:
        raise ServiceError("The agency's name must be 200 characters or fewer", "name")
    agency = directory_agency(session, review.partnership_id, name, sector.strip())
    taken = session.scalar(
        select(ReviewAgency).where(
            ReviewAgency.review_id == review.id, ReviewAgency.agency_id == agency.id
        )
    )
    if taken is not None:
        raise ServiceError(f"{agency.name} is already taking part in this review", "name")
    if ref is not None:
        check_ref(ref)
        if agency_by_ref(session, review, ref) is not None:
            raise ServiceError(f"The agency ref '{ref}' is already used in this review", "ref")
    else:
        ref = _next_ref(session, ReviewAgency, review.id, "A")
    review_agency = ReviewAgency(review_id=review.id, agency=agency, ref=ref)
    session.add(review_agency)
    session.flush()
    return review_agency


def update_agency(
    *,
    session: Session,
    review_agency: ReviewAgency,
    expected_version: int | None,
    name: str | None = None,
    sector: str | None = None,
) -> ReviewAgency:
    check_version(review_agency, expected_version)
    if name is not None and name_key(name) != review_agency.agency.name_key:
        review = review_agency.review
        agency = directory_agency(session, review.partnership_id, name, sector or "")
        clash = session.scalar(
            select(ReviewAgency.id).where(
                ReviewAgency.review_id == review.id,
                ReviewAgency.agency_id == agency.id,
                ReviewAgency.id != review_agency.id,
            )
        )
        if clash is not None:
            raise ServiceError(f"{agency.name} is already taking part in this review", "name")
        review_agency.agency = agency
    if sector is not None:
        review_agency.agency.sector = sector.strip()
    # The row itself may be unchanged (a new sector lives in the directory); write it anyway
    # so that its version moves on and a concurrent edit is detected.
    flag_modified(review_agency, "agency_id")
    session.flush()
    return review_agency


def remove_agency(*, session: Session, review_agency: ReviewAgency) -> None:
    users = session.scalar(
        select(func.count(Person.id)).where(Person.agency_id == review_agency.id)
    )
    members = session.scalar(
        select(func.count(Membership.id)).where(Membership.agency_id == review_agency.id)
    )
    if users or members:
        raise ServiceError(
            f"{review_agency.name} is recorded against {users} people and {members} members "
            "of this review; change them first",
            "agency",
        )
    session.delete(review_agency)
    session.flush()


def add_member(
    *, session: Session, review: Review, email: str, role: str, agency_ref: str | None = None
) -> Membership:
    """Give a user of the review's partnership a role on it."""
    if role not in ROLES:
        raise ServiceError("Choose a role from the list", "role")
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or user.partnership_id != review.partnership_id or not user.is_active:
        raise ServiceError(
            "There is no active user with that email address in this partnership", "email"
        )
    if session.scalar(
        select(Membership.id).where(
            Membership.review_id == review.id, Membership.user_id == user.id
        )
    ):
        raise ServiceError(f"{user.name} is already a member of this review", "email")
    agency = None
    if role == "agency_rep":
        agency = agency_by_ref(session, review, agency_ref or "")
        if agency is None:
            raise ServiceError(
                "An agency representative must be bound to one of the review's agencies", "agency"
            )
    membership = Membership(review_id=review.id, user_id=user.id, role=role, agency=agency)
    session.add(membership)
    session.flush()
    if role == "chair":
        record_chair_change(session, review, membership, "chair.appoint")
    return membership


def record_chair_change(
    session: Session, review: Review, membership: Membership, action: str
) -> None:
    """A chair decides who approves the report: appointments and removals stand out in the
    audit trail (beside the membership's own entries)."""
    audit.record(
        session,
        action,
        entity_type="memberships",
        entity_id=str(membership.id),
        review_id=review.id,
        after={"user_id": membership.user_id, "email": membership.user.email},
    )


def remove_member(*, session: Session, review: Review, membership: Membership) -> None:
    if membership.role == "chair":
        chairs = session.scalar(
            select(func.count(Membership.id)).where(
                Membership.review_id == review.id, Membership.role == "chair"
            )
        )
        if chairs == 1:
            raise ServiceError(
                "A review needs a chair: appoint another before removing this one", "member"
            )
        record_chair_change(session, review, membership, "chair.remove")
    session.delete(membership)
    session.flush()


def person_by_ref(session: Session, review: Review, ref: str) -> Person | None:
    return session.scalar(select(Person).where(Person.review_id == review.id, Person.ref == ref))


def _clean_person(session: Session, review: Review, values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "pseudonym" in values:
        cleaned["pseudonym"] = " ".join(str(values["pseudonym"] or "").split())
        if not cleaned["pseudonym"]:
            raise ServiceError(
                "Enter the pseudonym used for this person in every output", "pseudonym"
            )
    if "role" in values:
        if values["role"] not in PERSON_ROLES:
            raise ServiceError("Choose the person's role in the case from the list", "role")
        cleaned["role"] = values["role"]
    if "real_name" in values:
        cleaned["real_name"] = " ".join(str(values["real_name"] or "").split()) or None
    if "date_of_birth" in values:
        cleaned["date_of_birth"] = _date_of_birth(values["date_of_birth"])
    if "aliases" in values:
        aliases = values["aliases"] or []
        cleaned["aliases"] = [" ".join(a.split()) for a in aliases if a and a.strip()]
    if "agency" in values:
        ref = values["agency"]
        if ref:
            agency = agency_by_ref(session, review, ref)
            if agency is None:
                raise ServiceError(f"There is no agency '{ref}' in this review", "agency")
            cleaned["agency"] = agency
        else:
            cleaned["agency"] = None
    return cleaned


def _date_of_birth(value: Any) -> date | None:
    """A date of birth as given (a date, ISO text, or day-first text such as 14/01/2019)."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        when = parse_when(text)
    except DateParseError as error:
        raise ServiceError(f"Date of birth: {error}", "date_of_birth") from error
    if when.precision != "day":
        raise ServiceError(
            "Enter the date of birth to the day, for example 14/01/2019", "date_of_birth"
        )
    return date.fromisoformat(when.date)


def create_person(
    *, session: Session, review: Review, ref: str | None = None, **values: Any
) -> Person:
    cleaned = _clean_person(session, review, values)
    for key in ("pseudonym", "role"):
        if key not in cleaned:
            raise ServiceError(f"Enter the person's {key}", key)
    if ref is not None:
        check_ref(ref)
        if person_by_ref(session, review, ref) is not None:
            raise ServiceError(f"The person ref '{ref}' is already used in this review", "ref")
    else:
        ref = _next_ref(session, Person, review.id, "P")
    person = Person(review_id=review.id, ref=ref, **cleaned)
    session.add(person)
    session.flush()
    return person


def update_person(
    *, session: Session, person: Person, expected_version: int | None, **values: Any
) -> Person:
    check_version(person, expected_version)
    for key, value in _clean_person(session, person.review, values).items():
        setattr(person, key, value)
    session.flush()
    return person


def record_real_name_view(*, session: Session, review: Review, people: list[Person]) -> None:
    """Audit that the current actor saw these people's real names."""
    audit.record(
        session,
        "view_real_names",
        entity_type="people",
        entity_id=str(people[0].id) if len(people) == 1 else "",
        review_id=review.id,
        after={"refs": [p.ref for p in people]},
    )


def delete_person(*, session: Session, person: Person) -> None:
    session.delete(person)
    session.flush()


RETURN_DATES = (
    "return_requested_on",
    "return_due_on",
    "return_received_on",
    "return_signed_off_on",
)


def update_return(
    *,
    session: Session,
    review_agency: ReviewAgency,
    expected_version: int | None,
    dates: dict[str, date | None],
    signed_off_by: str = "",
) -> ReviewAgency:
    """Record an agency's chronology return: requested, due, received and signed off (by
    whom). Refuses a due date or receipt before the request, a sign-off before receipt, and a
    sign-off without who signed it off."""
    check_version(review_agency, expected_version)
    requested, due = dates.get("return_requested_on"), dates.get("return_due_on")
    received, signed = dates.get("return_received_on"), dates.get("return_signed_off_on")
    who = " ".join((signed_off_by or "").split())[:200]
    if requested and due and due < requested:
        raise ServiceError("The due date must be on or after the day it was requested", "due")
    if requested and received and received < requested:
        raise ServiceError("It cannot be received before it was requested", "received")
    if signed and not received:
        raise ServiceError("Enter when it was received before it is signed off", "received")
    if signed and received and signed < received:
        raise ServiceError("It cannot be signed off before it was received", "signed_off")
    if signed and not who:
        raise ServiceError("Enter who signed it off", "signed_off_by")
    for name in RETURN_DATES:
        setattr(review_agency, name, dates.get(name))
    review_agency.return_signed_off_by = who if signed else ""
    session.flush()
    return review_agency
