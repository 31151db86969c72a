"""The sharing workflow and its anonymisation gate: a draft is approved (consent recorded,
the scan clear), then recorded as shared (the scan clear again). The scan reads the entry
as an output would print it, against its review's people register and the partnership's
schools.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from analysis.anonymise import Hit, RegisterPerson, scan_document
from analysis.dates import uk_date, uk_today
from analysis.documents import Document
from analysis.good_practice import BriefingEntry, entry_document
from analysis.taxonomy import FOUR_D_PROMPTS, GOOD_PRACTICE_SOURCES
from app.services import anonymity
from app.services.errors import ServiceError
from models import GoodPractice, Review, User


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


def people_register(session: Session, review: Review | None) -> list[RegisterPerson]:
    """The review's people register as the anonymiser reads it ([] without a review)."""
    return [] if review is None else anonymity.people_register(session, review)


def briefing_entry(entry: GoodPractice) -> BriefingEntry:
    """The entry as an output prints it (and so as the scan reads it)."""
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
