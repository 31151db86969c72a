"""Signing in, a wrong password, and signing out, through the real pages in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    CHAIR,
    DEMO_REVIEW_TITLE,
    LEAD,
    assert_accessible,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_chair_signs_in_and_opens_the_demo_review(page: Page) -> None:
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Learning Review")
    assert_accessible(page)

    page.get_by_label("Email address", exact=True).fill(CHAIR)
    page.get_by_label("Password", exact=True).fill("learning-review-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    expect(page.get_by_text("Signed in as Charlotte Chair")).to_be_visible()
    reviews = page.get_by_role("table", name="Reviews you take part in")
    review_link = reviews.get_by_role("link", name=DEMO_REVIEW_TITLE)
    expect(review_link).to_be_visible()
    assert_accessible(page)

    review_link.click()
    expect(page).to_have_url(re.compile(r"/reviews/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_REVIEW_TITLE)
    expect(page.get_by_text("Your role: Chair")).to_be_visible()
    members = page.get_by_role("table", name="Members of this review")
    expect(members.get_by_role("cell", name="Charlotte Chair", exact=True)).to_be_visible()
    expect(members.get_by_role("cell", name="Leo Lead-Reviewer", exact=True)).to_be_visible()
    agencies = page.get_by_role("table", name="Agencies taking part")
    expect(agencies.get_by_role("cell", name="Eastmere Police", exact=True)).to_be_visible()
    expect(agencies.get_by_role("row")).to_have_count(1 + 8)  # header and the demo's agencies
    people = page.get_by_role("table", name="People in the case")
    expect(people.get_by_role("cell", name="Child F", exact=True)).to_be_visible()
    expect(people.get_by_role("row")).to_have_count(1 + 12)
    # Pseudonyms only: a real name never appears on the overview.
    expect(page.get_by_text("Florence Ashdown")).to_have_count(0)
    assert_accessible(page)


def test_a_wrong_password_shows_the_error_and_does_not_sign_in(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(LEAD)
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_contain_text(
        "The email address or password is not right"
    )
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    # The email is kept; the password is not sent back.
    expect(page.get_by_label("Email address", exact=True)).to_have_value(LEAD)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    assert_accessible(page)

    # Still signed out: the dashboard sends the browser back to the sign-in page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_an_empty_sign_in_form_names_each_missing_field(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter your email address", "Enter your password"]
    )
    # Each message in the summary leads to its field.
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    assert_accessible(page)


def test_sign_out_ends_the_session(page: Page) -> None:
    sign_in(page, CHAIR)
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")

    page.get_by_role("navigation", name="Main menu").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    assert_accessible(page)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in(\?next=(/|%2F))?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Learning Review")
