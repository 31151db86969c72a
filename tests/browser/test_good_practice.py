"""The good-practice register in the demo "Child F": recording an event appraised as
good practice, finding it in the register, the anonymisation check blocking approval of a
real name until it is fixed, approving it and sharing it; an axe check on every page visited.

The browser database lasts the whole session: each test uses unique text and asserts nothing
that another test's additions could change.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from analysis.dates import uk_date
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PANEL = "panel@demo.example.org"
CHAIR = "chair@demo.example.org"
ENTRY_URL = re.compile(r"/good-practice/(\d+)$")


def _unique(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:8]}]"


def test_good_practice_from_an_event_is_found_approved_checked_and_shared(
    page: Page, demo_review: str
) -> None:
    title = _unique("New birth visit with the older child included")
    theme = _unique("Whole family")
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/events/E9")
    page.get_by_role("link", name="Record as good practice").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/good-practice/new\?event=E9$"))
    expect(page.get_by_label("The story")).to_contain_text("New birth visit.")
    expect(
        page.get_by_role("group", name="Events it shows").get_by_label(re.compile(r"^E9 · "))
    ).to_be_checked()
    assert_accessible(page)

    page.get_by_label("Title").fill(title)
    # A real name from the people register, planted by mistake.
    page.get_by_label("The story").fill(
        "Health Visitor 1 made sure Kerry and the older child were both part of the visit."
    )
    page.get_by_label("Themes").fill(f"{theme}, Voice of the child")
    page.get_by_label("Consent to share has been given").check()
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(ENTRY_URL)
    entry_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".govuk-tag")).to_have_text("Draft")
    expect(page.get_by_role("link", name=re.compile(r"^Event E9: "))).to_be_visible()
    assert_accessible(page)

    page.goto("/good-practice")
    page.get_by_label("Theme", exact=True).select_option(label=theme)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="1 entry")).to_be_visible()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    expect(page.locator("#theme-counts + ul")).to_contain_text(f"{theme} (1)")
    assert_accessible(page)

    page.context.clear_cookies()  # sign out, then in as the chair
    sign_in(page, CHAIR)
    page.goto(entry_url)
    # The entry shows what the anonymisation check finds, and approval is refused while it does.
    expect(page.locator("tr.lr-gp-hit mark")).to_have_text("Kerry")
    page.get_by_role("button", name="Approve for sharing").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("could identify someone (register name “Kerry”)")
    expect(summary).to_contain_text("Change the entry, then approve it.")
    expect(page.locator(".govuk-tag")).to_have_text("Draft")
    assert_accessible(page)

    # Fixed at source, it is approved and then shares.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("The story").fill(
        "Health Visitor 1 made sure Mother and the older child were both part of the visit."
    )
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_url(entry_url)
    expect(page.locator("tr.lr-gp-hit")).to_have_count(0)
    page.get_by_role("button", name="Approve for sharing").click()
    expect(page.get_by_text(re.compile(r"approved for sharing\.$"))).to_be_visible()
    expect(page.locator(".govuk-tag")).to_have_text("Approved")
    page.get_by_role("link", name="Record where it was shared").click()
    expect(page.get_by_text("The check found nothing that could identify someone.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Where it was shared").fill("Learning circle")
    page.get_by_label("Date shared").fill("2099-01-01")
    page.get_by_role("button", name="Record as shared").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be in the future")
    expect(page.get_by_label("Date shared")).to_have_value("2099-01-01")
    assert_accessible(page)
    page.get_by_label("Date shared").fill(date.today().isoformat())
    page.get_by_role("button", name="Record as shared").click()
    expect(page).to_have_url(entry_url)
    expect(page.locator(".govuk-tag")).to_have_text("Shared")
    expect(page.get_by_text(f"Learning circle, {uk_date(date.today())}")).to_be_visible()
    assert_accessible(page)


def test_the_review_overview_shows_good_practice_beside_problems(
    page: Page, demo_review: str
) -> None:
    sign_in(page, CHAIR)
    page.goto(demo_review)
    panel = page.get_by_role("region", name="Balance: what went well beside what went wrong")
    expect(panel).to_contain_text("as problematic")
    expect(panel.get_by_role("link", name="The child seen alone, in her own room")).to_be_visible()
    assert_accessible(page)
    panel.get_by_role("link", name="The child seen alone, in her own room").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The child seen alone, in her own room"
    )
    expect(page.get_by_role("link", name=re.compile(r"^Protective factor F30: "))).to_be_visible()
    assert_accessible(page)
