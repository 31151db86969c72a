"""Entries of the good-practice register: a review's entries; creating, changing and deleting
one (every field checked against its review or the partnership's directory); and an entry as
a bundle ``good_practice`` item and as the API's resource.

Entries speak the bundle's vocabulary (``good_practice`` items): ``agency`` is a review
agency's ref, ``events`` and ``factors`` are refs of the review's events and protective
factors. An entry without a review names its agency from the partnership's directory
(``agency_name``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.taxonomy import FOUR_D_PROMPTS, GOOD_PRACTICE_SOURCES, SHARE_STATUSES
from app.services.chronology import claim_ref, event_by_ref, release_ref
from app.services.errors import ServiceError, quoted
from app.services.factors import account_by_ref, factor_by_ref
from app.services.good_practice.register import theme_key
from app.services.reviews import agency_by_ref, check_version, name_key
from models import Agency, Event, Factor, GoodPractice, Review, ReviewAgency, User

ENTRY_FIELDS = (
    "title",
    "story",
    "what_made_it_work",
    "agency",
    "agency_name",
    "themes",
    "events",
    "factors",
    "source",
    "account",
    "consent_to_share",
    "four_d",
)
# Set only by a bundle import (a record of what happened elsewhere); the app moves an entry
# through the workflow with approve_entry and share_entry.
STATUS_FIELDS = ("share_status", "shared")
# Changing any of these after approval sends the entry back for approval.
CONTENT_FIELDS = frozenset(ENTRY_FIELDS) - {"consent_to_share"}
MAX_THEME = 60


# --- a review's entries ---------------------------------------------------------------------------


def review_good_practice(session: Session, review: Review) -> list[GoodPractice]:
    """The review's good-practice entries (drafts included), oldest first. A report warns
    when this is empty: a review that records no good practice has looked at only half."""
    return list(
        session.scalars(
            select(GoodPractice)
            .where(GoodPractice.review_id == review.id)
            .order_by(GoodPractice.id)
            .options(selectinload(GoodPractice.events), selectinload(GoodPractice.factors))
        )
    )


# --- creating and changing -------------------------------------------------------------------


def _next_partnership_ref(session: Session, partnership_id: int) -> str:
    refs = session.scalars(
        select(GoodPractice.ref).where(
            GoodPractice.partnership_id == partnership_id, GoodPractice.review_id.is_(None)
        )
    )
    numbers = [int(m.group(1)) for r in refs if (m := re.fullmatch(r"QA(\d+)", r))]
    return f"QA{max(numbers, default=0) + 1}"


def _themes(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    themes: dict[str, str] = {}
    for theme in values or []:
        cleaned = " ".join(str(theme).split())[:MAX_THEME]
        if cleaned:
            themes.setdefault(theme_key(cleaned), cleaned)
    return list(themes.values())


def _review_events(session: Session, review: Review, refs: Iterable[str]) -> list[Event]:
    events = []
    for ref in dict.fromkeys(r for r in refs if r):
        event = event_by_ref(session, review, ref)
        if event is None or event.deleted_at is not None:
            raise ServiceError(f"There is no event {quoted(ref)} in this review", "events")
        events.append(event)
    return events


def _protective_factors(session: Session, review: Review, refs: Iterable[str]) -> list[Factor]:
    factors = []
    for ref in dict.fromkeys(r for r in refs if r):
        factor = factor_by_ref(session, review, ref)
        if factor is None:
            raise ServiceError(f"There is no factor {quoted(ref)} in this review", "factors")
        if factor.type != "protective":
            raise ServiceError(
                f"Factor {ref} is not a protective factor: link only what helped", "factors"
            )
        factors.append(factor)
    return factors


def _agency(
    session: Session, entry: GoodPractice, review: Review | None, values: dict[str, Any]
) -> None:
    if "agency" in values:
        ref = values["agency"]
        if not ref:
            entry.agency_id = None
        elif review is None:
            raise ServiceError(
                "Only an entry of a review names its agency by ref: use agency_name", "agency"
            )
        else:
            review_agency = agency_by_ref(session, review, ref)
            if review_agency is None:
                raise ServiceError(f"There is no agency {quoted(ref)} in this review", "agency")
            entry.agency_id = review_agency.agency_id
    if values.get("agency_name") is not None:
        name = values["agency_name"]
        if not name:
            entry.agency_id = None
            return
        agency = session.scalar(
            select(Agency).where(
                Agency.partnership_id == entry.partnership_id, Agency.name_key == name_key(name)
            )
        )
        if agency is None:
            raise ServiceError(
                f"There is no agency called {quoted(name)} in the partnership's directory",
                "agency_name",
            )
        entry.agency_id = agency.id


def _apply(
    session: Session,
    entry: GoodPractice,
    review: Review | None,
    values: dict[str, Any],
    *,
    with_status: bool,
) -> None:
    allowed = set(ENTRY_FIELDS) | (set(STATUS_FIELDS) if with_status else set())
    unknown = set(values) - allowed
    if unknown & set(STATUS_FIELDS):
        raise ServiceError(
            "An entry moves from draft to approved to shared by approving and sharing it",
            "share_status",
        )
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for key, limit in (("title", 300), ("story", None), ("what_made_it_work", None)):
        if key in values:
            text = (values[key] or "").strip()
            if key in ("title", "story") and not text:
                raise ServiceError(f"Write the entry's {key}", key)
            if limit is not None and len(text) > limit:
                raise ServiceError(f"The {key} must be {limit} characters or fewer", key)
            setattr(entry, key, text)
    if "source" in values:
        source = values["source"] or "other"
        if source not in GOOD_PRACTICE_SOURCES:
            raise ServiceError("Choose where the good practice came from", "source")
        entry.source = source
    if "themes" in values:
        entry.themes = _themes(values["themes"])
    if "consent_to_share" in values:
        entry.consent_to_share = bool(values["consent_to_share"])
    if "four_d" in values:
        four_d = values["four_d"] or {}
        unknown_d = set(four_d) - set(FOUR_D_PROMPTS)
        if unknown_d:
            raise ServiceError(f"Unknown 4-D prompts: {', '.join(sorted(unknown_d))}", "four_d")
        entry.four_d = {k: v.strip() for k, v in four_d.items() if v and v.strip()}
    _agency(session, entry, review, values)
    for key in ("events", "factors", "account"):
        if values.get(key) and review is None:
            raise ServiceError(f"Only an entry of a review can link its {key}", key)
    if review is not None:
        if "events" in values:
            entry.events = _review_events(session, review, values["events"] or [])
        if "factors" in values:
            entry.factors = _protective_factors(session, review, values["factors"] or [])
        if "account" in values:
            ref = values["account"]
            account = account_by_ref(session, review, ref) if ref else None
            if ref and account is None:
                raise ServiceError(f"There is no account {quoted(ref)} in this review", "account")
            entry.account = account
    if with_status:
        if "share_status" in values:
            if values["share_status"] not in SHARE_STATUSES:
                raise ServiceError("Unknown share status", "share_status")
            entry.share_status = values["share_status"]
        if "shared" in values:
            entry.shared = [{"where": s["where"], "on": s["on"]} for s in values["shared"] or []]


def create_entry(
    *,
    session: Session,
    partnership_id: int,
    review: Review | None = None,
    creator: User | None = None,
    ref: str | None = None,
    with_status: bool = False,
    **values: Any,
) -> GoodPractice:
    """Add an entry to the register (as a draft, unless a bundle import says otherwise)."""
    if review is not None and review.partnership_id != partnership_id:
        raise ServiceError("That review belongs to another partnership", "review")
    for key in ("title", "story"):
        if not (values.get(key) or "").strip():
            raise ServiceError(f"Write the entry's {key}", key)
    entry = GoodPractice(
        partnership_id=partnership_id,
        review_id=review.id if review is not None else None,
        ref="",
        title="",
        story="",
        themes=[],
        four_d={},
        shared=[],
        share_status="draft",
        created_by_id=creator.id if creator is not None else None,
    )
    _apply(session, entry, review, values, with_status=with_status)
    if review is not None:
        entry.ref = claim_ref(session, review, "good_practice", ref, "GP")
    else:
        entry.ref = ref or _next_partnership_ref(session, partnership_id)
    session.add(entry)
    session.flush()
    return entry


def update_entry(
    *, session: Session, entry: GoodPractice, expected_version: int | None, **values: Any
) -> GoodPractice:
    """Change an entry. Changing what it says after approval sends it back to draft, so
    nothing is shared that an approver has not read."""
    check_version(entry, expected_version)
    review = session.get(Review, entry.review_id) if entry.review_id is not None else None
    before = _content(entry)
    _apply(session, entry, review, values, with_status=False)
    if entry.share_status != "draft" and _content(entry) != before:
        entry.share_status = "draft"
        entry.approved_by_id = None
        entry.approved_at = None
    if entry.share_status == "approved" and not entry.consent_to_share:
        entry.share_status = "draft"  # consent withdrawn: approval no longer stands
        entry.approved_by_id = None
        entry.approved_at = None
    session.flush()
    return entry


def _content(entry: GoodPractice) -> tuple[Any, ...]:
    return (
        entry.title,
        entry.story,
        entry.what_made_it_work,
        entry.agency_id,
        tuple(entry.themes or []),
        tuple(sorted((entry.four_d or {}).items())),
        tuple(e.id for e in entry.events),
        tuple(f.id for f in entry.factors),
    )


def delete_entry(*, session: Session, entry: GoodPractice) -> None:
    review = session.get(Review, entry.review_id) if entry.review_id is not None else None
    ref = entry.ref
    session.delete(entry)
    session.flush()
    if review is not None:
        release_ref(session, review, ref)


# --- the bundle and API item -----------------------------------------------------------------


def entry_item(entry: GoodPractice) -> dict[str, Any]:
    """The entry as a bundle ``good_practice`` item."""
    item: dict[str, Any] = {"ref": entry.ref, "title": entry.title, "story": entry.story}
    if entry.what_made_it_work:
        item["what_made_it_work"] = entry.what_made_it_work
    if entry.review_id is not None and entry.agency_id is not None:
        review_agency = _review_agency(entry)
        if review_agency is not None:
            item["agency"] = review_agency.ref
    if entry.themes:
        item["themes"] = list(entry.themes)
    if entry.events:
        item["events"] = [e.ref for e in entry.events]
    if entry.factors:
        item["factors"] = [f.ref for f in entry.factors]
    item["share_status"] = entry.share_status
    item["source"] = entry.source
    item["consent_to_share"] = entry.consent_to_share
    if entry.four_d:
        item["four_d"] = dict(entry.four_d)
    if entry.shared:
        item["shared"] = [dict(s) for s in entry.shared]
    return item


def _review_agency(entry: GoodPractice) -> ReviewAgency | None:
    review = entry.review
    if review is None:
        return None
    return next((a for a in review.agencies if a.agency_id == entry.agency_id), None)


def entry_resource(entry: GoodPractice) -> dict[str, Any]:
    """The API resource: the bundle item, plus where it lives and who approved it."""
    return {
        "id": entry.id,
        "review": entry.review_id,
        **entry_item(entry),
        "agency_name": entry.agency.name if entry.agency is not None else None,
        "account": entry.account.ref if entry.account is not None else None,
        "approved_by": entry.approved_by.name if entry.approved_by is not None else None,
        "approved_at": entry.approved_at.isoformat() if entry.approved_at else None,
        "created_at": entry.created_at.isoformat() if entry.created_at else None,
    }
