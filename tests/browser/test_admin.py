"""The site administrator's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_admin_pages_are_accessible(page: Page) -> None:
    sign_in(page, ADMIN)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    assert_accessible(page)

    page.get_by_role("link", name="Users", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    users = page.get_by_role("table", name="All users")
    expect(users.get_by_role("cell", name="chair@demo.example.org", exact=True)).to_be_visible()
    assert_accessible(page)

    page.goto("/admin")
    page.get_by_role("link", name="Partnerships", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/partnerships$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnerships")
    partnership = "Eastmere Safeguarding Children Partnership"
    expect(page.get_by_text(partnership, exact=True)).to_be_visible()
    expect(page.get_by_label(f"Logo of {partnership}")).to_be_visible()  # the report logo
    assert_accessible(page)
