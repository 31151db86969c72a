"""The document model: :class:`Document`, :class:`Section` and the blocks they hold.

Reports, 7-minute briefings, workshop packs and handouts are built as a :class:`Document` of
:class:`Section` objects holding blocks (:class:`Paragraph`, :class:`Markdown`,
:class:`BulletList`, :class:`Table`, :class:`Figure`, :class:`Note`), then rendered by the
sibling modules. :func:`document_text` yields every text with its location (what the
anonymisation scanner reads).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

LOCATION_SEPARATOR = " › "


def _as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else tuple(value)


@dataclass(frozen=True)
class Paragraph:
    """Plain text; line breaks are kept, nothing in it is interpreted as markup."""

    text: str


@dataclass(frozen=True)
class Markdown:
    """Markdown written by a user, rendered and sanitised."""

    source: str


@dataclass(frozen=True)
class BulletList:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", _as_tuple(self.items))


@dataclass(frozen=True)
class Table:
    """A table of plain text with a header row."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _as_tuple(self.headers))
        object.__setattr__(self, "rows", tuple(_as_tuple(row) for row in self.rows))


@dataclass(frozen=True)
class Figure:
    """An image with a caption: SVG for HTML/PDF, PNG for DOCX (either serves HTML/PDF).
    A ``landscape`` figure gets a landscape A4 page of its own in the PDF and Word files."""

    caption: str
    svg: bytes | None = None
    png: bytes | None = None
    landscape: bool = False


@dataclass(frozen=True)
class Note:
    """A call-out: plain text set apart from the flow."""

    text: str


Block = Paragraph | Markdown | BulletList | Table | Figure | Note


@dataclass(frozen=True)
class Section:
    """A heading (``level`` 1 is a top-level section) followed by its blocks."""

    heading: str
    blocks: tuple[Block, ...] = ()
    level: int = 1
    # Start the section on a new page when printed (one page per workshop episode).
    new_page: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", _as_tuple(self.blocks))
        if not 1 <= self.level <= 5:
            raise ValueError("level must be between 1 and 5")


@dataclass(frozen=True)
class Document:
    """A titled document; ``numbered`` numbers the headings, ``contents`` adds a contents list,
    ``compact`` sets it tight (smaller type and margins) for a one-page handout. ``cover``
    gives it a cover page: the title, these lines (who publishes it, when, about whom) and
    ``logo_png`` above them when given. The contents list shows headings down to level
    ``contents_depth``."""

    title: str
    subtitle: str = ""
    sections: tuple[Section, ...] = field(default=())
    numbered: bool = False
    contents: bool = True
    compact: bool = False
    cover: tuple[str, ...] = ()
    logo_png: bytes | None = None
    contents_depth: int = 5

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", _as_tuple(self.sections))
        object.__setattr__(self, "cover", _as_tuple(self.cover))


@dataclass(frozen=True)
class _Heading:
    section: Section
    number: str  # "2.1", or "" when the document is not numbered
    anchor: str
    path: tuple[str, ...]  # labels of this section and its ancestors

    @property
    def label(self) -> str:
        return f"{self.number} {self.section.heading}" if self.number else self.section.heading


def _headings(doc: Document) -> list[_Heading]:
    """Number the sections hierarchically by level and give each an anchor and a path."""
    counters: list[int] = []
    labels: list[str] = []
    result = []
    for index, section in enumerate(doc.sections, start=1):
        level = section.level
        del counters[level:]
        del labels[level - 1 :]
        while len(counters) < level:
            counters.append(0)
        counters[level - 1] += 1
        number = ".".join(str(c) for c in counters) if doc.numbered else ""
        label = f"{number} {section.heading}" if number else section.heading
        while len(labels) < level - 1:
            labels.append("")
        labels.append(label)
        path = tuple(x for x in labels if x)
        result.append(_Heading(section, number, f"section-{index}", path))
    return result


# --------------------------------------------------------------------------- text


def document_text(doc: Document) -> Iterator[tuple[str, str]]:
    """Yield ``(location, text)`` for every text in ``doc``.

    Locations are heading paths joined with `` › `` ("3 Findings › 3.1 Finding title"); the
    title and subtitle are at "Title" and "Subtitle". Markdown is yielded as its source; the
    text of an SVG figure (its ``<text>`` elements) is yielded at "… › Figure N".
    """
    yield "Title", doc.title
    if doc.subtitle:
        yield "Subtitle", doc.subtitle
    figure_number = 0
    for heading in _headings(doc):
        where = LOCATION_SEPARATOR.join(heading.path)
        yield where, heading.section.heading
        for block in heading.section.blocks:
            if isinstance(block, Paragraph | Note):
                yield where, block.text
            elif isinstance(block, Markdown):
                yield where, block.source
            elif isinstance(block, BulletList):
                for item in block.items:
                    yield where, item
            elif isinstance(block, Table):
                for cell in block.headers:
                    yield where, cell
                for row in block.rows:
                    for cell in row:
                        yield where, cell
            else:
                figure_number += 1
                figure_where = f"{where}{LOCATION_SEPARATOR}Figure {figure_number}"
                yield figure_where, block.caption
                if block.svg:
                    for text in svg_texts(block.svg):
                        yield figure_where, text


def document_markdown(doc: Document) -> Iterator[tuple[str, str]]:
    """Yield ``(location, source)`` for every Markdown block of ``doc``, located as in
    :func:`document_text`."""
    for heading in _headings(doc):
        where = LOCATION_SEPARATOR.join(heading.path)
        for block in heading.section.blocks:
            if isinstance(block, Markdown):
                yield where, block.source


_SVG_TEXT = re.compile(rb"<text\b[^>]*>(.*?)</text>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def svg_texts(svg: bytes) -> list[str]:
    """The visible strings of an SVG's ``<text>`` elements (what a reader could see)."""
    texts = []
    for match in _SVG_TEXT.finditer(svg):
        inner = match.group(1).decode("utf-8", errors="replace")
        text = html.unescape(_TAG.sub("", inner)).strip()
        if text:
            texts.append(text)
    return texts
