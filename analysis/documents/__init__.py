"""A small structured document model and its renderers: HTML, PDF, DOCX and Markdown.

Reports, 7-minute briefings, workshop packs and handouts are built as a :class:`Document` of
:class:`Section` objects holding blocks (:class:`Paragraph`, :class:`Markdown`,
:class:`BulletList`, :class:`Table`, :class:`Figure`, :class:`Note`), then rendered. One module
a concern, every name re-exported here:

- ``model``: the blocks, :class:`Section`, :class:`Document`, :func:`document_text` and
  :func:`document_markdown`.
- ``html``: :func:`to_html`. ``pdf``: :func:`to_pdf`. ``docx``: :func:`to_docx`.
  ``markdown``: :func:`to_markdown`.
"""

from __future__ import annotations

from analysis.documents.docx import A4_HEIGHT, A4_WIDTH, to_docx
from analysis.documents.html import PRINT_CSS, to_html
from analysis.documents.markdown import markdown_escape, to_markdown
from analysis.documents.model import (
    LOCATION_SEPARATOR,
    Block,
    BulletList,
    Document,
    Figure,
    Markdown,
    Note,
    Paragraph,
    Section,
    Table,
    document_markdown,
    document_text,
    svg_texts,
)
from analysis.documents.pdf import to_pdf

__all__ = [
    "A4_HEIGHT",
    "A4_WIDTH",
    "LOCATION_SEPARATOR",
    "PRINT_CSS",
    "Block",
    "BulletList",
    "Document",
    "Figure",
    "Markdown",
    "Note",
    "Paragraph",
    "Section",
    "Table",
    "document_markdown",
    "document_text",
    "markdown_escape",
    "svg_texts",
    "to_docx",
    "to_html",
    "to_markdown",
    "to_pdf",
]
