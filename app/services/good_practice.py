"""The good-practice register: entries from each source, the sharing workflow with its
anonymisation gate, the partnership-wide register's filters, and the balance on a review.

Entries speak the bundle's vocabulary (``good_practice`` items): ``agency`` is a review
agency's ref, ``events`` and ``factors`` are refs of the review's events and protective
factors. An entry without a review names its agency from the partnership's directory
(``agency_name``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from analysis.anonymise import Hit, RegisterPerson, scan_document, substitute_document
from analysis.dates import uk_date, uk_today
from analysis.documents import Document, to_docx, to_html, to_pdf
from analysis.good_practice import (
    BriefingEntry,
    ReviewBrief,
    briefing_document,
    bulletin_html,
    entry_document,
    pseudonymised,
    redacted_briefing,
)
from analysis.taxonomy import (
    FOUR_D_PROMPTS,
    GOOD_PRACTICE_SOURCES,
    REVIEW_TYPES,
    SHARE_STATUSES,
)
from app.services import anonymity
from app.services.chronology import claim_ref, event_by_ref, release_ref
from app.services.errors import ServiceError, quoted
from app.services.factors import account_by_ref, factor_by_ref
from app.services.reviews import agency_by_ref, check_version, name_key
from models import (
    Account,
    Agency,
    Event,
    Factor,
    Finding,
    GoodPractice,
    Review,
    ReviewAgency,
    User,
)

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


class SharingBlockedError(ServiceError):
    """The anonymisation scan found something in the entry: it cannot be approved for sharing
    or shared yet. ``step`` is what was refused ("approve" or "share")."""

    def __init__(self, hits: Sequence[Hit], step: str = "share") -> None:
        self.hits = list(hits)
        self.step = step
        super().__init__(self.message_for(), "where" if step == "share" else None)

    def message_for(self, quote: Callable[[str, str], str] | None = None) -> str:
        """The message, quoting each hit as ``quote(kind, text)`` says (a reader who may not
        read real names is told "a registered name", not the name)."""
        count = len(self.hits)
        found = "; ".join(_described(h, quote) for h in self.hits[:10])
        more = f"; and {count - 10} more" if count > 10 else ""
        return (
            f"The anonymisation check found {count} thing{'s' if count != 1 else ''} that "
            f"could identify someone ({found}{more}). Change the entry, then {self.step} it."
        )


def _described(hit: Hit, quote: Callable[[str, str], str] | None) -> str:
    quoted = quote(hit.kind, hit.text) if quote else hit.text
    if quoted != hit.text:
        return quoted
    return f"{hit.kind.replace('_', ' ')} “{hit.text}”"


# --- reading ---------------------------------------------------------------------------------


def entry_by_ref(session: Session, review: Review, ref: str) -> GoodPractice | None:
    return session.scalar(
        select(GoodPractice).where(GoodPractice.review_id == review.id, GoodPractice.ref == ref)
    )


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
    if filters.no_review:
        statement = statement.where(GoodPractice.review_id.is_(None))
    elif filters.review_id is not None:
        statement = statement.where(GoodPractice.review_id == filters.review_id)
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
    theme = theme_key(filters.theme)
    # Themes are a JSON list: matched here, the same way on SQLite and PostgreSQL.
    return [e for e in rows if not theme or theme in {theme_key(t) for t in e.themes or []}]


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


def theme_key(theme: str) -> str:
    return " ".join(theme.split()).casefold()


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


# --- from a source ---------------------------------------------------------------------------


def _short_title(text: str, limit: int = 90) -> str:
    first = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def prefill_from_event(event: Event) -> dict[str, Any]:
    """What an entry from an event appraised as good practice starts with."""
    agency = event.agency
    return {
        "title": _short_title(event.description),
        "story": event.description,
        "source": "event",
        "agency": agency.ref if agency is not None else "",
        "events": [event.ref],
        "four_d": {"discover": event.description},
    }


def prefill_from_account(account: Account) -> dict[str, Any]:
    """An entry from an account's answer to "what went well, and what helped?"."""
    answer = (account.prompts or {}).get("what_went_well", "")
    who = account.contributor.pseudonym if account.contributor else account.contributor_role
    agency = account.contributor.agency if account.contributor else None
    return {
        "title": _short_title(answer) if answer else f"What went well: {who}",
        "story": answer,
        "what_made_it_work": "",
        "source": "account",
        "account": account.ref,
        "agency": agency.ref if agency is not None else "",
        "events": [e.ref for e in account.events],
        "four_d": {"discover": answer} if answer else {},
    }


def prefill_from_factor(session: Session, factor: Factor) -> dict[str, Any]:
    """An entry from a protective factor: its label and description, and the events its
    evidence rests on. The description is the story; what made it work is left for the
    author (the factor itself is linked as what made it work, not copied twice)."""
    events = [e.event.ref for e in factor.evidence if e.event is not None]
    return {
        "title": factor.label,
        "story": factor.description or factor.label,
        "what_made_it_work": "",
        "source": "protective_factor",
        "factors": [factor.ref],
        "events": list(dict.fromkeys(events)),
    }


# --- the sharing workflow --------------------------------------------------------------------


def approve_entry(*, session: Session, entry: GoodPractice, approver: User) -> GoodPractice:
    """Approve a draft for sharing. Consent to share must be recorded first, and the
    anonymisation scan must find nothing (the same check as sharing)."""
    if entry.share_status != "draft":
        raise ServiceError(f"{entry.ref} is already {entry.share_status}")
    if not entry.consent_to_share:
        raise ServiceError(
            "Record consent to share before approving: edit the entry and tick the box",
            "consent_to_share",
        )
    refuse_while_identifying(session, entry, step="approve")
    entry.share_status = "approved"
    entry.approved_by_id = approver.id
    entry.approved_at = datetime.now(UTC)
    session.flush()
    return entry


def people_register(session: Session, review: Review | None) -> list[RegisterPerson]:
    """The review's people register as the anonymiser reads it ([] without a review)."""
    return [] if review is None else anonymity.people_register(session, review)


def briefing_entry(entry: GoodPractice) -> BriefingEntry:
    return BriefingEntry(
        ref=entry.ref,
        title=entry.title,
        story=entry.story,
        what_made_it_work=entry.what_made_it_work,
        agency=anonymity.agency_label(entry.agency),
        themes=tuple(entry.themes or ()),
        four_d=tuple(
            (key, entry.four_d[key]) for key in FOUR_D_PROMPTS if (entry.four_d or {}).get(key)
        ),
        is_draft=entry.share_status == "draft",
        source=GOOD_PRACTICE_SOURCES.get(entry.source, entry.source),
    )


def scan_entry(session: Session, entry: GoodPractice) -> list[Hit]:
    """What the anonymisation scan finds in the entry as written: real names from the
    review's people register, school names, and identifiers (NHS numbers, postcodes, …)."""
    review = session.get(Review, entry.review_id) if entry.review_id is not None else None
    document: Document = entry_document(briefing_entry(entry))
    hits = scan_document(
        document,
        register=people_register(session, review),
        places=anonymity.partnership_schools(session, entry.partnership_id),
    )
    # One row per place in the text, however many register entries share the name.
    unique = {(h.location, h.start, h.end): h for h in hits}
    return list(unique.values())


def refuse_while_identifying(session: Session, entry: GoodPractice, *, step: str) -> None:
    """The gate of approval and sharing: raise SharingBlockedError while the scan finds
    anything in the entry."""
    hits = scan_entry(session, entry)
    if hits:
        raise SharingBlockedError(hits, step)


def share_entry(
    *, session: Session, entry: GoodPractice, where: str, on: date | str
) -> GoodPractice:
    """Record that an approved entry was shared; refused while the scan finds anything."""
    if entry.share_status == "draft":
        raise ServiceError(f"{entry.ref} must be approved before it is shared", "where")
    where = " ".join((where or "").split())[:200]
    if not where:
        raise ServiceError("Say where it was shared, for example a learning circle", "where")
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on)
        except ValueError:
            raise ServiceError("Enter a real date, for example 2025-06-12", "on") from None
    if on > uk_today():
        raise ServiceError("The date it was shared cannot be in the future", "on")
    approved = entry.approved_at or entry.created_at
    if approved is not None and on < approved.date():
        raise ServiceError(
            f"The date it was shared cannot be before the entry was approved "
            f"({uk_date(approved.date())})",
            "on",
        )
    refuse_while_identifying(session, entry, step="share")
    entry.shared = [*(entry.shared or []), {"where": where, "on": on.isoformat()}]
    entry.share_status = "shared"
    session.flush()
    return entry


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


# --- outputs and balance ---------------------------------------------------------------------


def _render(document: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(document)
    if fmt == "docx":
        return to_docx(document)
    if fmt == "html":
        return to_html(document, standalone=True).encode()
    raise ValueError(f"unknown format {fmt!r}")


def _registers(
    session: Session, entries: Sequence[GoodPractice]
) -> dict[int | None, list[RegisterPerson]]:
    """Each entry's review's people register, by review id (None: no review, no register)."""
    registers: dict[int | None, list[RegisterPerson]] = {None: []}
    for entry in entries:
        if entry.review_id not in registers:
            registers[entry.review_id] = people_register(
                session, session.get(Review, entry.review_id)
            )
    return registers


def pseudonymised_entries(session: Session, entries: Sequence[GoodPractice]) -> list[BriefingEntry]:
    """Each entry ready for an output, with its own review's real names replaced."""
    registers = _registers(session, entries)
    return [pseudonymised(briefing_entry(e), registers[e.review_id]) for e in entries]


def review_brief(session: Session, review: Review) -> ReviewBrief:
    """The review's own record, for its briefing: the case in brief (the terms of reference),
    its type and period, and why the practice matters (how the chronology was appraised and
    how many findings the review made)."""
    period = ""
    if review.period_start and review.period_end:
        period = f", {review.period_start:%B %Y} to {review.period_end:%B %Y}"
    appraisals = dict(
        session.execute(
            select(Event.appraisal, func.count())
            .where(Event.review_id == review.id, Event.deleted_at.is_(None))
            .group_by(Event.appraisal)
        ).all()
    )
    good = int(appraisals.get("good_practice", 0))
    problematic = int(appraisals.get("problematic", 0))
    findings = session.scalar(
        select(func.count()).select_from(Finding).where(Finding.review_id == review.id)
    )
    why = []
    if good or problematic:
        why.append(
            f"The review's chronology appraises {_count(problematic, 'event')} as problematic "
            f"and {_count(good, 'event')} as good practice. Learning only from what went wrong "
            "is half the lesson: this is what to keep and spread."
        )
    if findings:
        why.append(
            f"Beside the review's {_count(int(findings), 'finding')} on what made practice "
            "harder, these entries show what already works in the same system."
        )
    return ReviewBrief(
        summary=review.terms_of_reference or "",
        context=f"{REVIEW_TYPES.get(review.review_type, review.review_type)}{period}.",
        why=tuple(why),
    )


def _count(count: int, noun: str) -> str:
    return f"{count} {noun if count == 1 else noun + 's'}"


def briefing_output(
    session: Session,
    entries: Sequence[GoodPractice],
    fmt: str,
    *,
    title: str,
    subtitle: str = "",
    review: Review | None = None,
) -> bytes:
    """The 7-minute briefing of ``entries`` as HTML, PDF or DOCX: pseudonymised, then
    scanned like a published report, with every identifying detail the scan still finds
    removed and a notice naming the entries to fix at source."""
    document, _hits = briefing_checked(
        session, entries, title=title, subtitle=subtitle, review=review
    )
    return _render(document, fmt)


def briefing_checked(
    session: Session,
    entries: Sequence[GoodPractice],
    *,
    title: str,
    subtitle: str = "",
    review: Review | None = None,
) -> tuple[Document, list[Hit]]:
    """The briefing document as it is rendered, and what the scan removed from it."""
    registers = _registers(session, entries)
    if review is not None:
        registers[review.id] = people_register(session, review)
    prepared = [pseudonymised(briefing_entry(e), registers[e.review_id]) for e in entries]
    brief = review_brief(session, review) if review is not None else None
    document = briefing_document(prepared, title=title, subtitle=subtitle, brief=brief)
    if review is not None:
        document = substitute_document(document, registers[review.id])
    # Every register these entries touch: a real name from one review is as identifying in
    # an entry of another.
    everyone = [person for register in registers.values() for person in register]
    partnership_id = review.partnership_id if review is not None else entries[0].partnership_id
    return redacted_briefing(
        document,
        prepared,
        register=everyone,
        places=anonymity.partnership_schools(session, partnership_id),
    )


def review_briefing(session: Session, review: Review, fmt: str) -> bytes:
    """The briefing of all a review's entries, drafts marked as drafts."""
    return briefing_output(
        session,
        review_good_practice(session, review),
        fmt,
        title=f"{review.subject}: 7-minute briefing",
        subtitle="What worked, and how to spread it",
        review=review,
    )


def newly_shared(entries: Iterable[GoodPractice], since: date) -> list[GoodPractice]:
    """Entries with a share record on or after ``since``."""
    return [
        e
        for e in entries
        if e.share_status == "shared"
        and any(s.get("on", "") >= since.isoformat() for s in e.shared or [])
    ]


def bulletin(session: Session, entries: Sequence[GoodPractice], *, since: date) -> str:
    """An email-ready bulletin of the entries shared since ``since``."""
    shared = newly_shared(entries, since)
    return bulletin_html(
        pseudonymised_entries(session, shared),
        title="Good practice bulletin",
        intro=f"Practice that made a difference, shared since {since:%-d %B %Y}.",
    )


@dataclass(frozen=True)
class Balance:
    """Good practice beside problems, for a review's overview."""

    entries: list[GoodPractice]
    good_events: int
    problematic_events: int
    # Entries in which the anonymisation scan finds something, with how many things: the
    # briefing removes them, and they need fixing at source.
    to_fix: list[tuple[GoodPractice, int]]


def review_balance(session: Session, review: Review) -> Balance:
    counts = dict(
        session.execute(
            select(Event.appraisal, func.count())
            .where(Event.review_id == review.id, Event.deleted_at.is_(None))
            .group_by(Event.appraisal)
        ).all()
    )
    entries = review_good_practice(session, review)
    found = ((entry, len(scan_entry(session, entry))) for entry in entries)
    return Balance(
        entries=entries,
        good_events=int(counts.get("good_practice", 0)),
        problematic_events=int(counts.get("problematic", 0)),
        to_fix=[(entry, count) for entry, count in found if count],
    )
