"""A small structured document model and its renderers: HTML, PDF, DOCX and Markdown.

Reports, 7-minute briefings, workshop packs and handouts are built as a :class:`Document` of
:class:`Section` objects holding blocks (:class:`Paragraph`, :class:`Markdown`,
:class:`BulletList`, :class:`Table`, :class:`Figure`, :class:`Note`), then rendered:

- :func:`to_html`: standalone HTML with an embedded print stylesheet (a download, not an app
  page), or a fragment for a page. Markdown goes through
  :func:`analysis.markdown.render_markdown` (nh3); every other text is escaped. Figures are
  ``<img>`` elements with ``data:`` URIs, so an SVG is never inlined into the page.
- :func:`to_pdf`: WeasyPrint, fetching nothing but ``data:`` URIs, with every metadata entry
  but the title removed (no author, creator, producer, keywords or dates).
- :func:`to_docx`: python-docx with real Heading styles, an internal-link contents list,
  bullets, tables and PNG figures; core properties blank and revision 1.
- :func:`to_markdown`, and :func:`document_text` which yields every text with its location
  (what the anonymisation scanner reads).
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from analysis.markdown import render_markdown, safe_markdown_source

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


# --------------------------------------------------------------------------- HTML

PRINT_CSS = """
@page { size: A4; margin: 2.2cm 2cm 2.4cm;
  @bottom-center { content: counter(page) " of " counter(pages); font-size: 9pt; color: #505a5f; } }
html { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 11pt;
  line-height: 1.45; color: #0b0c0c; }
body { max-width: 46em; margin: 0 auto; padding: 1em; }
h1 { font-size: 24pt; margin: 0 0 .2em; line-height: 1.15; }
.subtitle { font-size: 14pt; color: #505a5f; margin: 0 0 1.5em; }
h2 { font-size: 17pt; margin: 1.4em 0 .4em; }
h3 { font-size: 14pt; margin: 1.2em 0 .3em; }
h4, h5, h6 { font-size: 12pt; margin: 1em 0 .3em; }
h2, h3, h4, h5, h6 { page-break-after: avoid; break-after: avoid; }
a { color: #1d70b8; }
.contents ol { list-style: none; padding-left: 0; }
/* On screen each entry is a target at least 24px high (WCAG 2.2, 2.5.8). */
.contents a { display: inline-block; min-height: 24px; line-height: 24px; }
.contents li.level-2 { padding-left: 1.5em; } .contents li.level-3 { padding-left: 3em; }
.contents li.level-4, .contents li.level-5 { padding-left: 4.5em; }
table { border-collapse: collapse; width: 100%; margin: .8em 0; font-size: 10pt; }
th, td { border: 1px solid #b1b4b6; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
figure { margin: 1em 0; page-break-inside: avoid; break-inside: avoid; }
figure img { max-width: 100%; height: auto; }
/* A wide drawing (the AcciMap) on a landscape page of its own, scaled to fit it. */
@page wide { size: A4 landscape; margin: 1.5cm 1.5cm 1.8cm;
  @bottom-center { content: counter(page) " of " counter(pages); font-size: 9pt; color: #505a5f; } }
figure.landscape { page: wide; break-before: page; }
figure.landscape img { max-height: 15.5cm; max-width: 100%; width: auto; }
/* The cover: a page of its own. */
.cover { break-after: page; page-break-after: always; padding-top: 6cm; }
.cover .logo { max-height: 3cm; max-width: 8cm; margin-bottom: 2cm; }
.cover .cover-line { font-size: 14pt; margin: .3em 0; }
figcaption { font-size: 10pt; color: #505a5f; margin-top: .3em; }
.note { border-left: 5px solid #1d70b8; background: #f3f2f1; padding: .6em 1em; margin: 1em 0; }
blockquote { border-left: 4px solid #b1b4b6; margin: 1em 0; padding-left: 1em; color: #383f43; }
pre, code { font-family: "Liberation Mono", monospace; font-size: 9.5pt; }
/* A one-page handout (the 7-minute briefing). */
@page handout { size: A4; margin: 1.3cm 1.5cm 1.5cm; }
article.compact { page: handout; font-size: 9.5pt; line-height: 1.3; }
article.compact h1 { font-size: 17pt; }
article.compact .subtitle { font-size: 11pt; margin: 0 0 .6em; }
article.compact h2 { font-size: 12.5pt; margin: .8em 0 .2em; }
article.compact p, article.compact ul { margin: .2em 0 .3em; }
article.compact li { margin: 0 0 .1em; }
article.compact .note { margin: .3em 0; padding: .3em .7em; }
@media print {
  body { max-width: none; padding: 0; }
  .contents a { color: #0b0c0c; text-decoration: none; display: inline; min-height: 0;
    line-height: inherit; }
  .contents a::after { content: leader('.') target-counter(attr(href), page); }
  section.level-1 { page-break-before: auto; }
  section.new-page { break-before: page; }
}
""".strip()


# Characters XML 1.0 (DOCX) forbids and HTML treats as errors: control characters but tab,
# newline and carriage return, lone surrogates, and the two non-characters U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """``text`` without the characters an XML or HTML document cannot hold."""
    return _NOT_XML.sub("", text)


def _esc(text: str) -> str:
    return html.escape(_xml(text), quote=True)


def _esc_lines(text: str) -> str:
    return "<br>".join(_esc(line) for line in text.splitlines()) or ""


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _figure_html(block: Figure, number: int) -> str:
    caption = f"Figure {number}: {block.caption}" if block.caption else f"Figure {number}"
    if block.svg is not None:
        src = _data_uri("image/svg+xml", block.svg)
    elif block.png is not None:
        src = _data_uri("image/png", block.png)
    else:
        src = ""
    image = f'<img src="{src}" alt="{_esc(block.caption)}">' if src else ""
    kind = ' class="landscape"' if block.landscape else ""
    return f"<figure{kind}>{image}<figcaption>{_esc(caption)}</figcaption></figure>"


_MARKDOWN_HEADING = re.compile(r"<(/?)h([2-6])>")


def _shift_headings(rendered: str, level: int) -> str:
    """Put Markdown's headings under the section's own (h2 in a level-1 section -> h3)."""
    return _MARKDOWN_HEADING.sub(
        lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + level, 6)}>", rendered
    )


def _block_html(block: Block, figure_number: int, level: int = 1) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_esc_lines(block.text)}</p>"
    if isinstance(block, Markdown):
        rendered = _shift_headings(render_markdown(_xml(block.source)), level)
        return f'<div class="markdown">{rendered}</div>'
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_esc_lines(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>" if items else ""
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in block.headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{_esc_lines(cell)}</td>" for cell in row) + "</tr>"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Note):
        return f'<div class="note" role="note"><p>{_esc_lines(block.text)}</p></div>'
    return _figure_html(block, figure_number)


def _body_html(doc: Document) -> str:
    headings = _headings(doc)
    parts = []
    if doc.cover:
        logo = (
            f'<img class="logo" src="{_data_uri("image/png", doc.logo_png)}" alt="">'
            if doc.logo_png
            else ""
        )
        lines = "".join(f'<p class="cover-line">{_esc(line)}</p>' for line in doc.cover)
        parts.append(f'<header class="cover">{logo}<h1>{_esc(doc.title)}</h1>{lines}</header>')
    else:
        parts.append(f"<h1>{_esc(doc.title)}</h1>")
        if doc.subtitle:
            parts.append(f'<p class="subtitle">{_esc(doc.subtitle)}</p>')
    if doc.contents and headings:
        items = "".join(
            f'<li class="level-{h.section.level}"><a href="#{h.anchor}">{_esc(h.label)}</a></li>'
            for h in headings
            if h.section.level <= doc.contents_depth
        )
        parts.append(
            '<nav class="contents" aria-labelledby="contents-heading">'
            f'<h2 id="contents-heading">Contents</h2><ol>{items}</ol></nav>'
        )
    figure_number = 0
    for heading in headings:
        level = heading.section.level
        tag = f"h{min(level + 1, 6)}"
        parts.append(
            f'<section class="level-{level}{" new-page" if heading.section.new_page else ""}"'
            f' aria-labelledby="{heading.anchor}">'
            f'<{tag} id="{heading.anchor}">{_esc(heading.label)}</{tag}>'
        )
        for block in heading.section.blocks:
            if isinstance(block, Figure):
                figure_number += 1
            parts.append(_block_html(block, figure_number, level))
        parts.append("</section>")
    return "\n".join(parts)


def to_html(doc: Document, *, standalone: bool = True) -> str:
    """Render ``doc`` as HTML.

    ``standalone`` gives a whole page with the print stylesheet in a ``<style>`` element (for
    downloads and for the PDF); otherwise an ``<article>`` fragment without any style, for a
    page of the app (whose CSP forbids inline styles).
    """
    kind = "document compact" if doc.compact else "document"
    body = f'<article class="{kind}">\n{_body_html(doc)}\n</article>'
    if not standalone:
        return body
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(doc.title)}</title>\n<style>\n{PRINT_CSS}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- PDF


def _data_only_fetcher() -> Any:
    """A WeasyPrint fetcher that reads ``data:`` URIs only: never a file or the network.

    Any other URL (say, an image a Markdown field points at) is refused by WeasyPrint's own
    protocol check; WeasyPrint logs it and leaves the resource out of the PDF.
    """
    import weasyprint  # WeasyPrint is slow to import: only when a PDF is made

    return weasyprint.URLFetcher(allowed_protocols=("data",))


def _strip_pdf_metadata(_document: Any, pdf: Any) -> None:
    """Keep only the title in the PDF's Info dictionary (no producer, creator, dates)."""
    for key in list(pdf.info):
        if key != "Title":
            del pdf.info[key]


def to_pdf(doc: Document) -> bytes:
    """Render ``doc`` to PDF bytes with WeasyPrint.

    The only metadata written is the title. Images must be embedded (``data:`` URIs); any
    other URL is not fetched and the resource is left out.
    """
    import weasyprint  # WeasyPrint is slow to import: only when a PDF is made

    page = weasyprint.HTML(string=to_html(doc), url_fetcher=_data_only_fetcher(), base_url=".")
    rendered = page.render()
    metadata = rendered.metadata
    metadata.authors = []
    metadata.description = None
    metadata.keywords = []
    metadata.generator = None
    metadata.created = None
    metadata.modified = None
    # Tagged PDF: headings, lists and tables stay readable by screen readers.
    pdf: bytes = rendered.write_pdf(finisher=_strip_pdf_metadata, pdf_tags=True)
    return pdf


# --------------------------------------------------------------------------- DOCX

_HEADING_STYLE_MAX = 9


def _docx_bookmark(paragraph: Any, name: str, bookmark_id: int) -> None:
    from docx.oxml.ns import qn

    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _docx_link(paragraph: Any, text: str, *, anchor: str = "", url: str = "") -> None:
    """Append a hyperlink run: internal (to a bookmark) or external (to a URL)."""
    from docx.oxml import OxmlElement

    link = OxmlElement("w:hyperlink")
    if anchor:
        link.set(qn("w:anchor"), anchor)
    else:
        rel_id = paragraph.part.relate_to(_xml(url), RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link.set(qn("r:id"), rel_id)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    if not anchor:
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), "1D70B8")
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(colour)
        props.append(underline)
    run.append(props)
    text_element = OxmlElement("w:t")
    text_element.text = _xml(text)
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


_STYLES: dict[int, dict[str, Any]] = {}


def _style(document: Any, name: str) -> Any:
    """The style object called ``name``, or None: python-docx's lookup by name is slow."""
    styles = _STYLES.get(id(document))
    if styles is None:
        styles = {style.name: style for style in document.styles}
        _STYLES[id(document)] = styles
    return styles.get(name)


def _paragraph(document: Any, text: str = "", style: str | None = None) -> Any:
    """A new paragraph; sets the style id directly (python-docx's setter scans every style)."""
    paragraph = document.add_paragraph(_xml(text))
    found = _style(document, style) if style else None
    if found is not None:
        paragraph._p.style = found.style_id
    return paragraph


def _has_style(document: Any, name: str) -> bool:
    return _style(document, name) is not None


def _heading(document: Any, text: str, level: int) -> Any:
    return _paragraph(document, text, "Title" if level == 0 else f"Heading {level}")


def _add_lines(paragraph: Any, text: str, **formatting: bool) -> None:
    for index, line in enumerate(text.splitlines() or [""]):
        run = paragraph.add_run(_xml(line))
        for attribute, value in formatting.items():
            setattr(run, attribute, value)
        if index < len(text.splitlines()) - 1:
            run.add_break()


class _DocxMarkdownWriter(HTMLParser):
    """Write sanitised Markdown HTML into a python-docx document, paragraph by paragraph."""

    def __init__(self, document: Any, heading_level: int) -> None:
        super().__init__(convert_charrefs=True)
        self.document = document
        self.heading_level = heading_level
        self.paragraph: Any = None
        self.paragraph_style: str | None = None
        self.formats: list[str] = []
        self.href = ""
        self.lists: list[str] = []
        self.in_pre = False
        self.quote_depth = 0
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.header_rows = 0

    def _new_paragraph(self, style: str | None = None) -> Any:
        if style is None and self.quote_depth and _has_style(self.document, "Quote"):
            style = "Quote"
        self.paragraph = _paragraph(self.document, "", style)
        return self.paragraph

    def _list_style(self) -> str:
        # An <li> outside any list survives sanitising ("<li>x" alone): treat it as a bullet.
        base = "List Number" if self.lists and self.lists[-1] == "ol" else "List Bullet"
        depth = max(1, min(len(self.lists), 3))
        name = base if depth == 1 else f"{base} {depth}"
        return name if _has_style(self.document, name) else base

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.table is not None:
            if tag == "tr":
                self.table.append([])
            elif tag in {"td", "th"}:
                self.cell = []
            elif tag == "br" and self.cell is not None:
                self.cell.append(" ")
            return
        if tag == "p":
            if not (self.paragraph is not None and self.lists and not self.paragraph.text):
                self._new_paragraph()
        elif tag in {"h2", "h3", "h4", "h5", "h6"}:
            level = min(self.heading_level + int(tag[1]) - 1, _HEADING_STYLE_MAX)
            self.paragraph = _heading(self.document, "", level)
        elif tag in {"ul", "ol"}:
            self.lists.append(tag)
        elif tag == "li":
            self._new_paragraph(self._list_style())
        elif tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.in_pre = True
            self._new_paragraph()
        elif tag in {"strong", "b", "em", "i", "code", "del", "sub", "sup"}:
            self.formats.append(tag)
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag == "dt":
            self._new_paragraph()
            self.formats.append("dt")
        elif tag == "dd":
            self._new_paragraph()
            self.paragraph.paragraph_format.left_indent = 457200  # half an inch, in EMU
        elif tag == "table":
            self.table = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.table is not None:
            rows = [row for row in self.table if row]
            self.table = None
            if rows:
                _docx_table(self.document, rows[0], rows[1:])
            self.paragraph = None
            return
        if self.table is not None:
            if tag in {"td", "th"} and self.cell is not None and self.table:
                self.table[-1].append("".join(self.cell).strip())
                self.cell = None
            return
        if tag in {"p", "li", "pre", "dd", "h2", "h3", "h4", "h5", "h6"}:
            if tag == "pre":
                self.in_pre = False
            self.paragraph = None
        elif tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
            self.paragraph = None
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag == "dt":
            if "dt" in self.formats:
                self.formats.remove("dt")
            self.paragraph = None
        elif tag in {"strong", "b", "em", "i", "code", "del", "sub", "sup"}:
            if tag in self.formats:
                # remove the innermost occurrence
                del self.formats[len(self.formats) - 1 - self.formats[::-1].index(tag)]
        elif tag == "a":
            self.href = ""

    def handle_data(self, data: str) -> None:
        if self.table is not None:
            if self.cell is not None:
                self.cell.append(re.sub(r"\s+", " ", data))
            return
        if not self.in_pre:
            data = re.sub(r"\s+", " ", data)
            if self.paragraph is None:
                if not data.strip():
                    return
                self._new_paragraph()
                data = data.lstrip()
            elif not self.paragraph.text:
                data = data.lstrip()
        if not data:
            return
        if self.href and not self.in_pre:
            _docx_link(self.paragraph, data, url=self.href)
            return
        formats = set(self.formats)
        if self.in_pre:
            formats.add("code")
        lines = data.split("\n")
        for index, line in enumerate(lines):
            run = self.paragraph.add_run(_xml(line))
            run.bold = bool(formats & {"strong", "b", "dt"}) or None
            run.italic = bool(formats & {"em", "i"}) or None
            if "del" in formats:
                run.font.strike = True
            if "sub" in formats:
                run.font.subscript = True
            if "sup" in formats:
                run.font.superscript = True
            if "code" in formats:
                run.font.name = "Courier New"
            if index < len(lines) - 1:
                run.add_break()


def _docx_table(document: Any, headers: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
    from docx.oxml.ns import qn

    headers = list(headers)
    body = [list(row) for row in rows]
    columns = max([len(headers)] + [len(row) for row in body]) or 1
    table = document.add_table(rows=1 + len(body), cols=columns)
    if _has_style(document, "Table Grid"):
        table.style = _style(document, "Table Grid")
    header_row = table.rows[0]
    properties = header_row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for cell, text in zip(header_row.cells, headers, strict=False):
        _add_lines(cell.paragraphs[0], text, bold=True)
    for table_row, row in zip(list(table.rows)[1:], body, strict=True):
        for cell, text in zip(table_row.cells, row[:columns], strict=False):
            _add_lines(cell.paragraphs[0], text)
    document.add_paragraph()


def _blank_core_properties(document: Any, title: str) -> None:
    props = document.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    props.category = ""
    props.content_status = ""
    props.identifier = ""
    props.language = ""
    props.version = ""
    props.title = _xml(title)
    props.revision = 1
    # A fixed timestamp: the generation time is recorded by the app, not inside the file.
    fixed = datetime(2000, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    props.created = fixed
    props.modified = fixed
    props.last_printed = fixed


_APP_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)


def _strip_package_extras(document: Any) -> None:
    """Drop the template's thumbnail, custom XML and app properties (application, company)."""
    package = document.part.package
    for rel in list(package.rels.values()):
        target = rel.target_part if not rel.is_external else None
        if target is None:
            continue
        name = str(target.partname)
        if name.startswith("/docProps/thumbnail") or name.startswith("/docProps/custom"):
            package.rels.pop(rel.rId)
        elif name == "/docProps/app.xml":
            target._blob = _APP_PROPERTIES
    for rel in list(document.part.rels.values()):
        if not rel.is_external and str(rel.target_part.partname).startswith("/customXml"):
            document.part.rels.pop(rel.rId)


def to_docx(doc: Document) -> bytes:
    """Render ``doc`` to DOCX bytes with python-docx.

    Headings use Word's Heading styles (numbered in the text when ``doc.numbered``), the
    contents list links to bookmarks on the headings, Markdown becomes formatted paragraphs,
    lists and tables. Figures need ``png`` (DOCX cannot show SVG): a figure with only ``svg``
    is replaced by a note pointing to the HTML and PDF versions. Core properties are blank
    except the title, revision is 1, and the template's thumbnail and custom XML are dropped.
    """

    document = docx.Document()
    _blank_core_properties(document, doc.title)
    _strip_package_extras(document)
    _a4_with_page_numbers(document, compact=doc.compact)
    if doc.logo_png and doc.cover:
        document.add_picture(io.BytesIO(doc.logo_png), height=Cm(2.5))
    _heading(document, doc.title, 0)
    if doc.cover:
        for line in doc.cover:
            _paragraph(document, line, "Subtitle" if _has_style(document, "Subtitle") else None)
        document.add_page_break()  # type: ignore[no-untyped-call]
    elif doc.subtitle:
        style = "Subtitle" if _has_style(document, "Subtitle") else None
        _paragraph(document, doc.subtitle, style)
    headings = _headings(doc)
    if doc.contents and headings:
        _paragraph(
            document,
            "Contents",
            "TOC Heading" if _has_style(document, "TOC Heading") else "Heading 1",
        )
        # A Word contents field (TOC) whose current result is the list below: Word updates it
        # (page numbers included) when the file is opened, as settings.xml asks.
        entries = []
        for heading in headings:
            if heading.section.level > doc.contents_depth:
                continue
            style = f"toc {heading.section.level}"
            paragraph = _paragraph(document, "", style)
            if not _has_style(document, style):
                paragraph.paragraph_format.left_indent = Cm(0.75 * (heading.section.level - 1))
            _docx_link(paragraph, heading.label, anchor=f"_{heading.anchor.replace('-', '_')}")
            entries.append(paragraph)
        depth = min(doc.contents_depth, _HEADING_STYLE_MAX)
        _wrap_in_field(entries, f'TOC \\o "1-{depth}" \\h \\z \\u')
        _update_fields_on_open(document)
    figure_number = 0
    for bookmark_id, heading in enumerate(headings, start=1):
        level = heading.section.level
        paragraph = _heading(document, heading.label, min(level, _HEADING_STYLE_MAX))
        _docx_bookmark(paragraph, f"_{heading.anchor.replace('-', '_')}", bookmark_id)
        for block in heading.section.blocks:
            if isinstance(block, Paragraph):
                _add_lines(document.add_paragraph(), block.text)
            elif isinstance(block, Markdown):
                writer = _DocxMarkdownWriter(document, level)
                writer.feed(render_markdown(_xml(block.source)))
                writer.close()
            elif isinstance(block, BulletList):
                for item in block.items:
                    _add_lines(_paragraph(document, "", "List Bullet"), item)
            elif isinstance(block, Table):
                _docx_table(document, block.headers, block.rows)
            elif isinstance(block, Note):
                style = "Intense Quote" if _has_style(document, "Intense Quote") else None
                paragraph = _paragraph(document, "", style)
                paragraph.add_run("Note: ").bold = True
                _add_lines(paragraph, block.text)
            elif block.landscape:
                figure_number += 1
                _docx_landscape_figure(document, block, figure_number)
            else:
                figure_number += 1
                _docx_figure(document, block, figure_number, Cm(16))
    _STYLES.pop(id(document), None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


A4_WIDTH, A4_HEIGHT = Cm(21.0), Cm(29.7)


def _field(paragraph: Any, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) at the end of ``paragraph``; Word fills it in."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _a4_with_page_numbers(document: Any, *, compact: bool = False) -> None:
    """A4 portrait with the margins of the PDF, and "Page N of M" centred in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for section in document.sections:
        section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
        margin = Cm(1.5) if compact else Cm(2.0)
        section.left_margin = section.right_margin = margin
        section.top_margin = Cm(1.3) if compact else Cm(2.2)
        section.bottom_margin = Cm(1.5) if compact else Cm(2.4)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("Page ")
        _field(footer, "PAGE")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES")


def _fld_char(kind: str) -> Any:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")
    run.append(char)
    return run


def _wrap_in_field(paragraphs: list[Any], instruction: str) -> None:
    """Make ``paragraphs`` the current result of a complex field with ``instruction``."""
    first, last = paragraphs[0]._p, paragraphs[-1]._p
    begin = _fld_char("begin")
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    separate = _fld_char("separate")
    at = 1 if first.pPr is not None else 0
    for offset, element in enumerate((begin, instr_run, separate)):
        first.insert(at + offset, element)
    last.append(_fld_char("end"))


def _update_fields_on_open(document: Any) -> None:
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _docx_landscape_figure(document: Any, block: Figure, number: int) -> None:
    """The figure on a landscape A4 page of its own, then back to portrait."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    wide = document.add_section(WD_SECTION.NEW_PAGE)
    wide.orientation = WD_ORIENT.LANDSCAPE
    wide.page_width, wide.page_height = A4_HEIGHT, A4_WIDTH
    wide.left_margin = wide.right_margin = Cm(1.5)
    wide.top_margin, wide.bottom_margin = Cm(1.5), Cm(1.8)
    _docx_figure(document, block, number, Cm(26.5))
    tall = document.add_section(WD_SECTION.NEW_PAGE)
    tall.orientation = WD_ORIENT.PORTRAIT
    tall.page_width, tall.page_height = A4_WIDTH, A4_HEIGHT
    tall.left_margin = tall.right_margin = Cm(2.0)
    tall.top_margin, tall.bottom_margin = Cm(2.2), Cm(2.4)


def _docx_figure(document: Any, block: Figure, number: int, width: Any) -> None:
    caption = f"Figure {number}: {block.caption}" if block.caption else f"Figure {number}"
    if block.png is not None:
        document.add_picture(io.BytesIO(block.png), width=width)
        inline = document.inline_shapes[-1]._inline
        inline.docPr.set("descr", _xml(block.caption))
    else:
        _paragraph(
            document,
            "This figure is in the HTML and PDF versions of this document.",
            "Intense Quote",
        )
    style = "Caption" if _has_style(document, "Caption") else None
    _paragraph(document, caption, style)


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def markdown_escape(text: str) -> str:
    """Plain text as Markdown that renders back to the same text (no markup, no HTML)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)


def _escape_marker(marker: str) -> str:
    if marker[0].isdigit():
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def _md_lines(text: str) -> str:
    return "  \n".join(markdown_escape(line) for line in text.splitlines())


def to_markdown(doc: Document) -> str:
    """Render ``doc`` as Markdown: plain text escaped, Markdown blocks as written (or as
    sanitised HTML when they hold raw HTML or links: ``safe_markdown_source``)."""
    headings = _headings(doc)
    parts = [f"# {markdown_escape(doc.title)}"]
    if doc.subtitle:
        parts.append(f"_{markdown_escape(doc.subtitle)}_")
    if doc.contents and headings:
        lines = ["## Contents", ""]
        for heading in headings:
            if heading.section.level > doc.contents_depth:
                continue
            indent = "  " * (heading.section.level - 1)
            lines.append(f"{indent}- [{markdown_escape(heading.label)}](#{heading.anchor})")
        parts.append("\n".join(lines))
    figure_number = 0
    for heading in headings:
        hashes = "#" * min(heading.section.level + 1, 6)
        parts.append(f'<a id="{heading.anchor}"></a>\n\n{hashes} {markdown_escape(heading.label)}')
        for block in heading.section.blocks:
            if isinstance(block, Paragraph):
                parts.append(_md_lines(block.text))
            elif isinstance(block, Markdown):
                parts.append(safe_markdown_source(block.source.strip()))
            elif isinstance(block, BulletList):
                parts.append("\n".join(f"- {_md_cell(item)}" for item in block.items))
            elif isinstance(block, Table):
                parts.append(_md_table(block))
            elif isinstance(block, Note):
                parts.append("\n".join(f"> {line}" for line in _note_lines(block.text)))
            else:
                figure_number += 1
                caption = markdown_escape(block.caption)
                parts.append(
                    f"**Figure {figure_number}:** {caption} "
                    "_(the image is in the HTML, PDF and DOCX versions)_"
                )
    return "\n\n".join(part for part in parts if part) + "\n"


def _note_lines(text: str) -> list[str]:
    lines = [markdown_escape(line) for line in text.splitlines()] or [""]
    lines[0] = f"**Note:** {lines[0]}"
    return lines


def _md_cell(text: str) -> str:
    return markdown_escape(" ".join(text.split()))


def _md_table(table: Table) -> str:
    columns = max([len(table.headers)] + [len(row) for row in table.rows]) or 1
    headers = list(table.headers) + [""] * (columns - len(table.headers))
    lines = [
        "| " + " | ".join(_md_cell(h) for h in headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
    ]
    for row in table.rows:
        cells = list(row) + [""] * (columns - len(row))
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines)
