"""Searching in a real browser: the words typed never appear in a URL the browser requests or
shows (access logs, proxies and history keep URLs), yet the search, its paging and its
downloads work; axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import DEMO_REVIEW_TITLE, assert_accessible, sign_in

pytestmark = pytest.mark.browser

PANEL = "panel@demo.example.org"
WORD = "strategy"
NAME = "Kerry Ashdown"  # the demo mother's (fictional) real name


def _open_chronology(page: Page) -> None:
    page.get_by_role("link", name=DEMO_REVIEW_TITLE).first.click()
    page.get_by_role("link", name="Chronology", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology")


def test_the_chronology_search_never_puts_its_words_in_a_url(page: Page) -> None:
    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    page.on("request", note)
    sign_in(page, PANEL)
    _open_chronology(page)
    page.get_by_label("Text", exact=True).fill(WORD)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/chronology\?search=[\w-]+$"))
    table = page.locator("table").filter(has=page.locator("caption"))
    expect(table.locator("caption")).to_have_text(re.compile(r"^\d+ events?"))
    expect(table.locator("tbody tr").first).to_contain_text(re.compile(WORD, re.IGNORECASE))
    expect(page.get_by_label("Text", exact=True)).to_have_value(WORD)
    assert_accessible(page)

    # A real name searched for, with another filter: the filter is in the URL, the name is not.
    page.get_by_label("Text", exact=True).fill(NAME)
    page.get_by_label("Agency", exact=True).select_option(label="Eastmere Police")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"agency=POL"))
    expect(page.get_by_label("Text", exact=True)).to_have_value(NAME)
    # The browser's history entry and every request made are free of the words.
    assert WORD not in page.url and "Ashdown" not in page.url
    leaks = [u for u in requested if WORD in u.lower() or "ashdown" in u.lower()]
    assert not leaks, leaks


def test_the_good_practice_register_search_keeps_its_words_on_the_server(page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, PANEL)
    page.goto("/good-practice")
    page.get_by_label("Search the text").fill(NAME)
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"/good-practice\?search=[\w-]+$"))
    expect(page.get_by_label("Search the text")).to_have_value(NAME)
    assert_accessible(page)
    assert not [u for u in requested if "ashdown" in u.lower()]
