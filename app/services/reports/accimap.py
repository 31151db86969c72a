"""The report's AcciMap, drawn from pseudonymised data (a PNG cannot be anonymised after the
fact): the restricted edition's figure, and the public edition's landscape pages, where each
event shows its date and episode, never its text, and a map too large to read is drawn one
key practice episode at a time."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from analysis.anonymise import RegisterPerson, substitute
from analysis.documents import Block, Figure, Note, Paragraph
from analysis.graph.draw import RenderError, accimap_dot, render
from analysis.graph.model import GraphInput, build_graph
from app.services.anonymity import agency_label
from app.services.graph import GraphSettings, graph_input
from models import Review


def anonymous_graph_input(
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
    data = anonymous_graph_input(graph_input(session, review), register, agencies)
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


# The AcciMap's page: A4 landscape less margins and caption, in points; its boxes' text is
# 11 pt, so a drawing scaled below MIN_TEXT_PT / 11 is split by episode.
PAGE_WIDTH_PT, PAGE_HEIGHT_PT = 757.0, 439.0
DRAWN_TEXT_PT, MIN_TEXT_PT = 11.0, 7.0
_SVG_SIZE = re.compile(rb'<svg[^>]*\swidth="([\d.]+)pt"[^>]*\sheight="([\d.]+)pt"')


def text_size_in_print(svg: bytes) -> float:
    """The size in points the drawing's 11 pt text prints at, scaled to fit the page."""
    match = _SVG_SIZE.search(svg)
    if match is None:
        return DRAWN_TEXT_PT
    width, height = float(match.group(1)), float(match.group(2))
    scale = min(1.0, PAGE_WIDTH_PT / width, PAGE_HEIGHT_PT / height)
    return DRAWN_TEXT_PT * scale


def public_accimap(
    session: Session,
    review: Review,
    register: Sequence[RegisterPerson],
    settings: GraphSettings,
) -> list[Block]:
    """The AcciMap for the public, on landscape pages: each event's box carries its date and
    episode, never its text, and no box carries a ref. When the whole map would print its text
    below 7 pt, one drawing per episode instead. Vector (SVG) for PDF and HTML, PNG for Word."""
    agencies = {a.name: agency_label(a) for a in review.agencies}
    data = anonymous_graph_input(graph_input(session, review), register, agencies)
    episodes = {k.ref: f"Episode {n}" for n, k in enumerate(data.kpes, start=1)}
    data = replace(
        data,
        events=tuple(
            replace(e, title=episodes.get(e.kpe or "", "Outside the episodes")) for e in data.events
        ),
        kpes=tuple(replace(k, title=f"{episodes[k.ref]}: {k.title}") for k in data.kpes),
    )
    graph = build_graph(data)

    def draw(view: str, ref: str | None, title: str) -> tuple[bytes, bytes]:
        drawn = accimap_dot(
            graph, view=view, ref=ref, max_nodes=settings.max_nodes, show_refs=False, title=title
        )
        svg = render(drawn.dot, "svg", timeout=settings.timeout, cache_dir=settings.cache_dir)
        png = render(drawn.dot, "png", timeout=settings.timeout, cache_dir=settings.cache_dir)
        return svg, png

    caption = (
        "The factors behind the key practice episodes, by level of the system. Each event "
        "shows its date and the episode it belongs to."
    )
    try:
        svg, png = draw("accimap", None, "AcciMap of the review")
        if text_size_in_print(svg) >= MIN_TEXT_PT or not data.kpes:
            return [Figure(caption=caption, svg=svg, png=png, landscape=True)]
        figures: list[Block] = [
            Paragraph(
                "The whole map is too large to read on one page, so it is shown one key "
                "practice episode at a time, each with the factors behind it."
            )
        ]
        for kpe in data.kpes:
            title = f"What lay behind {kpe.title}"
            svg, png = draw("kpe", kpe.ref, title)
            figures.append(Figure(caption=title, svg=svg, png=png, landscape=True))
        return figures
    except RenderError:
        return [Paragraph("The AcciMap is available from the partnership on request.")]
