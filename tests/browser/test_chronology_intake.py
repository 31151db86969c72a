"""A social-care Word table imported as agencies send it: its own column names and Source
labels, a `?/03/2024` date, a row fixed in the preview, then the whole import undone and
restored; axe-checked on every page. The demo review's names are fictional."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PANEL = "panel@demo.example.org"


def _word_table(path: Path, rows: list[list[str]]) -> None:
    document = docx.Document()
    document.add_paragraph("Eastmere Children's Social Care: chronology for the review.")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.save(str(path))


def test_a_word_table_is_mapped_fixed_imported_and_undone(
    page: Page, tmp_path: Path, demo_review: str
) -> None:
    tag = uuid.uuid4().hex[:8]
    upload = tmp_path / f"csc-{tag}.docx"
    _word_table(
        upload,
        [
            ["Date", "Time", "Source", "Event", "Action/Outcome"],
            [
                "02/02/2024",
                "16:20",
                "MASH",
                f"Referral about Flo from school [{tag}].",
                "Strategy discussion to be held.",
            ],
            [
                "?/03/2024",
                "",
                "Early Help",
                f"Family support worker visits [{tag}].",
                "Early Help plan agreed.",
            ],
            [
                "31/02/2024",
                "",
                "Social Worker",
                f"Home visit by the social worker [{tag}].",
                "No further action.",
            ],
        ],
    )
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/chronology/import")
    page.get_by_label(re.compile(r"^Chronology file")).set_input_files(upload)
    page.get_by_label("All rows are from this agency").select_option(
        label="Eastmere Children's Social Care"
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.get_by_text(f"csc-{tag}.docx: 3 rows, 2 ready to store, 1 problem")).to_be_visible()
    # The columns as guessed, each with a dropdown; the agency's own Source names are no error.
    expect(page.get_by_label("Action/Outcome")).to_have_value("outcome")
    expect(page.get_by_label("Time", exact=True)).to_have_value("time")
    preview = page.get_by_role("table", name="Preview of rows")
    expect(preview).to_contain_text("2 Feb 2024 16:20")
    expect(preview).to_contain_text("Mar 2024")
    expect(preview).to_contain_text("written “?/03/2024”")
    expect(preview).to_contain_text("MASH")
    expect(page.locator("#linked-people")).to_contain_text("Child F")
    assert_accessible(page)

    # Fix the impossible date in place.
    card = page.locator("#row-4")
    expect(card).to_contain_text("'31/02/2024' is not a real date")
    card.get_by_label("Date").fill("28/02/2024")
    card.get_by_role("button", name="Save row 4").click()
    expect(
        page.get_by_text("Row 4 was read again with your changes: it is ready to import.")
    ).to_be_visible()
    expect(page.get_by_text(f"csc-{tag}.docx: 3 rows, 3 ready to store.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import 3 events").click()
    expect(page.get_by_text(f"3 events imported from csc-{tag}.docx.")).to_be_visible()

    page.goto(f"{demo_review}/chronology?q={tag}")
    expect(page.get_by_text(f"Home visit by the social worker [{tag}].")).to_be_visible()
    expect(page.get_by_text("Strategy discussion to be held.")).to_be_visible()

    # Undo the whole import, then restore it.
    page.goto(f"{demo_review}/chronology/imports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported chronologies")
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text=f"csc-{tag}.docx")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("Undo import")).click()
    expect(page.get_by_text(re.compile(r"3 events taken out of the chronology"))).to_be_visible()
    assert_accessible(page)
    page.goto(f"{demo_review}/chronology?q={tag}")
    expect(page.get_by_text("No events match.")).to_be_visible()
    page.goto(f"{demo_review}/chronology/imports")
    page.get_by_role("row").filter(has_text=f"csc-{tag}.docx").get_by_role(
        "button", name=re.compile("Restore")
    ).click()
    expect(page.get_by_text(f"3 events from csc-{tag}.docx restored.")).to_be_visible()
