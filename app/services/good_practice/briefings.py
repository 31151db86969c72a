"""The register's outputs: the 7-minute briefing of chosen entries or of a review's (HTML,
PDF or DOCX) and the email bulletin of what was newly shared. Every output is pseudonymised
with each entry's own review's register, and the briefing is scanned like a published
report, with what the scan still finds removed and the entries to fix named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.anonymise import Hit, RegisterPerson, substitute_document
from analysis.documents import Document, to_docx, to_html, to_pdf
from analysis.good_practice import (
    BriefingEntry,
    ReviewBrief,
    briefing_document,
    bulletin_html,
    pseudonymised,
    redacted_briefing,
)
from analysis.taxonomy import REVIEW_TYPES
from app.services import anonymity
from app.services.good_practice.balance import appraisal_counts
from app.services.good_practice.entries import review_good_practice
from app.services.good_practice.sharing import briefing_entry, people_register
from models import Finding, GoodPractice, Review


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
    appraisals = appraisal_counts(session, review)
    good = appraisals.get("good_practice", 0)
    problematic = appraisals.get("problematic", 0)
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
