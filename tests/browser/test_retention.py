"""The administrator's retention page: a rule refused, then saved, each page accessible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_admin_sets_how_long_case_data_is_kept(page: Page) -> None:
    sign_in(page, ADMIN)
    page.goto("/admin")
    page.get_by_role("link", name="Retention of case data").click()
    expect(page).to_have_url(re.compile(r"/admin/retention$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention of case data")
    assert_accessible(page)

    years = page.get_by_label("Years to keep a closed review's case data")
    years.fill("150")
    page.get_by_role("button", name="Save the rule").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a number of years from 1 to 100"
    )
    expect(years).to_have_value("150")
    assert_accessible(page)

    years.fill("6")
    page.get_by_role("button", name="Save the rule").click()
    expect(page.get_by_text("Case data of closed reviews is now kept 6 years.")).to_be_visible()
    expect(page.get_by_text("6 years after a review is closed")).to_be_visible()
    assert_accessible(page)
