"""The audit trail as a chair uses it: who read real names, filtered, then downloaded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHAIR, DEMO_REVIEW_TITLE, assert_accessible, fill_date, sign_in

pytestmark = pytest.mark.browser


def test_chair_finds_who_read_real_names_and_downloads_the_trail(page: Page) -> None:
    sign_in(page, CHAIR)
    page.get_by_role("link", name=DEMO_REVIEW_TITLE).click()
    page.get_by_role("link", name="Show real names").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People: real names")
    page.go_back()
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    assert_accessible(page)

    page.get_by_label("Kind").select_option(label="Views of real names")
    page.get_by_label("Person").select_option(label="Charlotte Chair (chair@demo.example.org)")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-count")).to_contain_text("match")
    rows = page.locator("table.govuk-table tbody tr")
    expect(rows.first).to_contain_text("view_real_names")
    expect(rows.first).to_contain_text("chair@demo.example.org")
    assert_accessible(page)

    # A range that ends before it starts is refused, keeping what was typed.
    fill_date(page, "From (UTC day)", 2, 5, 2026)
    fill_date(page, "To (UTC day)", 1, 5, 2026)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The end date must be on or after the start date"
    )
    typed = page.get_by_role("group", name="From (UTC day)")
    for box, value in (("Day", "2"), ("Month", "5"), ("Year", "2026")):
        expect(typed.get_by_label(box, exact=True)).to_have_value(value)
    # A date that does not exist is refused naming it, and the wrong box is marked.
    fill_date(page, "To (UTC day)", 31, 4, 2026)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "To (UTC day) must be a real date: April 2026 has no day 31"
    )
    to = page.get_by_role("group", name="To (UTC day)")
    expect(to.get_by_label("Day", exact=True)).to_have_class(re.compile("govuk-input--error"))
    expect(to.get_by_label("Month", exact=True)).not_to_have_class(re.compile("govuk-input--error"))
    assert_accessible(page)

    page.get_by_role("link", name="Clear filters").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries (CSV, without real names)").click()
    assert download.value.suggested_filename.endswith("-audit-trail.csv")
