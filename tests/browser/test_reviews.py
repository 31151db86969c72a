"""Creating and working on a review as its chair, with an axe check on every page visited."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHAIR, DEMO_REVIEW_TITLE, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def _open_demo_review(page: Page) -> None:
    page.get_by_role("link", name=DEMO_REVIEW_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_REVIEW_TITLE)


def test_chair_creates_a_review_and_adds_an_agency_and_a_person(page: Page) -> None:
    title = f"Child Z rapid review {uuid.uuid4().hex[:8]}"
    sign_in(page, CHAIR)
    page.get_by_role("link", name="Create a review").click()
    expect(page).to_have_url(re.compile(r"/reviews/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a review")
    assert_accessible(page)

    # Submit without the required fields: the errors are listed and nothing typed is lost.
    page.get_by_label("Type of review").select_option(label="Rapid review")
    page.get_by_label("Terms of reference").fill("How did agencies share what they knew?")
    page.get_by_role("button", name="Create review").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter a title", "Enter the pseudonym, for example Child Q"]
    )
    expect(page.get_by_label("Type of review")).to_have_value("rapid_review")
    expect(page.get_by_label("Terms of reference")).to_have_value(
        "How did agencies share what they knew?"
    )
    expect(page.get_by_label("Title", exact=True)).to_have_attribute(
        "aria-describedby", "title-error"
    )
    assert_accessible(page)

    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Pseudonym of the child or adult at the centre").fill("Child Z")
    page.get_by_role("button", name="Create review").click()
    expect(page).to_have_url(re.compile(r"/reviews/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Review created. You are its chair.")).to_be_visible()
    expect(page.get_by_text("Rapid review · Child Z")).to_be_visible()
    expect(page.get_by_text("No agencies yet.")).to_be_visible()
    expect(page.get_by_text("No people yet.")).to_be_visible()
    assert_accessible(page)

    # An empty agency form keeps the details open and shows the error.
    page.get_by_text("Add an agency", exact=True).click()
    page.get_by_role("button", name="Add agency").click()
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text(
        "Enter the agency's name"
    )
    expect(page.get_by_label("Agency name")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Agency name").fill("Westmere Police")
    page.get_by_label("Sector").select_option(label="Police")
    page.get_by_role("button", name="Add agency").click()
    expect(page.get_by_text("Westmere Police added to the review.")).to_be_visible()
    agencies = page.get_by_role("table", name="Agencies taking part")
    expect(agencies.get_by_role("cell", name="Westmere Police", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person")
    assert_accessible(page)
    page.get_by_label("Pseudonym", exact=True).fill("Police Officer 1")
    page.get_by_label("Role in the case").select_option(label="Practitioner")
    page.get_by_label("Agency (for a practitioner)").select_option(label="Westmere Police")
    page.get_by_label("Real name (restricted)").fill("PC Invented Name")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Police Officer 1 added to the people register.")).to_be_visible()
    people = page.get_by_role("table", name="People in the case")
    row = people.get_by_role("row").filter(has_text="Police Officer 1")
    expect(row.get_by_role("cell")).to_contain_text(
        ["Police Officer 1", "Practitioner", "Westmere Police"]
    )
    expect(page.get_by_text("PC Invented Name")).to_have_count(0)
    assert_accessible(page)

    # The chair may see and edit the restricted real name.
    row.get_by_role("link", name="Edit Police Officer 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Police Officer 1")
    expect(page.get_by_label("Real name (restricted)")).to_have_value("PC Invented Name")
    agency = page.get_by_label("Agency (for a practitioner)")
    expect(agency.locator("option:checked")).to_have_text("Westmere Police")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # The new review is on the chair's dashboard.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()


def test_the_chairs_other_pages_are_accessible(page: Page) -> None:
    sign_in(page, CHAIR)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Account").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
    assert_accessible(page)

    page.goto("/")
    _open_demo_review(page)
    overview_url = page.url
    page.get_by_role("link", name="Edit review details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit review details")
    expect(page.get_by_label("Title", exact=True)).to_have_value(DEMO_REVIEW_TITLE)
    assert_accessible(page)

    page.goto(overview_url)
    page.get_by_role("link", name="Show real names").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People: real names")
    names = page.get_by_role("table", name="Real names and aliases")
    expect(names.get_by_role("cell", name="Florence Ashdown", exact=True)).to_be_visible()
    assert_accessible(page)

    page.goto(overview_url)
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    # Looking at the real names a moment ago was recorded.
    entries = page.get_by_role("table", name="Audit entries")
    expect(entries.get_by_role("cell", name="view_real_names").first).to_be_visible()
    assert_accessible(page)

    page.goto("/")
    page.get_by_role("link", name="Import a review bundle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a review bundle")
    assert_accessible(page)
