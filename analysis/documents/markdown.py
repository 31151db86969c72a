"""A :class:`~analysis.documents.model.Document` as Markdown: :func:`to_markdown`."""

from __future__ import annotations

import re

from analysis.documents.model import (
    BulletList,
    Document,
    Markdown,
    Note,
    Paragraph,
    Table,
    _headings,
)
from analysis.markdown import safe_markdown_source

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
