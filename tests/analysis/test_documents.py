"""Documents render to HTML, PDF, DOCX and Markdown with every text, escaped, without metadata."""

from __future__ import annotations

import html
import io
import re
import struct
import subprocess
import zipfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import docx

from analysis.documents import (
    LOCATION_SEPARATOR as SEP,
)
from analysis.documents import (
    BulletList,
    Document,
    Figure,
    Markdown,
    Note,
    Paragraph,
    Section,
    Table,
    document_text,
    to_docx,
    to_html,
    to_markdown,
    to_pdf,
)

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
    b'<rect width="200" height="60" fill="#eee"/><text x="10" y="30">Latent condition</text></svg>'
)


def _png(width: int = 4, height: int = 2) -> bytes:
    """A small valid grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def sample() -> Document:
    return Document(
        title="Learning review: Child F",
        subtitle="Draft for the panel",
        numbered=True,
        sections=(
            Section(
                "Introduction",
                (
                    Paragraph("Child F lived with Mother and Sibling 1."),
                    Markdown("The review **asked** about _supervision_.\n\n- first point\n"),
                    Note("Names in this report are pseudonyms."),
                ),
            ),
            Section("Findings", ()),
            Section(
                "Handovers between agencies",
                (
                    BulletList(("Health Visitor 1 was not told", "The school nurse was")),
                    Table(("Agency", "Action"), (("Health", "Shared record"), ("Police", "Flag"))),
                    Figure("The AcciMap", svg=SVG, png=PNG),
                ),
                level=2,
            ),
            Section("<script>alert(1)</script>", (Paragraph("<b>not bold</b> & <i>x</i>"),)),
        ),
    )


EXPECTED_TEXT = [
    "Learning review: Child F",
    "1 Introduction",
    "Child F lived with Mother and Sibling 1.",
    "supervision",
    "first point",
    "Names in this report are pseudonyms.",
    "2 Findings",
    "2.1 Handovers between agencies",
    "Health Visitor 1 was not told",
    "Shared record",
    "Figure 1: The AcciMap",
    "3 <script>alert(1)</script>",
    "<b>not bold</b> & <i>x</i>",
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_plain_text_and_sanitises_markdown() -> None:
    page = to_html(sample())
    collector = _Collector()
    collector.feed(page)
    tags = [tag for tag, _ in collector.tags]
    assert "script" not in tags
    assert tags.count("b") == 0 and tags.count("i") == 0  # plain text stays text
    assert "<strong>asked</strong>" in page
    text = " ".join(collector.text)
    assert "3 <script>alert(1)</script>" in text
    assert "<style>" in page and "@page" in page  # standalone carries its print stylesheet


def test_html_contents_list_links_to_numbered_sections() -> None:
    page = to_html(sample())
    anchors = re.findall(r'<a href="#(section-\d)">([^<]+)</a>', page)
    assert [label for _, label in anchors][:3] == [
        "1 Introduction",
        "2 Findings",
        "2.1 Handovers between agencies",
    ]
    for anchor, _ in anchors:
        assert f'id="{anchor}"' in page


def test_html_fragment_has_no_style_and_figure_is_an_image() -> None:
    fragment = to_html(sample(), standalone=False)
    assert "<style" not in fragment and "style=" not in fragment
    assert fragment.startswith('<article class="document">')
    assert '<img src="data:image/svg+xml;base64,' in fragment
    assert "<svg" not in fragment  # never inlined


def test_markdown_headings_sit_below_the_section_heading() -> None:
    doc = Document("X", sections=(Section("S", (Markdown("## Sub\n\ntext"),), level=2),))
    page = to_html(doc, standalone=False)
    assert '<h3 id="section-1">S</h3>' in page and "<h4>Sub</h4>" in page


def test_unnumbered_document_without_contents() -> None:
    doc = Document("Briefing", sections=(Section("What happened", ()),), contents=False)
    page = to_html(doc)
    assert "Contents" not in page
    assert ">What happened</h2>" in page


def test_pdf_contains_every_text_and_no_metadata(tmp_path: Path) -> None:
    pdf = to_pdf(sample())
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for expected in EXPECTED_TEXT:
        assert " ".join(expected.split()) in flat, expected
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in info.splitlines())
    )
    assert fields["Title"] == "Learning review: Child F"
    for key in ("Author", "Creator", "Producer", "Keywords", "Subject", "CreationDate"):
        assert key not in fields, key
    assert b"WeasyPrint" not in pdf
    assert fields["Tagged"] == "yes"  # structure for screen readers


def test_pdf_draws_svg_figures(tmp_path: Path) -> None:
    doc = Document("X", sections=(Section("Appendix", (Figure("The AcciMap", svg=SVG),)),))
    path = tmp_path / "figure.pdf"
    path.write_bytes(to_pdf(doc))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Latent condition" in text  # the SVG's own text, drawn as vector graphics


def test_pdf_refuses_external_resources() -> None:
    doc = Document("X", sections=(Section("S", (Markdown("![x](https://example.org/x.png)"),)),))
    # The sanitiser drops <img>, so nothing external is ever asked for; the page renders.
    assert to_pdf(doc).startswith(b"%PDF")


def _docx_paragraphs(data: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(data))
    rows = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            rows.extend(("table", cell.text) for cell in row.cells)
    return rows


def test_docx_has_headings_contents_and_every_text() -> None:
    data = to_docx(sample())
    paragraphs = _docx_paragraphs(data)
    texts = [text for _, text in paragraphs]
    joined = "\n".join(texts)
    for expected in EXPECTED_TEXT:
        assert expected in joined, expected
    styles = dict((text, style) for style, text in paragraphs)
    assert styles["1 Introduction"] == "Heading 1"
    assert styles["2.1 Handovers between agencies"] == "Heading 2"
    assert styles["first point"] == "List Bullet"
    assert styles["Health Visitor 1 was not told"] == "List Bullet"
    assert texts.count("1 Introduction") == 2  # the contents list and the heading
    document = docx.Document(io.BytesIO(data))
    bold = [run.text for p in document.paragraphs for run in p.runs if run.bold]
    italic = [run.text for p in document.paragraphs for run in p.runs if run.italic]
    assert "asked" in bold and "supervision" in italic
    assert len(document.inline_shapes) == 1


def test_docx_core_properties_are_blank() -> None:
    data = to_docx(sample())
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.author == "" and props.last_modified_by == "" and props.comments == ""
    assert props.title == "Learning review: Child F"
    assert props.revision == 1
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not [n for n in names if n.startswith(("customXml", "docProps/custom", "docProps/thu"))]
    app = zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")
    assert b"Application" not in app and b"Company" not in app


def test_docx_figure_without_png_says_where_it_is() -> None:
    doc = Document("X", sections=(Section("S", (Figure("Graph", svg=SVG),)),))
    texts = [text for _, text in _docx_paragraphs(to_docx(doc))]
    assert "This figure is in the HTML and PDF versions of this document." in texts
    assert "Figure 1: Graph" in texts


def test_markdown_escapes_plain_text_and_keeps_markdown() -> None:
    out = to_markdown(sample())
    assert out.startswith("# Learning review: Child F\n")
    assert "## 1 Introduction" in out and "### 2\\.1 Handovers between agencies" in out
    assert "The review **asked** about _supervision_." in out
    assert "\\<b\\>not bold\\</b\\>" in out
    assert "| Health | Shared record |" in out


def test_document_text_locations() -> None:
    pairs = list(document_text(sample()))
    assert ("Title", "Learning review: Child F") in pairs
    assert (f"2 Findings{SEP}2.1 Handovers between agencies", "Shared record") in pairs
    figure = f"2 Findings{SEP}2.1 Handovers between agencies{SEP}Figure 1"
    assert (figure, "Latent condition") in pairs
    assert ("1 Introduction", "Names in this report are pseudonyms.") in pairs


def _hostile_document() -> Document:
    """Every vector as Markdown; a sample of them in every other kind of block."""
    from tests.xss_vectors import VECTORS

    sample = VECTORS[::15]
    return Document(
        VECTORS[0],
        subtitle=VECTORS[1],
        sections=(
            Section("Markdown", tuple(Markdown(vector) for vector in VECTORS)),
            *(
                Section(
                    vector,
                    (
                        Paragraph(vector),
                        BulletList((vector,)),
                        Table((vector,), ((vector,),)),
                        Note(vector),
                    ),
                )
                for vector in sample
            ),
        ),
    )


def test_xss_vectors_in_every_block_come_out_harmless_in_html() -> None:
    from tests.xss_vectors import unsafe_parts

    assert unsafe_parts(to_html(_hostile_document(), standalone=False)) == []


def test_xss_vectors_render_to_docx_without_script_links() -> None:
    data = to_docx(_hostile_document())
    archive = zipfile.ZipFile(io.BytesIO(data))
    rels = archive.read("word/_rels/document.xml.rels").decode()
    targets = [html.unescape(t) for t in re.findall(r'Target="([^"]*)"', rels)]
    assert targets
    for target in targets:
        squeezed = re.sub(r"[\x00-\x20]+", "", target).lower()
        assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), target
    assert docx.Document(io.BytesIO(data)).paragraphs


def test_word_files_are_a4_with_page_numbers_and_a_contents_field_that_updates() -> None:
    import io as _io

    import docx as _docx

    from analysis.documents import Document, Figure, Paragraph, Section, to_docx

    doc = Document(
        title="Handout",
        sections=(
            Section("One", (Paragraph("Text."),)),
            Section("Deep", (Paragraph("More."),), level=3),
            Section("Wide", (Figure("A wide drawing", png=None, landscape=True),)),
        ),
        contents_depth=2,
    )
    word = _docx.Document(_io.BytesIO(to_docx(doc)))
    sizes = [(round(s.page_width.cm, 1), round(s.page_height.cm, 1)) for s in word.sections]
    assert sizes[0] == (21.0, 29.7)
    assert (29.7, 21.0) in sizes  # the wide figure's landscape page
    assert "PAGE" in word.sections[0].footer._element.xml
    xml = word.element.xml
    assert 'TOC \\o "1-2"' in xml
    assert "updateFields" in word.settings.element.xml
    contents = [p.text for p in word.paragraphs if p.style.name.startswith("toc")]
    assert "Deep" not in " ".join(contents)  # below the contents' depth
    compact = _docx.Document(_io.BytesIO(to_docx(Document(title="Brief", compact=True))))
    assert round(compact.sections[0].page_width.cm, 1) == 21.0  # the briefing too
