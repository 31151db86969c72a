"""The public edition of the report: what a safeguarding partnership publishes.

Built from the same review as the restricted edition (``restricted.build_report``), but
written for the public: an executive summary, the statutory context, the method with counts,
the child's experience, each key practice episode as the panel's narrative analysis
with a summary chronology (never the events' own text), the findings in words, good practice
that was approved with consent, the partnership's response and actions, and appendices (terms
of reference, a glossary of the acronyms the text uses, the AcciMap with dates and episodes).

No internal reference (event, factor or account refs), version, stage or role name of the app
appears, and nothing unwritten is replaced by a placeholder: what is missing is left out, and
``PublicEdition.left_out`` says what, in words, for the publish screen and the API.
``suggested_narrative`` drafts an episode's narrative analysis for the panel to rewrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.anonymise import RegisterPerson
from analysis.dates import uk_date
from analysis.documents import (
    Block,
    BulletList,
    Document,
    Markdown,
    Paragraph,
    Section,
    Table,
    document_text,
)
from analysis.findings import ACTION_STATUSES
from analysis.taxonomy import REVIEW_TYPES
from app.services.anonymity import agency_label
from app.services.chronology import APPRAISALS, kpes_of
from app.services.findings import narrative_of, review_findings
from app.services.good_practice import review_good_practice
from app.services.graph import GraphSettings
from app.services.reports.accimap import public_accimap
from app.services.reports.wording import WORD, glossary_rows, without_refs
from models import (
    Account,
    Event,
    Factor,
    Finding,
    KeyPracticeEpisode,
    Link,
    Participant,
    Review,
    ReviewAgency,
    Workshop,
)

STATUTORY_CONTEXT = (
    "Local safeguarding partners (the local authority, the integrated care board and the "
    "chief officer of police) must identify serious child safeguarding cases that raise "
    "issues of importance in their area, and commission and oversee reviews of them where "
    "they consider it appropriate (Children Act 2004, section 16F). Working Together to "
    "Safeguard Children 2023 sets out how: a rapid review after the incident is notified, "
    "then, where it is indicated, a local child safeguarding practice review. Its purpose is "
    "to learn how practice and the system can improve to protect children, not to hold any "
    "individual or organisation to account. The partners publish the report, so that the "
    "learning can be shared, unless there are exceptional reasons not to."
)

PUBLIC_METHOD = (
    "The review used a systems approach (the Social Care Institute for Excellence's "
    "*Learning Together* model). It does not ask who got things wrong, but why practice went "
    "as it did, and what in the wider system made that more likely. Each agency described "
    "its involvement with the family; the review chose key practice episodes for closer "
    "analysis, heard from the practitioners involved about what made sense to them at the "
    "time, and looked for the factors at every level of the system, from the front line to "
    "national guidance, that shaped what happened."
)


@dataclass(frozen=True)
class PublicEdition:
    """The public edition's document, and what it leaves out (in words)."""

    document: Document
    left_out: tuple[str, ...]


def _month_range(events: Sequence[Event]) -> str:
    dated = [e for e in events if e.sort_start is not None]
    if not dated:
        return ""
    first, last = dated[0].sort_start, dated[-1].sort_start
    start = first.strftime("%b %Y")
    end = last.strftime("%b %Y")
    return start if start == end else f"{start} to {end}"


def _kpe_events(session: Session, review: Review) -> dict[int, list[Event]]:
    by_kpe: dict[int, list[Event]] = {}
    for event in session.scalars(
        select(Event)
        .where(Event.review_id == review.id, Event.deleted_at.is_(None), Event.kpe_id.is_not(None))
        .order_by(Event.sort_start, Event.id)
    ):
        if event.kpe_id is not None:
            by_kpe.setdefault(event.kpe_id, []).append(event)
    return by_kpe


def suggested_narrative(session: Session, review: Review, kpe: KeyPracticeEpisode) -> str:
    """A first draft of an episode's narrative analysis, from its events (when, which agencies,
    how the review appraised them) and the factors linked to them: never the events' own text.
    The panel rewrites it; the public edition prints only what the panel saved."""
    events = _kpe_events(session, review).get(kpe.id, [])
    refs = {e.ref for e in events}
    factor_refs = set(
        session.scalars(
            select(Link.source).where(Link.review_id == review.id, Link.target.in_(refs or {""}))
        )
    )
    factors = list(
        session.scalars(
            select(Factor)
            .where(Factor.review_id == review.id, Factor.ref.in_(factor_refs or {""}))
            .order_by(Factor.id)
        )
    )
    agencies = sorted({agency_label(e.agency) for e in events if e.agency is not None})
    parts: list[str] = []
    when = _month_range(events)
    if events:
        if len(agencies) > 1:
            who = ", ".join(agencies[:-1]) + " and " + agencies[-1]
        else:
            who = agencies[0] if agencies else "one agency"
        span = f" ({when})" if when else ""
        parts.append(f"This episode{span} involved {who}.")
        counts: dict[str, int] = {}
        for event in events:
            label = APPRAISALS.get(event.appraisal, event.appraisal).lower()
            counts[label] = counts.get(label, 0) + 1
        judged = "; ".join(f"{n} {label}" for label, n in sorted(counts.items()))
        parts.append(f"The review appraised its {len(events)} recorded contacts as: {judged}.")
    hindering = [f.label for f in factors if f.type != "protective"]
    helping = [f.label for f in factors if f.type == "protective"]
    if hindering:
        parts.append("What made good practice harder: " + "; ".join(hindering) + ".")
    if helping:
        parts.append("What helped: " + "; ".join(helping) + ".")
    return " ".join(parts)


def _method_counts(session: Session, review: Review) -> list[str]:
    lines: list[str] = []
    kinds = dict(
        session.execute(
            select(Account.contributor_kind, func.count())
            .where(Account.review_id == review.id)
            .group_by(Account.contributor_kind)
        ).all()
    )
    professionals = kinds.get("practitioner", 0) + kinds.get("manager", 0)
    if professionals:
        lines.append(
            f"{professionals} practitioner{'s' if professionals != 1 else ''} and managers "
            "gave their account of their involvement."
            if kinds.get("manager")
            else f"{professionals} practitioner{'s' if professionals != 1 else ''} gave "
            "their account of their involvement."
        )
    family = kinds.get("family", 0)
    if family:
        lines.append(
            f"The family took part: {family} account{'s' if family != 1 else ''} from family "
            "members were heard."
        )
    if kinds.get("child"):
        lines.append("The child's own views were heard and are reflected in this report.")
    workshops = session.scalar(
        select(func.count()).select_from(Workshop).where(Workshop.review_id == review.id)
    )
    if workshops:
        people = session.scalar(
            select(func.count()).select_from(Participant).where(Participant.review_id == review.id)
        )
        lines.append(
            f"{workshops} practitioner learning event{'s' if workshops != 1 else ''} "
            f"({people} participant{'s' if people != 1 else ''}) tested the analysis with "
            "the people who did the work."
        )
    agencies = session.scalar(
        select(func.count()).select_from(ReviewAgency).where(ReviewAgency.review_id == review.id)
    )
    if agencies:
        lines.insert(
            0,
            f"{agencies} agenc{'ies' if agencies != 1 else 'y'} described "
            "their involvement with the family.",
        )
    return lines


def _executive_summary(review: Review, written: str, findings: Sequence[Finding]) -> list[Block]:
    if written.strip():
        return [Markdown(without_refs(written))]
    kind = REVIEW_TYPES.get(review.review_type, "review").lower()
    blocks: list[Block] = [
        Paragraph(
            f"This {kind} was commissioned by {review.partnership.name} to learn from what "
            f"happened to {review.subject}, and how agencies worked with the family."
        )
    ]
    titles = [f.title for f in findings]
    if titles:
        blocks.append(
            Paragraph(
                f"The review makes {len(titles)} finding{'s' if len(titles) != 1 else ''} "
                "about the system, each with questions for the safeguarding partnership:"
            )
        )
        blocks.append(BulletList(tuple(without_refs(t) for t in titles)))
    return blocks


def _finding_sections(findings: Sequence[Finding], left_out: list[str]) -> list[Section]:
    sections: list[Section] = []
    for number, f in enumerate(findings, start=1):
        sections.append(Section(f"Finding {number}: {without_refs(f.title)}", level=2))
        for heading, text in (
            ("The issue", f.issue),
            ("How we know", f.evidence),
            ("How widespread is it?", f.how_widespread),
            ("Why it matters", f.why_it_matters),
        ):
            words = without_refs(text)
            if len(WORD.findall(words)) >= 3:
                sections.append(Section(heading, (Markdown(words),), level=3))
            elif text.strip():
                left_out.append(
                    f"Finding {number}: “{heading}” is written in reference numbers, which "
                    "a reader cannot follow: write it in words."
                )
            else:
                left_out.append(f"Finding {number}: “{heading}” is not written yet.")
        questions = tuple(without_refs(q) for q in f.questions_for_board or ())
        if questions:
            sections.append(
                Section("Questions for the partnership", (BulletList(questions),), level=3)
            )
    return sections


def _response_sections(findings: Sequence[Finding], left_out: list[str]) -> list[Section]:
    sections: list[Section] = []
    for number, finding in enumerate(findings, start=1):
        responses = {r.question: r for r in finding.board_responses}
        blocks: list[Block] = []
        for question in finding.questions_for_board or ():
            response = responses.get(question)
            if response is None or not response.response.strip():
                left_out.append(
                    f"Finding {number}: the partnership has not answered “{question}” yet; "
                    "the question is published without a response."
                )
                continue
            blocks.append(Paragraph(without_refs(question)))
            blocks.append(Markdown(without_refs(response.response)))
        actions = [a for a in finding.actions if a.status != "dropped"]
        if actions:
            blocks.append(
                Table(
                    ("Action", "Who", "By", "Progress"),
                    tuple(
                        (
                            without_refs(a.description),
                            agency_label(a.owner_agency) or "The partnership",
                            a.due.strftime("%B %Y") if a.due else "",
                            ACTION_STATUSES.get(a.status, a.status),
                        )
                        for a in actions
                    ),
                )
            )
        if blocks:
            title = without_refs(finding.title)
            sections.append(Section(f"Finding {number}: {title}", tuple(blocks), level=2))
    return sections


def _good_practice(session: Session, review: Review, left_out: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for entry in review_good_practice(session, review):
        if entry.approved_at is None or not entry.consent_to_share:
            why = "no consent to share" if not entry.consent_to_share else "not approved"
            left_out.append(f"Good-practice entry “{entry.title}” ({why}).")
            continue
        blocks.append(Paragraph(without_refs(entry.title)))
        blocks.append(Markdown(without_refs(entry.story)))
        if entry.what_made_it_work.strip():
            blocks.append(
                Markdown("**What made it work:** " + without_refs(entry.what_made_it_work))
            )
    return blocks


def build_public_report(
    session: Session,
    review: Review,
    *,
    register: Sequence[RegisterPerson],
    graph_settings: GraphSettings,
    today: date,
) -> PublicEdition:
    """The public edition of ``review``'s report (names not yet substituted)."""
    narrative = narrative_of(session, review)
    findings = review_findings(session, review)
    left_out: list[str] = [
        "The multi-agency chronology and each episode's events (the public edition carries "
        "a summary chronology).",
        "Reference numbers of events, factors, findings and actions, and the report's "
        "version and stage.",
    ]
    sections: list[Section] = [
        Section(
            "Executive summary",
            tuple(_executive_summary(review, narrative.executive_summary, findings)),
        )
    ]
    intro: list[Block] = []
    if narrative.introduction.strip():
        intro.append(Markdown(without_refs(narrative.introduction)))
    period = ""
    if review.period_start or review.period_end:
        period = (
            f" The review looked at the period from {uk_date(review.period_start) or 'its start'}"
            f" to {uk_date(review.period_end) or 'the incident'}."
        )
    kind = REVIEW_TYPES.get(review.review_type, "review").lower()
    intro.append(
        Paragraph(
            f"This is a {kind} about {review.subject}, commissioned by "
            f"{review.partnership.name}.{period}"
        )
    )
    sections.append(Section("Introduction", tuple(intro)))
    sections.append(Section("Statutory context", (Paragraph(STATUTORY_CONTEXT),), level=2))
    method: list[Block] = [
        Markdown(
            without_refs(narrative.systems_method)
            if narrative.systems_method.strip()
            else PUBLIC_METHOD
        )
    ]
    counts = _method_counts(session, review)
    if counts:
        method.append(BulletList(tuple(counts)))
    sections.append(Section("How the review was done", tuple(method)))
    if narrative.childs_experience.strip():
        sections.append(
            Section(
                "The child's experience in brief",
                (Markdown(without_refs(narrative.childs_experience)),),
            )
        )
    else:
        left_out.append("“The child's experience in brief” is not written yet.")
    kpes = kpes_of(session, review)
    by_kpe = _kpe_events(session, review)
    if kpes:
        rows = tuple(
            (
                f"Episode {n}: {without_refs(k.title)}",
                _month_range(by_kpe.get(k.id, [])),
                ", ".join(
                    sorted({agency_label(e.agency) for e in by_kpe.get(k.id, []) if e.agency})
                ),
            )
            for n, k in enumerate(kpes, start=1)
        )
        sections.append(
            Section(
                "Key practice episodes",
                (
                    Paragraph(
                        "The review chose these episodes of the family's contact with "
                        "services for closer analysis."
                    ),
                    Table(("Episode", "When", "Agencies involved"), rows),
                ),
            )
        )
        for number, kpe in enumerate(kpes, start=1):
            if kpe.narrative.strip():
                blocks: tuple[Block, ...] = (Markdown(without_refs(kpe.narrative)),)
            else:
                left_out.append(
                    f"Episode {number} ({kpe.title}): the panel's narrative analysis is not "
                    "written yet; the episode appears in the summary chronology only."
                )
                continue
            sections.append(
                Section(f"Episode {number}: {without_refs(kpe.title)}", blocks, level=2)
            )
    sections.append(
        Section(
            "Findings",
            (
                Paragraph(
                    "Each finding describes a pattern in the system that reaches beyond this "
                    "case, how the review knows it, and the questions it puts to the "
                    "safeguarding partnership."
                ),
            ),
        )
    )
    sections.extend(_finding_sections(findings, left_out))
    good = _good_practice(session, review, left_out)
    if narrative.good_practice.strip():
        good.insert(0, Markdown(without_refs(narrative.good_practice)))
    if good:
        sections.append(Section("Good practice", tuple(good)))
    responses = _response_sections(findings, left_out)
    if responses:
        sections.append(
            Section(
                "The partnership's response and actions",
                (
                    Paragraph(
                        "The safeguarding partnership's answers to the review's questions, "
                        "and the actions it has agreed."
                    ),
                ),
            )
        )
        sections.extend(responses)
    if narrative.conclusion.strip():
        sections.append(Section("Conclusion", (Markdown(without_refs(narrative.conclusion)),)))
    appendices: list[Section] = []
    letter = iter("ABCDEFG")
    if review.terms_of_reference.strip():
        appendices.append(
            Section(
                f"Appendix {next(letter)}: terms of reference",
                (Markdown(without_refs(review.terms_of_reference)),),
            )
        )
    else:
        left_out.append("The terms of reference are not written yet.")
    body = Document(title=review.title, sections=tuple(sections))
    text = "\n".join(t for _where, t in document_text(body))
    appendices.append(
        Section(
            f"Appendix {next(letter)}: glossary",
            (Table(("Term", "Meaning"), glossary_rows(text, narrative.glossary)),),
        )
    )
    appendices.append(
        Section(
            f"Appendix {next(letter)}: the AcciMap",
            tuple(public_accimap(session, review, register, graph_settings)),
        )
    )
    kind_title = REVIEW_TYPES.get(review.review_type, "Review")
    document = Document(
        title=f"{kind_title}: {review.subject}",
        subtitle=review.partnership.name,
        sections=(*sections, *appendices),
        cover=(
            review.partnership.name,
            f"{kind_title} concerning {review.subject}",
            f"Published {uk_date(today)}",
        ),
        contents_depth=2,
        logo_png=review.partnership.logo_png,
    )
    return PublicEdition(document, tuple(left_out))
