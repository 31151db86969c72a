"""Deleting a factor asks first, and cancelling keeps it."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in


@pytest.mark.browser
def test_deleting_a_factor_asks_first(page: Page, demo_review: str) -> None:
    sign_in(page, "panel@demo.example.org")
    page.goto(f"{demo_review}/factors/new?type=latent_condition")
    label = f"Rota gaps at weekends {uuid.uuid4().hex[:6]}"
    page.get_by_label("Label").fill(label)
    page.get_by_role("button", name="Save factor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    factor_url = page.url
    # The confirmation is a script's: wait until the page (and its scripts) have loaded.
    page.wait_for_load_state("load")

    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(factor_url)
    assert messages and "every link" in messages[0]
    expect(page.get_by_role("heading", level=1)).to_have_text(label)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors$"))
    expect(page.get_by_text(label)).to_have_count(0)
    assert_accessible(page)
