"""The systems-learning report: assembled from the review as an ``analysis.documents.Document``,
anonymised, rendered to HTML, PDF, DOCX and Markdown as a numbered version, scanned for what
could identify someone, approved by a second person and published.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from analysis.anonymise import (
    Hit,
    RegisterPerson,
    scan_document,
    scan_markdown,
    substitute,
    substitute_document,
)
from analysis.dates import uk_date
from analysis.documents import (
    Block,
    BulletList,
    Document,
    Figure,
    Markdown,
    Note,
    Paragraph,
    Section,
    Table,
    to_docx,
    to_html,
    to_markdown,
    to_pdf,
)
from analysis.findings import ACTION_STATUSES
from analysis.graph.draw import RenderError, accimap_dot, render
from analysis.graph.model import GraphInput, build_graph
from analysis.taxonomy import REVIEW_TYPES, SCIE_PATTERNS, STAGES
from app.services.anonymity import agency_label, people_register, school_names
from app.services.chronology import APPRAISALS, when_of
from app.services.errors import ServiceError
from app.services.findings import narrative_of, review_findings
from app.services.good_practice import review_good_practice
from app.services.graph import GraphSettings, graph_input
from models import (
    AuditEntry,
    Event,
    Factor,
    KeyPracticeEpisode,
    Membership,
    Person,
    ReportVersion,
    Review,
    User,
    audit,
    utcnow,
)

APPROVER_ROLES = frozenset({"chair", "board_member"})
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


class PublicationBlockedError(ServiceError):
    """The version may not be published: the scan found identifying text."""

    def __init__(self, hits: list[dict[str, Any]]) -> None:
        super().__init__(
            f"The anonymisation scan found {len(hits)} thing(s) that could identify someone: "
            "fix them at their source and generate a new version"
        )
        self.hits = hits


class ApprovalRequiredError(ServiceError):
    """The version is clean but no second person has approved it yet."""


class VersionWithdrawnError(ServiceError):
    """The version was withdrawn from publication: it is never published or approved again."""


class VersionTakenError(ServiceError):
    """Another generation took the same version number at the same moment."""


class NotReadyError(ServiceError):
    """The version's files are still being generated (or their generation failed)."""


WITHDRAWN_FOR_GOOD = (
    "Version {number} was withdrawn from publication and cannot be published again: "
    "generate a new version, which goes through the anonymisation scan and a second "
    "person's approval"
)


@dataclass(frozen=True)
class Generated:
    """A new report version and what its author should know about it."""

    version: ReportVersion
    warnings: tuple[str, ...]


# --- assembling the document ----------------------------------------------------------------


def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text, for a table cell."""
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", markdown).split())


def _markdown_or_note(text: str, missing: str) -> Block:
    return Markdown(text) if text.strip() else Note(missing)


def _kpe_sections(session: Session, review: Review) -> list[Section]:
    kpes = session.scalars(
        select(KeyPracticeEpisode)
        .where(KeyPracticeEpisode.review_id == review.id)
        .order_by(KeyPracticeEpisode.id)
    ).all()
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


def _anonymous_graph_input(
    data: GraphInput, register: Sequence[RegisterPerson], agencies: dict[str, str]
) -> GraphInput:
    """The graph's text with pseudonyms in place of names and schools unnamed, so the drawing
    (SVG and PNG alike) carries nothing the report text would not."""

    def clean(text: str) -> str:
        return substitute(text, register)

    return replace(
        data,
        events=tuple(
            replace(e, title=clean(e.title), agency=agencies.get(e.agency, e.agency))
            for e in data.events
        ),
        kpes=tuple(replace(k, title=clean(k.title)) for k in data.kpes),
        factors=tuple(
            replace(f, label=clean(f.label), description=clean(f.description)) for f in data.factors
        ),
        findings=tuple(replace(f, title=clean(f.title)) for f in data.findings),
        actions=tuple(replace(a, title=clean(a.title)) for a in data.actions),
    )


def accimap_figure(
    session: Session,
    review: Review,
    register: Sequence[RegisterPerson],
    settings: GraphSettings,
) -> Block:
    """The AcciMap of the review as a figure (SVG for HTML and PDF, PNG for DOCX), drawn
    from pseudonymised data (a PNG cannot be anonymised after the fact)."""
    agencies = {a.name: agency_label(a) for a in review.agencies}
    data = _anonymous_graph_input(graph_input(session, review), register, agencies)
    drawn = accimap_dot(build_graph(data), max_nodes=settings.max_nodes)
    try:
        svg = render(drawn.dot, "svg", timeout=settings.timeout, cache_dir=settings.cache_dir)
        png = render(drawn.dot, "png", timeout=settings.timeout, cache_dir=settings.cache_dir)
    except RenderError as error:
        return Note(f"The AcciMap could not be drawn: {error}")
    caption = "AcciMap: the factors behind the key practice episodes, by level of the system"
    if drawn.collapsed and drawn.message:
        caption = f"{caption}. {drawn.message}"
    return Figure(caption=caption, svg=svg, png=png)


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


# --- versions -------------------------------------------------------------------------------


def hit_item(hit: Hit) -> dict[str, Any]:
    return {
        "kind": hit.kind,
        "text": hit.text,
        "location": hit.location,
        "context": hit.context,
        "candidates": list(hit.candidates),
    }


def report_versions(session: Session, review: Review) -> list[ReportVersion]:
    return list(
        session.scalars(
            select(ReportVersion)
            .where(ReportVersion.review_id == review.id)
            .order_by(ReportVersion.number.desc())
        )
    )


def version_by_number(session: Session, review: Review, number: int) -> ReportVersion | None:
    return session.scalar(
        select(ReportVersion).where(
            ReportVersion.review_id == review.id, ReportVersion.number == number
        )
    )


@dataclass(frozen=True)
class RenderSettings:
    """Where rendered files are cached by content, and the graph's settings."""

    cache_dir: Path | None = None
    graph: GraphSettings = field(default_factory=GraphSettings)
    today: date | None = None


def reserve_version(*, session: Session, review: Review, user: User) -> ReportVersion:
    """Take the review's next version number, atomically, for a version whose files a job
    will make (``render_version``). Two generations at once get two numbers: on PostgreSQL
    the review's row is locked until the request commits; SQLite takes its write lock at the
    start of every transaction. Should a number still be taken twice, ``VersionTakenError``."""
    session.execute(select(Review.id).where(Review.id == review.id).with_for_update())
    number = (
        session.scalar(
            select(func.max(ReportVersion.number)).where(ReportVersion.review_id == review.id)
        )
        or 0
    ) + 1
    version = ReportVersion(
        review_id=review.id,
        number=number,
        status="generating",
        markdown="",
        html="",
        pdf=b"",
        docx=b"",
        scan_hits=[],
        left_out=[],
        created_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        raise VersionTakenError(
            "Another version of this report was being generated at the same moment: "
            "look at the list of versions, or try again"
        ) from None
    audit.record(
        session,
        "report.generate",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        after={"number": number},
    )
    return version


def rendered_once(
    cache_dir: Path | None, kind: str, document: Document, renderer: Callable[[Document], Any]
) -> Any:
    """``renderer(document)``, kept in ``cache_dir`` by a hash of the document's content:
    the same content (say, an unchanged public edition) is rendered once."""
    if cache_dir is None:
        return renderer(document)
    key = hashlib.sha256(f"{kind}\n{document!r}".encode()).hexdigest()
    path = cache_dir / f"{key}.{kind}"
    if path.exists():
        data = path.read_bytes()
        return data if kind in ("pdf", "docx") else data.decode()
    result = renderer(document)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{kind}.part")
    partial.write_bytes(result if isinstance(result, bytes) else result.encode())
    partial.replace(path)
    return result


def render_version(
    *,
    session: Session,
    review: Review,
    version: ReportVersion,
    settings: RenderSettings | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> Generated:
    """Make the files of a reserved version: both editions in every format, the public one
    scanned (the scan reads exactly what publication would publish)."""
    from app.services.public_report import build_public_report

    settings = settings or RenderSettings()
    started = time.perf_counter()

    def step(percent: int, message: str) -> None:
        if progress is not None:
            progress(percent, message)

    register = people_register(session, review)
    document, warnings = build_report(
        session, review, number=version.number, register=register, graph=settings.graph
    )
    document = substitute_document(document, register)
    public = build_public_report(
        session,
        review,
        register=register,
        graph_settings=settings.graph,
        today=settings.today or datetime.now(UTC).date(),
    )
    public_document = substitute_document(public.document, register)
    hits = scan_document(public_document, register=register, places=school_names(session, review))
    # Everything is read: the renders below need no database, so the job commits first.
    step(20, "Rendering the restricted edition")
    cache = settings.cache_dir
    version.markdown = rendered_once(cache, "md", document, to_markdown)
    version.html = rendered_once(cache, "html", document, to_html)
    version.pdf = rendered_once(cache, "pdf", document, to_pdf)
    version.docx = rendered_once(cache, "docx", document, to_docx)
    step(60, "Rendering the public edition")
    version.public_markdown = rendered_once(cache, "md", public_document, to_markdown)
    version.public_html = rendered_once(cache, "html", public_document, to_html)
    version.public_pdf = rendered_once(cache, "pdf", public_document, to_pdf)
    version.public_docx = rendered_once(cache, "docx", public_document, to_docx)
    version.scan_hits = [hit_item(h) for h in hits]
    version.left_out = list(public.left_out)
    version.status = "ready"
    version.render_seconds = round(time.perf_counter() - started, 3)
    session.flush()
    audit.record(
        session,
        "report.render",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        after={
            "number": version.number,
            "hits": len(hits),
            "seconds": version.render_seconds,
        },
    )
    return Generated(version, tuple(warnings))


def generate_report(
    *, session: Session, review: Review, user: User, settings: RenderSettings | None = None
) -> Generated:
    """Reserve the next version and make its files at once (the demo and scripts; the web
    and the API do the rendering in a background job)."""
    version = reserve_version(session=session, review=review, user=user)
    return render_version(session=session, review=review, version=version, settings=settings)


def delete_version(
    *, session: Session, review: Review, version: ReportVersion, user: User, reason: str
) -> None:
    """Delete a version that never reached publication (a superseded draft), with a reason.
    A published or withdrawn version stays: its record is part of what the public saw."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for deleting this version", "reason")
    if version.published_at is not None:
        raise ServiceError(
            f"Version {version.number} was published: withdraw it instead; it cannot be deleted"
        )
    if version.status == "generating":
        raise ServiceError(f"Version {version.number} is still being generated")
    number, version_id = version.number, version.id
    hits = len(version.scan_hits or [])
    session.delete(version)
    session.flush()
    audit.record(
        session,
        "report.delete",
        entity_type="report_versions",
        entity_id=str(version_id),
        review_id=review.id,
        before={"number": number, "hits": hits},
        after={"deleted": True, "reason": reason},
    )


def _role_of(session: Session, review: Review, user: User) -> str | None:
    return session.scalar(
        select(Membership.role).where(
            Membership.review_id == review.id, Membership.user_id == user.id
        )
    )


def register_changed_since(session: Session, review: Review, version: ReportVersion) -> bool:
    """Whether the people register changed after ``version`` was generated: its scan is then
    out of date, and the version is scanned again before approval and publication."""
    changed = session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.review_id == review.id,
            AuditEntry.entity_type == Person.__tablename__,
            AuditEntry.action.in_(("create", "update", "delete")),
            AuditEntry.at > version.created_at,
        )
        .limit(1)
    )
    return changed is not None


def approve_report(
    *, session: Session, review: Review, version: ReportVersion, user: User
) -> ReportVersion:
    """Approval by a second person: the chair or a board member who did not generate it.

    When the people register changed after the version was generated, it is scanned again
    against the register as it is now: a name it holds that the first scan did not report
    blocks approval
    (``PublicationBlockedError``) as it blocks publication."""
    if version.is_withdrawn:
        raise VersionWithdrawnError(WITHDRAWN_FOR_GOOD.format(number=version.number))
    if version.is_published:
        raise ServiceError("This version is already published")
    if not version.is_ready:
        raise NotReadyError(f"Version {version.number} is not ready: its files are not made yet")
    if _role_of(session, review, user) not in APPROVER_ROLES:
        raise ServiceError("Only the chair or a safeguarding board member can approve a report")
    if version.created_by_id == user.id:
        raise ServiceError(
            "A second person must approve: you generated this version, so someone else must"
        )
    hits = publication_hits(session, review, version)
    if hits:
        # Approving what cannot be published would be a promise the gate breaks.
        raise PublicationBlockedError(hits)
    version.approved_by_id = user.id
    version.approved_at = utcnow()
    session.flush()
    audit.record(
        session,
        "report.approve",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        after={"number": version.number},
    )
    return version


def _markdown_chunks(markdown: str) -> list[tuple[str, str]]:
    """The Markdown split at its headings: (heading, text under it)."""
    chunks: list[tuple[str, str]] = []
    heading = "Title"
    lines: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("#"):
            chunks.append((heading, "\n".join(lines)))
            heading, lines = line.lstrip("#").strip().replace("\\", ""), []
        lines.append(line)
    chunks.append((heading, "\n".join(lines)))
    return chunks


def publication_hits(
    session: Session, review: Review, version: ReportVersion
) -> list[dict[str, Any]]:
    """What blocks publication: the hits found when the version was generated, and any name
    added to the people register since that the stored text still holds."""
    hits = [dict(h) for h in version.scan_hits or []]
    seen = {(h["kind"], h["text"], h["location"]) for h in hits}
    register = people_register(session, review)
    for location, text in _markdown_chunks(version.public_markdown or version.markdown):
        # As written and as rendered: markup can hide a name from the source ("Ker**ry**").
        for hit in scan_markdown(text, register=register, location=location):
            item = hit_item(hit)
            key = (item["kind"], item["text"], item["location"])
            if item["kind"] == "register_name" and key not in seen:
                seen.add(key)
                hits.append(item)
    return hits


def publish_report(
    *, session: Session, review: Review, version: ReportVersion, user: User
) -> ReportVersion:
    """Publish a clean, approved version. The scan runs first: any hit blocks publication
    whatever the approval (``PublicationBlockedError``); then approval is needed
    (``ApprovalRequiredError``). A withdrawn version is never published again."""
    if version.is_withdrawn:
        raise VersionWithdrawnError(WITHDRAWN_FOR_GOOD.format(number=version.number))
    if version.is_published:
        return version
    if not version.is_ready or not version.public_pdf:
        raise NotReadyError(
            f"Version {version.number} has no public edition to publish: generate a new version"
        )
    hits = publication_hits(session, review, version)
    if hits:
        raise PublicationBlockedError(hits)
    if not version.is_approved:
        raise ApprovalRequiredError(
            "A second person (the chair or a board member) must approve this version first"
        )
    version.published_at = datetime.now(UTC)
    version.published_by_id = user.id
    if list(STAGES).index(review.stage) < list(STAGES).index("published"):
        review.stage = "published"
    session.flush()
    audit.record(
        session,
        "report.publish",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        after={"number": version.number},
    )
    return version


def withdraw_report(
    *, session: Session, review: Review, version: ReportVersion, user: User, reason: str
) -> ReportVersion:
    """Take a published version off the partnership's public page, for good.

    The reason is required and kept with who withdrew it and when. The version keeps its
    record of publication but ``is_published`` is false from now on, and it can never be
    published again (``publish_report`` refuses it): to publish the review again, generate a
    new version, which goes through the scan and a second person's approval. If no other
    version of the review stays published, the review's stage goes back to "report"."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for withdrawing this version", "reason")
    if version.is_withdrawn:
        raise ServiceError(f"Version {version.number} is already withdrawn")
    if not version.is_published:
        raise ServiceError(
            f"Version {version.number} is not published, so there is nothing to withdraw"
        )
    version.withdrawn_at = datetime.now(UTC)
    version.withdrawn_by_id = user.id
    version.withdrawal_reason = reason
    session.flush()
    still_published = any(v.is_published for v in report_versions(session, review))
    if not still_published and review.stage == "published":
        review.stage = "report"
    session.flush()
    audit.record(
        session,
        "report.withdraw",
        entity_type="report_versions",
        entity_id=str(version.id),
        review_id=review.id,
        before={"number": version.number, "published": True},
        after={"number": version.number, "published": False, "reason": reason},
    )
    return version


def published_reports(session: Session, partnership_id: int) -> list[ReportVersion]:
    """Every published report version of the partnership, newest first."""
    return list(
        session.scalars(
            select(ReportVersion)
            .join(Review, Review.id == ReportVersion.review_id)
            .where(
                Review.partnership_id == partnership_id,
                ReportVersion.published_at.is_not(None),
                ReportVersion.withdrawn_at.is_(None),
            )
            .order_by(ReportVersion.published_at.desc())
            .options(selectinload(ReportVersion.created_by))
        )
    )
