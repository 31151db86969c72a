"""Making a version's files: both editions in every format (HTML, PDF, DOCX, Markdown), each
rendered once per content, the public one scanned for what could identify someone."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from analysis.anonymise import scan_document, substitute_document
from analysis.documents import Document, to_docx, to_html, to_markdown, to_pdf
from analysis.graph.render import write_atomic
from app.services.anonymity import people_register, school_names
from app.services.graph import GraphSettings
from app.services.reports.public_edition import build_public_report
from app.services.reports.publication import hit_item
from app.services.reports.restricted import build_report
from app.services.reports.versions import reserve_version
from models import ReportVersion, Review, User, audit


@dataclass(frozen=True)
class Generated:
    """A new report version and what its author should know about it."""

    version: ReportVersion
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RenderSettings:
    """Where rendered files are cached by content, and the graph's settings."""

    cache_dir: Path | None = None
    graph: GraphSettings = field(default_factory=GraphSettings)
    today: date | None = None


def rendered_once(
    cache_dir: Path | None, kind: str, document: Document, renderer: Callable[[Document], Any]
) -> Any:
    """``renderer(document)``, kept in ``cache_dir`` by a hash of the document's content:
    the same content (say, an unchanged public edition) is rendered once."""
    if cache_dir is None:
        return renderer(document)
    key = hashlib.sha256(f"{kind}\n{_renderers()}\n{document!r}".encode()).hexdigest()
    path = cache_dir / f"{key}.{kind}"
    if path.exists():
        data = path.read_bytes()
        return data if kind in ("pdf", "docx") else data.decode()
    result = renderer(document)
    # Written under a name of its own, then renamed: two processes rendering the same content
    # at once (web workers, test workers) never read or leave a half-written file.
    write_atomic(path, result if isinstance(result, bytes) else result.encode())
    return result


@functools.cache
def _renderers() -> str:
    """The versions of what renders the files: an upgrade renders the same content anew."""
    return " ".join(
        f"{name} {metadata.version(name)}"
        for name in ("learning-review", "weasyprint", "python-docx")
    )


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
