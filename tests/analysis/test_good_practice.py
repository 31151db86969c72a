"""The register's documents: the 7-minute briefing, one entry as shared, and the bulletin."""

from __future__ import annotations

import pytest

from analysis.anonymise.model import RegisterPerson
from analysis.documents.model import BulletList, Document, Note, document_text
from analysis.good_practice import (
    BriefingEntry,
    briefing_document,
    bulletin_html,
    entry_document,
    pseudonymised,
)

SHARED = BriefingEntry(
    ref="GP1",
    title="Child seen alone",
    story="The social worker saw Child Q alone.\n\nA second paragraph.",
    what_made_it_work="Time planned for it.",
    agency="Northshire Children's Social Care",
    themes=("Voice of the child", "Direct work"),
    four_d=(("dream", "Every child seen alone."), ("deliver", "Add it to the form.")),
    is_draft=False,
)
DRAFT = BriefingEntry(
    ref="GP2", title="Quick referral", story="Same day.", themes=("Voice of the child",)
)


def _texts(document: Document) -> str:
    return "\n".join(text for _where, text in document_text(document))


def test_the_briefing_has_the_five_parts_in_order() -> None:
    document = briefing_document([SHARED], title="Briefing")
    assert [s.heading for s in document.sections] == [
        "What happened, in brief",
        "Why it matters",
        "What worked",
        "What to do next",
        "Questions to reflect on",
    ]
    text = _texts(document)
    assert "A second paragraph." not in text  # "in brief": the first paragraph only
    assert "Every child seen alone." in text and "Add it to the form." in text
    assert "Voice of the child (1)" in text
    assert "DRAFT" not in text and not document.subtitle.startswith("DRAFT")


def test_drafts_are_marked_in_the_briefing() -> None:
    document = briefing_document([SHARED, DRAFT], title="Briefing", subtitle="Child Q")
    assert document.subtitle == "DRAFT: Child Q"
    text = _texts(document)
    assert "DRAFT: 1 of 2 entries is not yet approved for sharing" in text
    assert "[Draft] Quick referral" in text


def test_reflection_questions_lead_with_the_commonest_theme() -> None:
    document = briefing_document([SHARED, DRAFT], title="Briefing")
    block = document.sections[-1].blocks[0]
    assert isinstance(block, BulletList)
    questions = block.items
    assert questions[0].startswith("Where does “Voice of the child” happen")


def test_an_entry_document_holds_everything_the_scanner_must_read() -> None:
    text = _texts(entry_document(SHARED))
    for part in (
        "Child seen alone",
        "Time planned for it.",
        "Every child seen alone.",
        "Direct work",
    ):
        assert part in text


def test_pseudonyms_replace_real_names_in_every_field() -> None:
    entry = BriefingEntry(
        ref="GP3",
        title="Zara Quillfeather's teacher listened",
        story="Zara told her teacher.",
        four_d=(("discover", "Zara spoke up."),),
    )
    register = [RegisterPerson("Child Q", ("Zara Quillfeather",))]
    out = pseudonymised(entry, register)
    assert "Zara" not in f"{out.title} {out.story} {out.four_d}"
    assert out.story == "Child Q told her teacher."


def test_the_bulletin_escapes_text_and_sanitises_markdown() -> None:
    hostile = BriefingEntry(
        ref="GP4",
        title="<script>alert(1)</script>",
        story="Fine **bold** <img src=x onerror=alert(1)>",
        is_draft=False,
    )
    html = bulletin_html([hostile], title="Bulletin")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "onerror" not in html and "<strong>bold</strong>" in html
    assert bulletin_html([], title="Bulletin").count("Nothing new has been shared.") == 1


@pytest.mark.parametrize(
    ("drafts", "total", "banner"),
    [(1, 1, "1 of 1 entry is"), (1, 2, "1 of 2 entries is"), (2, 3, "2 of 3 entries are")],
)
def test_the_draft_banner_agrees_with_the_number_of_drafts(
    drafts: int, total: int, banner: str
) -> None:
    entries = [
        BriefingEntry(ref=f"GP{n}", title=f"Entry {n}", story="s", is_draft=n < drafts)
        for n in range(total)
    ]
    note = briefing_document(entries, title="t").sections[0].blocks[0]
    assert isinstance(note, Note)
    assert note.text.startswith(f"DRAFT: {banner} not yet approved for sharing.")


def test_the_briefing_keeps_lists_and_whole_sentences_while_space_is_left() -> None:
    from analysis.good_practice import _first_paragraph, _trimmed

    summary = (
        "The review looked at how agencies worked together.\n\n"
        "- What did each agency know?\n- What made it hard to see the whole picture?\n\n"
        "It heard from the family. It heard from practitioners at two learning events, and "
        "it read every agency's records of the family over three years."
    )
    opening = _first_paragraph(summary, 180)
    assert "\n- What did each agency know?\n- What made it hard" in opening  # still a list
    assert opening.endswith("It heard from the family.")  # whole sentences, no "…"
    assert "…" not in opening
    assert _trimmed("Short first. A second sentence that would not fit at all here.", 30) == (
        "Short first."
    )
    # Only a first sentence longer than the space is cut, at a word.
    assert _trimmed("One long sentence with no full stop anywhere in it at all", 25).endswith("…")
