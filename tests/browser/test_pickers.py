"""Event pickers in a real browser: the search box is a combobox over the events API, used by
keyboard, and the page stays free of WCAG 2.2 AA violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHAIR, assert_accessible, sign_in

pytestmark = pytest.mark.browser

REVIEW = "/reviews/1"


def test_an_account_picks_events_by_typing_and_the_keyboard(page: Page) -> None:
    sign_in(page, CHAIR)
    page.goto(f"{REVIEW}/accounts/new")
    search = page.get_by_role("combobox", name=re.compile("Find an event to add"))
    expect(search).to_be_visible()
    # The no-JavaScript Search button is hidden once the typeahead works.
    expect(page.locator("[data-picker-button]")).to_be_hidden()
    search.fill("E1")
    listbox = page.get_by_role("listbox", name="Matching events")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option").first).to_contain_text("E1 ·")
    expect(search).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    search.press("ArrowDown")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    chosen = page.locator("[data-picker-chosen] input[value='E1']")
    expect(chosen).to_be_checked()
    expect(listbox).to_be_hidden()
    expect(search).to_have_value("")
    assert_accessible(page)
