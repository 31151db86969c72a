"""A :class:`~analysis.documents.model.Document` as DOCX.

:func:`to_docx`: python-docx with real Heading styles, an internal-link contents list,
bullets, tables and PNG figures; core properties blank and revision 1.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from analysis.documents.html import _xml
from analysis.documents.model import (
    BulletList,
    Document,
    Figure,
    Markdown,
    Note,
    Paragraph,
    Table,
    _headings,
)
from analysis.markdown import render_markdown

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
