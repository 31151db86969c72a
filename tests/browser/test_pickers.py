"""Pickers in a real browser: the search box is a combobox over the API's POST search endpoints,
used by keyboard, what is typed never reaches a URL, and the page stays free of WCAG 2.2 AA
violations."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHAIR, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_an_account_picks_events_by_typing_and_the_keyboard(page: Page, demo_review: str) -> None:
    sign_in(page, CHAIR)
    # An event earlier than E1 that only contains "E1": the event whose ref was typed still
    # comes first.
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("link", name="Add an event").click()
    page.get_by_label("When", exact=True).fill("01/01/2000")
    page.get_by_label("What happened").fill("Letter to the old flat in London E1 came back.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/E\d+$"))
    page.goto(f"{demo_review}/accounts/new")
    search = page.get_by_role("combobox", name=re.compile("Find an event to add"))
    expect(search).to_be_visible()
    # The no-JavaScript Search button is hidden once the typeahead works.
    expect(page.locator("[data-picker-button]:visible")).to_have_count(0)
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


def test_a_finding_picks_a_factor_by_keyboard_and_the_typed_words_never_reach_a_url(
    page: Page, demo_review: str
) -> None:
    typed = "June 2023 call"
    urls: list[str] = []
    searches: list[str] = []

    def record(request: Any) -> None:
        urls.append(request.url)
        if request.method == "POST" and request.url.endswith("/factors/search"):
            searches.append(request.post_data or "")

    page.on("request", record)
    sign_in(page, CHAIR)
    page.goto(f"{demo_review}/findings/new")
    page.get_by_label("Title").fill("Men in the household go unidentified")
    search = page.get_by_role("combobox", name=re.compile("Find a factor to add"))
    expect(page.locator("[data-picker-button]:visible")).to_have_count(0)
    search.fill(typed)
    listbox = page.get_by_role("listbox", name="Matching factors")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option").first).to_contain_text("F1 · Active failure")
    assert_accessible(page)
    search.press("ArrowDown")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    expect(page.locator("[data-picker-chosen] input[value='F1']")).to_be_checked()
    expect(search).to_have_value("")
    assert_accessible(page)
    page.get_by_role("button", name="Save finding").click()
    expect(
        page.get_by_text("Man present at the June 2023 call not identified").first
    ).to_be_visible()
    assert re.search(r"/findings/FN\d+$", page.url), page.url
    # The search was asked for in a POST body, and no URL ever held the words typed.
    assert searches and all(typed in body for body in searches), searches
    words = [typed.casefold(), "june 2023", "june%202023", "june+2023"]
    leaks = [url for url in urls if any(w in unquote_plus(url).casefold() for w in words[:2])]
    leaks += [url for url in urls if any(w in url.casefold() for w in words[2:])]
    assert leaks == [], leaks


def test_the_graph_searches_for_an_event_without_putting_the_words_in_the_url(
    page: Page, demo_review: str
) -> None:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    sign_in(page, CHAIR)
    page.goto(f"{demo_review}/graph")
    search = page.get_by_role("combobox", name=re.compile("Find an event to add"))
    search.fill("E24")
    listbox = page.get_by_role("listbox", name="Matching events")
    expect(listbox.get_by_role("option").first).to_contain_text("E24 ·")
    search.press("ArrowDown")
    search.press("Enter")
    page.get_by_role("button", name="Draw this event").click()
    expect(page.locator(".lr-graph-figure figcaption")).to_contain_text("event E24")
    assert "ref=E24" in page.url and "ref-q" not in page.url, page.url
    assert not [url for url in urls if "E24" in url and "ref=E24" not in url], urls
    assert_accessible(page)
