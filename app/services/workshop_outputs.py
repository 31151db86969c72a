"""What a workshop produces on paper and screen: the graph revealed step by step, the
facilitator pack (PDF) and the participant handout (PDF, pseudonymised and checked by the
anonymisation scanner). Everything is drawn from the workshop's snapshot, which already holds
pseudonyms only."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from analysis.anonymise import Hit, scan_document
from analysis.dates import uk_date
from analysis.documents import (
    BulletList,
    Document,
    Figure,
    Markdown,
    Note,
    Paragraph,
    Section,
    Table,
    to_pdf,
)
from analysis.graph.draw import DrawError, RenderError, accimap_dot, message_dot, render
from analysis.graph.model import (
    EventNode,
    FactorNode,
    GraphInput,
    KpeNode,
    LinkEdge,
    ReviewGraph,
    build_graph,
)
from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.services import workshops as service
from app.services.anonymity import anonymiser_for
from app.services.reports import rendered_once
from models import Review, Workshop

# Factor types shown at each step of the reveal; the last drawing (None) shows every type.
_ALL_TYPES = frozenset(FACTOR_TYPES)
# Seconds Graphviz may spend on one view, and on all the views of a facilitator pack together.
RENDER_TIMEOUT = 10.0
PACK_GRAPH_BUDGET = 15.0
NOT_DRAWN = "Not drawn in time for the pack: see the workshop's graph pages"


class HandoutNotAnonymousError(Exception):
    """The handout names or identifies someone; ``hits`` says what and where."""

    def __init__(self, hits: Sequence[Hit]) -> None:
        super().__init__(f"{len(hits)} identifying details in the handout")
        self.hits = list(hits)


def _types_at(step: int | None) -> frozenset[str]:
    if step is None:
        return _ALL_TYPES
    return frozenset(kind for kind, _label in service.REVEAL_STEPS[1 : step + 1])


def snapshot_graph(
    workshop: Workshop | service.RoomView, *, step: int | None = None, kpe: str | None = None
) -> ReviewGraph:
    """The workshop's graph from its snapshot, with the factor types revealed by ``step``;
    for one episode (``kpe``) only what could be known at its end (no hindsight)."""
    snapshot = workshop.snapshot
    types = _types_at(step)
    factors = [f for f in snapshot.get("factors", []) if f["type"] in types]
    events = list(snapshot.get("events", []))
    episode = next((k for k in snapshot.get("kpes", []) if k["ref"] == kpe), None)
    if episode is not None:
        known = {e["ref"] for e in service.known_at_kpe(workshop, episode)}
        allowed = service.episode_factor_refs(workshop, episode)
        events = [e for e in events if e["ref"] in known]
        factors = [f for f in factors if f["ref"] in allowed]
    refs = {e["ref"] for e in events} | {f["ref"] for f in factors}
    return build_graph(
        GraphInput(
            events=tuple(
                EventNode(
                    ref=e["ref"],
                    title=e["title"],
                    date=e.get("date"),
                    agency=e.get("agency", ""),
                    appraisal=e.get("appraisal", "not_appraised"),
                    kpe=e.get("kpe"),
                )
                for e in events
            ),
            kpes=tuple(KpeNode(ref=k["ref"], title=k["title"]) for k in snapshot.get("kpes", [])),
            factors=tuple(
                FactorNode(
                    ref=f["ref"],
                    label=f["label"],
                    type=f["type"],
                    level=f["level"],
                    description=f.get("description", ""),
                )
                for f in factors
            ),
            links=tuple(
                LinkEdge(source=lk["source"], target=lk["target"], relation=lk["relation"])
                for lk in snapshot.get("links", [])
                if lk["source"] in refs and lk["target"] in refs
            ),
        )
    )


def _svg(
    workshop: Workshop | service.RoomView,
    kpe: str | None,
    step: int | None,
    cache_dir: Path | None,
    timeout: float = RENDER_TIMEOUT,
) -> bytes:
    graph = snapshot_graph(workshop, step=step, kpe=kpe)
    try:
        dot = accimap_dot(graph, view="kpe" if kpe else "accimap", ref=kpe).dot
    except DrawError as error:
        dot = message_dot(str(error))
    if timeout <= 0:
        return render(message_dot(NOT_DRAWN), "svg", cache_dir=cache_dir)
    try:
        return render(dot, "svg", timeout=timeout, cache_dir=cache_dir)
    except RenderError:
        return render(message_dot("This graph took too long to draw"), "svg", cache_dir=cache_dir)


def reveal_svg(
    workshop: Workshop | service.RoomView,
    kpe: str | None,
    step: int,
    *,
    cache_dir: Path | None = None,
) -> bytes | None:
    """The graph of one KPE (or the whole workshop) at ``step`` of the reveal, as SVG; None for
    a KPE that is not in the workshop."""
    if kpe is not None and kpe not in {k["ref"] for k in workshop.snapshot.get("kpes", [])}:
        return None
    return _svg(workshop, kpe, step, cache_dir)


def _graph_figures(workshop: Workshop | service.RoomView, cache_dir: Path | None) -> list[Figure]:
    """The pack's graph views, all laid out within ``PACK_GRAPH_BUDGET`` seconds: a view
    that has no time left says so instead of holding up the request."""
    deadline = time.monotonic() + PACK_GRAPH_BUDGET

    def svg(kpe: str | None) -> bytes:
        remaining = min(RENDER_TIMEOUT, deadline - time.monotonic())
        return _svg(workshop, kpe, None, cache_dir, remaining)

    figures = []
    if "accimap" in workshop.graph_views:
        figures.append(Figure("The whole graph", svg=svg(None)))
    if "kpe" in workshop.graph_views:
        for kpe in workshop.snapshot.get("kpes", []):
            figures.append(Figure(f"{kpe['ref']}: {kpe['title']}", svg=svg(kpe["ref"])))
    return figures


def _kpe_sections(workshop: Workshop | service.RoomView, *, level: int) -> list[Section]:
    """A page per episode: its own events (UK dates) and the factors known by its end, never
    the chronology again from the start, nor anything the review learned later."""
    sections = []
    events = {e["ref"]: e for e in workshop.snapshot.get("events", [])}
    for kpe in workshop.snapshot.get("kpes", []):
        own = [events[ref] for ref in kpe.get("events", []) if ref in events]
        blocks: list[Any] = []
        if kpe.get("summary"):
            blocks.append(Markdown(kpe["summary"]))
        blocks.append(Paragraph("What happened in this episode, as it was known at the time:"))
        blocks.append(
            Table(
                ("When", "Agency", "What happened"),
                tuple((e["when"], e["agency"], e["title"]) for e in own),
            )
        )
        factors = [
            n
            for n in service.reveal_nodes(workshop, kpe, len(service.REVEAL_STEPS) - 1)
            if n["kind"] == "factor"
        ]
        if factors:
            blocks.append(
                BulletList(
                    tuple(
                        f"{FACTOR_TYPES[n['type']]} ({SYSTEM_LEVELS[n['level']]}): {n['label']}"
                        for n in factors
                    )
                )
            )
        sections.append(
            Section(f"{kpe['ref']}: {kpe['title']}", tuple(blocks), level=level, new_page=True)
        )
    return sections


def facilitator_pack(
    session: Session, workshop: Workshop | service.RoomView, *, cache_dir: Path | None = None
) -> bytes:
    """The facilitator's pack: agenda, a card per KPE, the questions and the graph views, as
    the room would see them (pseudonyms, identifying details masked): packs get left about."""
    review = session.get_one(Review, workshop.review_id)
    room = anonymiser_for(session, review).for_room
    workshop = service.room_view(session, workshop)
    sections = [
        Section(
            "The workshop",
            (
                Table(
                    ("", ""),
                    (
                        ("Review", room(f"{review.title} ({review.subject})")),
                        ("Date", uk_date(workshop.held_on)),
                        ("Join code", workshop.join_code),
                        ("Votes per participant", str(workshop.votes_per_participant)),
                    ),
                ),
            ),
        ),
        Section("Agenda", (Markdown(workshop.agenda) if workshop.agenda else Note("No agenda."),)),
        Section("Questions for the room", (BulletList(tuple(workshop.questions)),)),
        Section("Key practice episodes", (), level=1),
        *_kpe_sections(workshop, level=2),
    ]
    figures = _graph_figures(workshop, cache_dir)
    if figures:
        sections.append(Section("Graph views", tuple(figures)))
    doc = Document(title=workshop.title, subtitle="Facilitator pack", sections=tuple(sections))
    # Rendered once per content: the same pack downloaded again comes from the cache.
    pdf: bytes = rendered_once(cache_dir, "pdf", doc, to_pdf)
    return pdf


def handout_document(workshop: Workshop | service.RoomView) -> Document:
    """The participants' handout: questions and, for each KPE, what could be known then."""
    sections = [
        Section(
            "How this works",
            (
                Paragraph(
                    "We look at what happened as it looked at the time, and ask what made it "
                    "likely and what helped. People in the case are named by pseudonyms."
                ),
                BulletList(tuple(service.NOTE_PROMPTS.values())),
            ),
        ),
        Section("Questions", (BulletList(tuple(workshop.questions)),)),
        *_kpe_sections(workshop, level=1),
    ]
    return Document(
        title=workshop.title,
        subtitle="Participant handout",
        sections=tuple(sections),
        contents=False,
        compact=True,
    )


def participant_handout(session: Session, workshop: Workshop) -> bytes:
    """The handout as PDF. Raises ``HandoutNotAnonymousError`` when the scanner finds a real
    name or another identifier in it."""
    review = session.get_one(Review, workshop.review_id)
    # Names become pseudonyms as in the report; anything else the scanner finds refuses the
    # handout (a document that leaves the room is gated like a report, not silently masked).
    anonymiser = anonymiser_for(session, review)
    doc = handout_document(service.RoomView(workshop, anonymiser, mask=False))
    hits = scan_document(doc, register=anonymiser.register, places=anonymiser.places)
    if hits:
        raise HandoutNotAnonymousError(hits)
    return to_pdf(doc)
