"""The restricted edition of the report, for the review's members: assembled from the review
as an ``analysis.documents.Document`` with the method, each key practice episode's events,
the findings, good practice, the board's responses and actions, the AcciMap and a glossary;
gaps are shown as notes, and what its author should know comes back as warnings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.anonymise import RegisterPerson
from analysis.dates import uk_date
from analysis.documents import (
    Block,
    BulletList,
    Document,
    Markdown,
    Note,
    Paragraph,
    Section,
    Table,
)
from analysis.findings import ACTION_STATUSES
from analysis.taxonomy import REVIEW_TYPES, SCIE_PATTERNS, STAGES
from app.services.anonymity import agency_label
from app.services.chronology import APPRAISALS, kpes_of, when_of
from app.services.findings import narrative_of, review_findings
from app.services.good_practice import review_good_practice
from app.services.graph import GraphSettings
from app.services.reports.accimap import accimap_figure
from models import Event, Factor, Review

_MARKUP = re.compile(r"[*_`#>]|\[([^\]]*)\]\([^)]*\)")

DEFAULT_METHOD = """\
This review used a systems approach (SCIE's *Learning Together*). It asks not "who got it
wrong?" but why practice went as it did, and what in the system made the outcome more likely.

- A multi-agency **chronology** was built from each agency's records.
- **Key practice episodes** were chosen for deep analysis, good and problematic.
- **Practitioners and the family** gave their accounts; practitioners were asked what made
  sense to them at the time (local rationality), to guard against hindsight.
- **Contributing factors** were identified at each level of the system, from the front line
  to national guidance, and linked to the episodes they shaped. The AcciMap in Appendix A
  shows them.
- **Findings** describe patterns that reach beyond this case, with questions for the board.
"""

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("AcciMap", "A map of the factors behind what happened, arranged by level of the system."),
    (
        "Active failure",
        "An act or omission at the front line, close in time to the harm. It is where problems "
        "show, rarely where they start.",
    ),
    (
        "Key practice episode",
        "A period of the case chosen for deep analysis, because practice then mattered.",
    ),
    (
        "Latent condition",
        "A feature of the system (workload, tools, policy, supervision, information sharing) "
        "that makes active failures more likely and less likely to be noticed.",
    ),
    (
        "Local rationality",
        "The view that people act in ways that make sense to them at the time, given what "
        "they knew, their goals and the pressures on them.",
    ),
    ("MASH", "Multi-Agency Safeguarding Hub: where agencies share concerns about children."),
    ("Protective factor", "Something that worked: good practice, or a barrier that held."),
    (
        "Questions for the board",
        "What a finding asks the safeguarding partnership to consider and answer.",
    ),
    ("SCIE", "The Social Care Institute for Excellence, which developed this review method."),
)


def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text, for a table cell."""
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", markdown).split())


def _markdown_or_note(text: str, missing: str) -> Block:
    return Markdown(text) if text.strip() else Note(missing)


def _kpe_sections(session: Session, review: Review) -> list[Section]:
    kpes = kpes_of(session, review)
    events = session.scalars(
        select(Event)
        .where(Event.review_id == review.id, Event.deleted_at.is_(None), Event.kpe_id.is_not(None))
        .order_by(Event.sort_start, Event.id)
    ).all()
    sections = [
        Section(
            "Key practice episodes",
            (
                Paragraph(
                    "The review chose these episodes for deep analysis. Each lists what "
                    "happened, by date and agency, and how the review appraised it."
                ),
            ),
        )
    ]
    for number, kpe in enumerate(kpes, start=1):
        rows = tuple(
            (
                _event_date(e),
                agency_label(e.agency),
                plain_text(e.description),
                APPRAISALS.get(e.appraisal, e.appraisal),
            )
            for e in events
            if e.kpe_id == kpe.id
        )
        blocks: list[Block] = []
        if kpe.summary.strip():
            blocks.append(Markdown(kpe.summary))
        if rows:
            blocks.append(Table(("Date", "Agency", "What happened", "Appraisal"), rows))
        else:
            blocks.append(Note("No events are assigned to this episode."))
        sections.append(Section(f"Episode {number}: {kpe.title}", tuple(blocks), level=2))
    if not kpes:
        sections[0] = replace(
            sections[0], blocks=(Note("The review has not chosen key practice episodes yet."),)
        )
    return sections


def _event_date(event: Event) -> str:
    return when_of(event).display()


def _finding_sections(findings: Sequence[Any]) -> list[Section]:
    sections = [
        Section(
            "Findings",
            (
                Paragraph(
                    "Each finding describes a pattern in the system that reaches beyond this "
                    "case, how the review knows it, and the questions it puts to the board."
                ),
            )
            if findings
            else (Note("The review has recorded no findings yet."),),
        )
    ]
    for number, finding in enumerate(findings, start=1):
        blocks: list[Block] = []
        if finding.scie_pattern:
            blocks.append(Paragraph(f"Pattern: {SCIE_PATTERNS.get(finding.scie_pattern, '')}"))
        sections.append(Section(f"Finding {number}: {finding.title}", tuple(blocks), level=2))
        for heading, text in (
            ("The issue", finding.issue),
            ("How we know", finding.evidence),
            ("How widespread is it?", finding.how_widespread),
            ("Why it matters", finding.why_it_matters),
        ):
            sections.append(
                Section(heading, (_markdown_or_note(text, "Not written yet."),), level=3)
            )
        if finding.factors:
            sections.append(
                Section(
                    "What in the system lies behind it",
                    (BulletList(tuple(f.label for f in finding.factors)),),
                    level=3,
                )
            )
        questions = tuple(finding.questions_for_board or ())
        sections.append(
            Section(
                "Questions for the board",
                (BulletList(questions) if questions else Note("No questions for the board."),),
                level=3,
            )
        )
    return sections


def _good_practice_blocks(session: Session, review: Review, written: str) -> list[Block]:
    blocks: list[Block] = []
    if written.strip():
        blocks.append(Markdown(written))
    entries = review_good_practice(session, review)
    for entry in entries:
        blocks.append(Paragraph(entry.title))
        blocks.append(Markdown(entry.story))
        if entry.what_made_it_work.strip():
            blocks.append(Paragraph("What made it work:"))
            blocks.append(Markdown(entry.what_made_it_work))
    if entries:
        return blocks
    # Without a register entry, the review's own record of good practice stands in.
    events = session.scalars(
        select(Event)
        .where(
            Event.review_id == review.id,
            Event.deleted_at.is_(None),
            Event.appraisal == "good_practice",
        )
        .order_by(Event.sort_start, Event.id)
    ).all()
    if events:
        blocks.append(
            Table(
                ("Date", "Agency", "What happened"),
                tuple(
                    (_event_date(e), agency_label(e.agency), plain_text(e.description))
                    for e in events
                ),
            )
        )
    protective = session.scalars(
        select(Factor)
        .where(Factor.review_id == review.id, Factor.type == "protective")
        .order_by(Factor.id)
    ).all()
    if protective:
        blocks.append(Paragraph("What helped, and should be spread:"))
        blocks.append(BulletList(tuple(f.label for f in protective)))
    return blocks


def _actions_sections(findings: Sequence[Any]) -> list[Section]:
    sections = [
        Section(
            "Actions and the board's response",
            (
                Paragraph(
                    "For each finding: the board's response to its questions and the actions "
                    "agreed, with their owner, due date, status and strength."
                ),
            ),
        )
    ]
    for number, finding in enumerate(findings, start=1):
        responses = {r.question: r for r in finding.board_responses}
        blocks: list[Block] = []
        for question in finding.questions_for_board or ():
            blocks.append(Paragraph(f"Question: {question}"))
            response = responses.get(question)
            if response is None:
                blocks.append(Note("The board has not responded yet."))
            else:
                when = f" ({uk_date(response.responded_on)})" if response.responded_on else ""
                blocks.append(Paragraph(f"The board's response{when}:"))
                blocks.append(Markdown(response.response))
        if finding.actions:
            blocks.append(
                Table(
                    ("Ref", "Action", "Owner", "Due", "Status", "Strength"),
                    tuple(
                        (
                            a.ref,
                            a.description,
                            agency_label(a.owner_agency) or "Not yet agreed",
                            uk_date(a.due) if a.due else "",
                            ACTION_STATUSES.get(a.status, a.status),
                            (a.strength or "not judged").capitalize(),
                        )
                        for a in finding.actions
                    ),
                )
            )
        else:
            blocks.append(Note("No actions yet."))
        sections.append(Section(f"Finding {number}: {finding.title}", tuple(blocks), level=2))
    return sections


def build_report(
    session: Session,
    review: Review,
    *,
    number: int,
    register: Sequence[RegisterPerson] = (),
    graph: GraphSettings | None = None,
) -> tuple[Document, list[str]]:
    """The report as a ``Document`` (names not yet substituted), and warnings for its author;
    ``graph``: how its AcciMap is drawn (the defaults when None)."""
    narrative = narrative_of(session, review)
    findings = review_findings(session, review)
    warnings: list[str] = []
    period = ""
    if review.period_start or review.period_end:
        period = (
            f"The period under review runs from {uk_date(review.period_start) or 'its start'} "
            f"to {uk_date(review.period_end) or 'the incident'}."
        )
    intro: list[Block] = []
    if narrative.introduction.strip():
        intro.append(Markdown(narrative.introduction))
    intro.append(
        Paragraph(
            f"This is a {REVIEW_TYPES.get(review.review_type, 'review').lower()} about "
            f"{review.subject}, commissioned by {review.partnership.name}. {period}".strip()
        )
    )
    sections: list[Section] = [
        Section("Introduction and terms of reference", tuple(intro)),
        Section(
            "Terms of reference",
            (_markdown_or_note(review.terms_of_reference, "Not written yet."),),
            level=2,
        ),
        Section("The systems method", (Markdown(narrative.systems_method or DEFAULT_METHOD),)),
        Section(
            "The child's experience in brief",
            (_markdown_or_note(narrative.childs_experience, "Not written yet."),),
        ),
        *_kpe_sections(session, review),
        *_finding_sections(findings),
    ]
    good = _good_practice_blocks(session, review, narrative.good_practice)
    if not good:
        warnings.append(
            "The report records no good practice: appraise events as good practice, add "
            "protective factors, or write the good-practice section."
        )
        good = [Note("The review has recorded no good practice.")]
    sections.append(Section("Good practice", tuple(good)))
    sections.extend(_actions_sections(findings))
    if narrative.conclusion.strip():
        sections.append(Section("Conclusion", (Markdown(narrative.conclusion),)))
    sections.append(
        Section(
            "Appendix A: the AcciMap",
            (accimap_figure(session, review, register, graph or GraphSettings()),),
        )
    )
    glossary: list[Block] = [Table(("Term", "Meaning"), GLOSSARY)]
    if narrative.glossary.strip():
        glossary.append(Markdown(narrative.glossary))
    sections.append(Section("Appendix B: glossary", tuple(glossary)))
    stage = STAGES.get(review.stage, "")
    document = Document(
        title=review.title,
        subtitle=f"{review.partnership.name} · report version {number}"
        + (f" · stage: {stage.lower()}" if stage else ""),
        sections=tuple(sections),
    )
    return document, warnings
