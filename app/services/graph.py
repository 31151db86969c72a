"""Turn a review's rows into the analysis' plain input (``analysis.graph.model.GraphInput``)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.graph import draw as draw_module
from analysis.graph.draw import (
    DEFAULT_MAX_NODES,
    VIEWS,
    DrawError,
    DrawnGraph,
    RenderTimeoutError,
    accimap_dot,
    cache_key,
    dot_version,
    message_dot,
    render,
    write_atomic,
)
from analysis.graph.model import (
    ActionNode,
    EventNode,
    FactorNode,
    FindingNode,
    GraphInput,
    KpeNode,
    LinkEdge,
    ReviewGraph,
    build_graph,
)
from app.services.chronology import kpes_of
from app.services.errors import ServiceError
from app.services.facts import evidence_facts
from models import Action, AuditEntry, Event, Factor, Finding, Link, Review

TITLE_LENGTH = 80
_MARKUP = re.compile(r"[*_`#>\[\]]|\(https?://[^)]*\)")


def event_title(description: str) -> str:
    """A one-line title for an event: its description's first line without Markdown markup,
    cut at a word boundary."""
    first = next((line for line in description.splitlines() if line.strip()), "")
    text = " ".join(_MARKUP.sub("", first).split())
    if len(text) <= TITLE_LENGTH:
        return text
    return text[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _as_written(text: str) -> str:
    return text


def graph_input(
    session: Session,
    review: Review,
    *,
    show_accounts: bool = True,
    text: Callable[[str], str] = _as_written,
) -> GraphInput:
    """The review's live events, KPEs, factors, findings, actions and links as a
    ``GraphInput``. Without
    ``show_accounts`` (for roles that may not read accounts) evidence keeps no account ref.
    ``text`` is the reader's view of every title, label and description (pseudonyms for a
    reader who may not read real names): the drawings and exports built from it say only
    what the reader may read."""
    events = session.scalars(
        select(Event)
        .where(Event.review_id == review.id, Event.deleted_at.is_(None))
        .order_by(Event.sort_start, Event.id)
    )
    kpes = kpes_of(session, review)
    factors = session.scalars(
        select(Factor)
        .where(Factor.review_id == review.id)
        .order_by(Factor.id)
        .options(selectinload(Factor.evidence))
    )
    findings = session.scalars(
        select(Finding)
        .where(Finding.review_id == review.id)
        .order_by(Finding.id)
        .options(selectinload(Finding.factors))
    )
    actions = session.scalars(
        select(Action)
        .where(Action.review_id == review.id)
        .order_by(Action.id)
        .options(selectinload(Action.finding))
    )
    links = session.scalars(select(Link).where(Link.review_id == review.id).order_by(Link.id))
    return GraphInput(
        events=tuple(
            EventNode(
                ref=event.ref,
                title=event_title(text(event.description)),
                date=event.date,
                agency=text(event.agency.name) if event.agency else "",
                appraisal=event.appraisal,
                kpe=event.kpe.ref if event.kpe else None,
            )
            for event in events
        ),
        kpes=tuple(KpeNode(ref=kpe.ref, title=text(kpe.title)) for kpe in kpes),
        factors=tuple(
            FactorNode(
                ref=factor.ref,
                label=text(factor.label),
                type=factor.type,
                level=factor.level,
                description=text(factor.description) if factor.description else factor.description,
                scie_pattern=factor.scie_pattern,
                seips_component=factor.seips_component,
                contributory_category=factor.contributory_category,
                evidence=evidence_facts(factor, show_accounts=show_accounts),
            )
            for factor in factors
        ),
        findings=tuple(
            FindingNode(
                ref=finding.ref,
                title=text(finding.title),
                factors=tuple(f.ref for f in finding.factors),
            )
            for finding in findings
        ),
        actions=tuple(
            ActionNode(
                ref=action.ref,
                title=event_title(text(action.description)),
                finding=action.finding.ref,
            )
            for action in actions
        ),
        links=tuple(
            LinkEdge(
                source=link.source,
                target=link.target,
                relation=link.relation,
                ref=link.ref,
                confidence=link.confidence,
            )
            for link in links
        ),
    )


def review_graph(
    session: Session,
    review: Review,
    *,
    show_accounts: bool = True,
    text: Callable[[str], str] = _as_written,
) -> ReviewGraph:
    """The review's built graph (see ``graph_input`` for ``show_accounts`` and ``text``)."""
    return build_graph(graph_input(session, review, show_accounts=show_accounts, text=text))


# --- drawings ---------------------------------------------------------------------------------

#: Seconds Graphviz may take over a drawing within a request, and over its collapsed fallback.
DEFAULT_RENDER_TIMEOUT = 5.0
DEFAULT_FALLBACK_TIMEOUT = 2.0
MESSAGE_TIMEOUT = 5.0
# The drawing code (every module of analysis.graph: layout, looks, selection, rendering) is
# part of the index key: a new release redraws instead of serving old pictures of an
# unchanged review.
_DRAWING_CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted(Path(draw_module.__file__).parent.glob("*.py")))
).hexdigest()
IMAGE_FORMATS = ("svg", "png", "dot")


class GraphViewError(ServiceError):
    """The view or ref asked for does not exist in this review (the message says why)."""


@dataclass(frozen=True)
class GraphImage:
    """A drawing: its bytes in ``fmt``, and whether (and why) it shows less than asked."""

    data: bytes
    fmt: str
    collapsed: bool = False
    message: str = ""


@dataclass(frozen=True)
class GraphSettings:
    """Where renders are cached and how long Graphviz may take: the web layer reads them from
    the app's ``GRAPH_*`` configuration (``app.settings.graph_settings``); the defaults cache
    nothing."""

    cache_dir: Path | None = None
    timeout: float = DEFAULT_RENDER_TIMEOUT
    fallback_timeout: float = DEFAULT_FALLBACK_TIMEOUT
    max_nodes: int = DEFAULT_MAX_NODES


def drawing(rg: ReviewGraph, view: str, ref: str | None, *, max_nodes: int) -> DrawnGraph:
    """The DOT of ``view``; raises ``GraphViewError`` for a bad view or a missing ref."""
    try:
        return accimap_dot(rg, view=view, ref=ref or None, max_nodes=max_nodes)
    except DrawError as error:
        raise GraphViewError(str(error), field="ref" if view in VIEWS else "view") from None


def graph_drawing(
    session: Session,
    review: Review,
    view: str = "accimap",
    ref: str | None = None,
    fmt: str = "svg",
    *,
    settings: GraphSettings | None = None,
    text: Callable[[str], str] | None = None,
) -> GraphImage:
    """The review's AcciMap (``view`` ``accimap``, ``kpe`` or ``event`` with ``ref``) as
    ``svg``, ``png`` or ``dot``.

    Rendered within ``settings.timeout`` seconds; when Graphviz cannot lay it out in time the
    collapsed view is drawn instead (within ``fallback_timeout``), and failing that a box
    saying so, so a request never waits longer than the two limits together. Renders are
    cached on disk by a hash of the DOT text; an index keyed by the review's latest audited
    change then finds the drawing without loading the review at all, so a second request
    for an unchanged review is instant. Raises ``GraphViewError`` for a bad view or ref,
    ``ValueError`` for an unknown format, ``RenderError`` when Graphviz fails. ``text`` is
    the reader's view of every label (see ``graph_input``), None for the text as written;
    drawings made with a ``text`` are indexed apart from those made without.
    """
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(IMAGE_FORMATS)}")
    settings = settings or GraphSettings()
    index = _index_path(session, review, view, ref, fmt, settings, text is not None)
    if index is not None and settings.cache_dir is not None:
        try:
            entry = json.loads(index.read_text())
            data = (settings.cache_dir / entry["file"]).read_bytes()
            return GraphImage(data, fmt, bool(entry["collapsed"]), str(entry["message"]))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            pass
    image, dot = _draw(session, review, view, ref, fmt, settings, text or _as_written)
    if index is not None and settings.cache_dir is not None:
        key = cache_key(dot, fmt)
        file = f"{key[:2]}/{key}.{fmt}"
        if fmt == "dot":
            write_atomic(settings.cache_dir / file, image.data)
        entry = {"file": file, "collapsed": image.collapsed, "message": image.message}
        write_atomic(index, json.dumps(entry).encode("utf-8"))
    return image


def _index_path(
    session: Session,
    review: Review,
    view: str,
    ref: str | None,
    fmt: str,
    settings: GraphSettings,
    pseudonymised: bool = False,
) -> Path | None:
    """Where the drawing of this review, as it is now, is recorded: keyed by the hash of the
    review's latest audited change (every change to its rows is audited), the request, the
    limits, Graphviz's version and the drawing code itself."""
    if settings.cache_dir is None:
        return None
    # The hash, not the number: a rolled-back change frees its number for another change,
    # but the hash chains over the content and time of every change.
    latest = session.scalar(
        select(AuditEntry.hash)
        .where(AuditEntry.review_id == review.id)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    parts = [
        review.id,
        latest,
        view,
        ref or "",
        fmt,
        settings.max_nodes,
        settings.timeout,
        settings.fallback_timeout,
        dot_version(),
        _DRAWING_CODE,
        *(["pseudonyms"] if pseudonymised else []),
    ]
    digest = hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
    return settings.cache_dir / "reviews" / str(review.id) / f"{digest}.json"


def _draw(
    session: Session,
    review: Review,
    view: str,
    ref: str | None,
    fmt: str,
    settings: GraphSettings,
    text: Callable[[str], str] = _as_written,
) -> tuple[GraphImage, str]:
    """The drawing and the DOT text it was rendered from."""
    rg = review_graph(session, review, text=text)
    drawn = drawing(rg, view, ref, max_nodes=settings.max_nodes)
    if fmt == "dot":
        return GraphImage(drawn.dot.encode("utf-8"), fmt, drawn.collapsed, drawn.message), drawn.dot
    try:
        data = render(drawn.dot, fmt, timeout=settings.timeout, cache_dir=settings.cache_dir)
        return GraphImage(data, fmt, drawn.collapsed, drawn.message), drawn.dot
    except RenderTimeoutError:
        pass
    collapsed = accimap_dot(
        rg, view=view, ref=ref or None, max_nodes=settings.max_nodes, collapse=True
    )
    try:
        data = render(
            collapsed.dot, fmt, timeout=settings.fallback_timeout, cache_dir=settings.cache_dir
        )
        return GraphImage(data, fmt, True, collapsed.message), collapsed.dot
    except RenderTimeoutError:
        pass
    message = (
        "This graph is too big and tangled to draw in time, even with events shown as "
        "their key practice episodes. Choose a key practice episode or an event."
    )
    # One box of text: Graphviz lays it out in milliseconds, whatever the limits are.
    dot = message_dot(message)
    data = render(dot, fmt, timeout=MESSAGE_TIMEOUT, cache_dir=settings.cache_dir)
    return GraphImage(data, fmt, True, message), dot


def graph_image(
    session: Session,
    review: Review,
    view: str = "accimap",
    ref: str | None = None,
    fmt: str = "svg",
) -> bytes:
    """The review's AcciMap as bytes (see ``graph_drawing``): what reports, workshop packs
    and pages embed."""
    return graph_drawing(session, review, view, ref, fmt).data
