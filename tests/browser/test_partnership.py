"""The partnership's view in the demo, as its business manager: the dashboard of statutory
clocks (recording a milestone met), the action tracker (moving a due date and seeing its
history) and the recurring patterns and thematic review pages; axe on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from analysis.dates import uk_date
from tests.browser.conftest import assert_accessible, fill_date, sign_in

pytestmark = pytest.mark.browser

MANAGER = "manager@demo.example.org"
BUNDLES = Path(__file__).resolve().parents[1] / "data" / "recurring"


def test_business_manager_records_a_milestone_and_moves_a_due_date(page: Page) -> None:
    sign_in(page, MANAGER)
    page.get_by_role("link", name="Partnership").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership reviews")
    assert_accessible(page)

    review = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Child F")))
    notified = review.locator('tr[data-milestone="panel_notification"]')
    review.get_by_text("Record a milestone met").click()
    review.get_by_label("Milestone").select_option(label="Panel notified")
    fill_date(review, "Date it was met", 28, 3, 2025)
    review.get_by_role("button", name=re.compile("^Record")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Panel notified: recorded")
    expect(notified).to_contain_text("28 Mar 2025")
    expect(notified).to_contain_text("Done")
    assert_accessible(page)

    page.get_by_role("link", name="Action tracker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action tracker")
    assert_accessible(page)
    child_f_row = page.locator("#tracker tr", has_text="Child F")
    child_f_row.get_by_role("link", name="A1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action A1")
    old_due = page.locator("#due dd").inner_text().split("\n")[0].strip()
    new_due = date.today() + timedelta(days=400)
    fill_date(page, "New due date", new_due.day, new_due.month, new_due.year)
    page.get_by_role("button", name="Change due date").click()
    expect(page.locator("#due dd")).to_contain_text(uk_date(new_due))
    expect(page.locator("#due dd")).to_contain_text(f"was {old_due}")
    expect(page.locator("#due-history")).to_contain_text(f"{old_due} → {uk_date(new_due)}")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the action tracker").click()
    row = page.locator("#tracker tr", has_text="Child F").filter(
        has=page.get_by_role("link", name="A1", exact=True)
    )
    expect(row).to_contain_text(f"was {old_due}")


def test_published_reviews_imported_show_patterns_over_time(page: Page) -> None:
    """The manager imports four fictional published reviews; their recurring patterns are
    drawn over time beside a table, and compared in a thematic review."""
    sign_in(page, MANAGER)
    for letter in "abcd":
        page.goto("/reviews/import")
        page.locator('input[type="file"]').set_input_files(str(BUNDLES / f"review_{letter}.json"))
        page.get_by_role("button", name=re.compile("Import")).click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Review imported")
    page.goto("/partnership/recurring")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recurring patterns")
    expect(page.locator(".lr-chart svg")).to_be_visible()
    expect(page.locator("#chart-table")).to_contain_text("face value")
    expect(page.get_by_text("Stubborn").first).to_be_visible()
    assert_accessible(page)
    page.goto("/partnership/thematic")
    page.get_by_label(re.compile("^Child Alder")).check()
    page.get_by_label(re.compile("^Child Birch")).check()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#side-by-side")).to_contain_text("accepted")
    assert_accessible(page)


def test_the_action_tracker_fits_a_390_pixel_screen(page: Page, live_server: str) -> None:
    sign_in(page, MANAGER)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/partnership/actions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action tracker")
    region = page.get_by_role("region", name=re.compile("^Action tracker table"))
    expect(region).to_be_visible()
    # The page itself does not scroll sideways: the table scrolls inside its region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    region.focus()
    expect(region).to_be_focused()
    assert_accessible(page)
