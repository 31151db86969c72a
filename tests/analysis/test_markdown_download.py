"""The report's Markdown download is as safe as its HTML: opened in any Markdown reader (which
renders raw HTML as it finds it), no script, event handler or script URL comes to life."""

from __future__ import annotations

import markdown as md
import pytest

from analysis.documents import Document, Markdown, Paragraph, Section, to_markdown
from tests.xss_vectors import VECTORS, unsafe_parts


@pytest.mark.parametrize("chunk", range(3))
def test_markdown_fields_carry_no_active_html_into_the_download(chunk: int) -> None:
    vectors = VECTORS[chunk::3]
    doc = Document(
        title="Test review",
        sections=(Section("Findings", tuple(Markdown(v) for v in vectors)),),
    )
    out = to_markdown(doc)
    # As a Markdown reader shows it: rendered, and nothing removed afterwards.
    rendered = md.markdown(out, extensions=["tables"], output_format="html")
    assert unsafe_parts(rendered) == []
    lowered = out.lower()
    assert "<script" not in lowered and "onerror" not in lowered


def test_plain_markdown_is_kept_as_written() -> None:
    source = "Practitioners **did not** share the referral.\n\n- first\n- second"
    doc = Document(
        title="Test review",
        sections=(Section("Findings", (Markdown(source), Paragraph("Plain text"))),),
    )
    assert source in to_markdown(doc)


def test_a_link_survives_as_sanitised_html() -> None:
    doc = Document(
        title="Test review",
        sections=(
            Section(
                "Findings",
                (Markdown("See [the guidance](https://example.org/guide) first."),),
            ),
        ),
    )
    out = to_markdown(doc)
    assert 'href="https://example.org/guide"' in out
    rendered = md.markdown(out, output_format="html")
    assert "the guidance" in rendered and unsafe_parts(rendered) == []
