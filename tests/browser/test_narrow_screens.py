"""On a phone-sized screen (390 px) a long chronology table scrolls sideways inside its own
region, not the whole page (WCAG 1.4.10 reflow); axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PANEL = "panel@demo.example.org"


def test_the_chronology_table_scrolls_in_its_region_on_a_phone(
    page: Page, demo_review: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/chronology")
    region = page.get_by_role(
        "region", name="Chronology table (scrolls sideways on a narrow screen)"
    )
    expect(region).to_be_visible()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, f"the page is {page_width} px wide on a 390 px screen"
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the table scrolls inside
    assert_accessible(page)
