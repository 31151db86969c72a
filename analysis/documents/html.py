"""A :class:`~analysis.documents.model.Document` as HTML.

:func:`to_html`: standalone HTML with an embedded print stylesheet (a download, not an app
page), or a fragment for a page. Markdown goes through
:func:`analysis.markdown.render_markdown` (nh3); every other text is escaped. Figures are
``<img>`` elements with ``data:`` URIs, so an SVG is never inlined into the page.
"""

from __future__ import annotations

import base64
import html
import re

from analysis.documents.model import (
    Block,
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
