"""Reading the partnership-wide register: which entries a reader is shown, by the register
page's filters, the API's or a chosen few; the themes they carry; and the directory agencies
and reviews the register's filters offer.

``visible`` is always the policy's answer to "which entries may this reader see?"
(``policy.visible_good_practice``): every query here narrows it, none widens it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, selectinload

from app.services.reviews import agency_by_ref, name_key
from models import Agency, GoodPractice, Membership, Review


def theme_key(theme: str) -> str:
    """A theme as it is compared: spaces collapsed, case folded."""
    return " ".join(theme.split()).casefold()


def with_theme(entries: Iterable[GoodPractice], theme: str) -> list[GoodPractice]:
    """The entries carrying ``theme`` (all of them when ``theme`` is empty). Themes are a JSON
    list: matched here, the same way on SQLite and PostgreSQL."""
    key = theme_key(theme)
    return [e for e in entries if not key or key in {theme_key(t) for t in e.themes or []}]


def theme_counts(entries: Iterable[GoodPractice]) -> list[tuple[str, int]]:
    """Each theme with how many of ``entries`` carry it, most first."""
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for entry in entries:
        for theme in entry.themes or []:
            key = theme_key(theme)
            labels.setdefault(key, theme)
            counts[key] += 1
    return [(labels[key], n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


# --- the register page -----------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    """What the register is narrowed to; empty values mean "any"."""

    text: str = ""
    theme: str = ""
    agency_id: int | None = None
    review_id: int | None = None
    no_review: bool = False  # only entries from other quality-assurance work
    source: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None


def register_entries(
    session: Session,
    visible: ColumnElement[bool],
    filters: RegisterFilters,
    read_by: Callable[[str], str] | None = None,
) -> list[GoodPractice]:
    """Entries the caller may see (``visible``, from the policy) that match ``filters``,
    newest first. ``read_by``: the reader's view (pseudonyms for a reader who may not read
    real names); the text search then runs on the entries as they read them, so a real name
    finds nothing a made-up name would not."""
    statement = select(GoodPractice).where(visible)
    if filters.text.strip() and read_by is not None:
        needle = filters.text.strip().casefold()
        return [
            entry
            for entry in register_entries(session, visible, replace(filters, text=""))
            if any(
                needle in read_by(value or "").casefold()
                for value in (entry.title, entry.story, entry.what_made_it_work)
            )
        ]
    if filters.text.strip():
        pattern = f"%{filters.text.strip()}%"
        statement = statement.where(
            or_(
                GoodPractice.title.ilike(pattern),
                GoodPractice.story.ilike(pattern),
                GoodPractice.what_made_it_work.ilike(pattern),
            )
        )
    if filters.agency_id is not None:
        statement = statement.where(GoodPractice.agency_id == filters.agency_id)
    statement = _of_review(statement, filters.review_id, no_review=filters.no_review)
    if filters.source:
        statement = statement.where(GoodPractice.source == filters.source)
    if filters.status:
        statement = statement.where(GoodPractice.share_status == filters.status)
    if filters.date_from is not None:
        start = datetime(filters.date_from.year, filters.date_from.month, filters.date_from.day)
        statement = statement.where(GoodPractice.created_at >= start.replace(tzinfo=UTC))
    if filters.date_to is not None:
        end = datetime(filters.date_to.year, filters.date_to.month, filters.date_to.day)
        statement = statement.where(
            GoodPractice.created_at < end.replace(tzinfo=UTC) + timedelta(days=1)
        )
    rows = session.scalars(
        statement.order_by(GoodPractice.created_at.desc(), GoodPractice.id.desc()).options(
            selectinload(GoodPractice.review)
        )
    )
    return with_theme(rows, filters.theme)


def _of_review(
    statement: Select[GoodPractice], review_id: int | None, *, no_review: bool
) -> Select[GoodPractice]:
    """``statement`` narrowed to entries of no review, or of review ``review_id``."""
    if no_review:
        return statement.where(GoodPractice.review_id.is_(None))
    if review_id is not None:
        return statement.where(GoodPractice.review_id == review_id)
    return statement


def known_themes(session: Session, visible: ColumnElement[bool]) -> list[str]:
    """Every theme of the entries the caller may see, most used first (the form's and the
    register's suggestions)."""
    rows = session.scalars(select(GoodPractice).where(visible).order_by(GoodPractice.id))
    return [theme for theme, _ in theme_counts(rows)]


def chosen_entries(
    session: Session, visible: ColumnElement[bool], ids: Sequence[int]
) -> list[GoodPractice]:
    """The entries with these ids that the caller may see (the others are left out, as if
    they did not exist), by id."""
    return list(
        session.scalars(
            select(GoodPractice).where(visible, GoodPractice.id.in_(ids)).order_by(GoodPractice.id)
        )
    )


def shared_entries(session: Session, visible: ColumnElement[bool]) -> list[GoodPractice]:
    """The entries the caller may see that have been shared, by id (the bulletin's)."""
    return list(
        session.scalars(
            select(GoodPractice)
            .where(visible, GoodPractice.share_status == "shared")
            .order_by(GoodPractice.id)
        )
    )


def directory_agencies(session: Session, partnership_id: int) -> list[Agency]:
    """The agencies of the partnership's directory, by name (the register's agency filter
    and the agency of an entry outside any review)."""
    return list(
        session.scalars(
            select(Agency).where(Agency.partnership_id == partnership_id).order_by(Agency.name)
        )
    )


def member_reviews_in_partnership(
    session: Session, user_id: int, partnership_id: int
) -> list[Review]:
    """The partnership's reviews the user is a member of, by title."""
    return list(
        session.scalars(
            select(Review)
            .join(Membership, Membership.review_id == Review.id)
            .where(Membership.user_id == user_id, Review.partnership_id == partnership_id)
            .order_by(Review.title)
        )
    )


# --- the API's list --------------------------------------------------------------------------


def entries_by_id(
    session: Session,
    visible: ColumnElement[bool],
    *,
    review_id: int | None = None,
    no_review: bool = False,
    agency_ids: Sequence[int] | None = None,
    after: int = 0,
    limit: int | None = None,
) -> list[GoodPractice]:
    """Entries the caller may see, by id: of review ``review_id`` (or of no review), of one of
    ``agency_ids`` when given, with an id above ``after``, at most ``limit`` of them."""
    statement = _of_review(select(GoodPractice).where(visible), review_id, no_review=no_review)
    if agency_ids is not None:
        statement = statement.where(GoodPractice.agency_id.in_(agency_ids))
    if after:
        statement = statement.where(GoodPractice.id > after)
    statement = statement.order_by(GoodPractice.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def agency_ids_named(
    session: Session,
    partnership_id: int,
    agency: str,
    *,
    agency_id: int | None,
    reviews: Iterable[Review],
) -> list[int]:
    """The directory agencies the API's ``agency`` filter names: the one with id
    ``agency_id`` (``agency`` read as an id, as the register page filters), those called
    ``agency``, and those ``reviews`` (the caller's) know by the ref ``agency``."""
    ids: list[int] = []
    if agency_id is not None:
        found = session.scalar(
            select(Agency.id).where(Agency.id == agency_id, Agency.partnership_id == partnership_id)
        )
        if found is not None:
            ids.append(found)
    ids += list(
        session.scalars(
            select(Agency.id).where(
                Agency.partnership_id == partnership_id, Agency.name_key == name_key(agency)
            )
        )
    )
    for review in reviews:
        review_agency = agency_by_ref(session, review, agency)
        if review_agency is not None:
            ids.append(review_agency.agency_id)
    return ids
