"""The report's journey in the demo review "Child F": write a finding, generate the report
(a background job whose page shows progress), see the publication gate block a planted NHS
number, fix it at its source, have a second person approve, publish, and read the public
edition signed out. axe checks every page on the way; the published PDF's pages are written
as PNG images to test-artifacts/ for a reviewer to look at.

The browser database lasts the session, so the finding's title is unique and version numbers
are read from the page, never assumed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHAIR, LEAD, TIMEOUT_MS, assert_accessible, sign_in

pytestmark = pytest.mark.browser

NHS_NUMBER = "943 476 5919"  # a valid checksum
RENDER_MS = 180_000  # generating a whole report (PDF included) on a busy machine
JOB_URL = re.compile(r"/jobs/\d+$")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _version_url(review: str) -> re.Pattern[str]:
    return re.compile(rf"{review}/reports/(\d+)$")


def _finding_url(review: str) -> re.Pattern[str]:
    return re.compile(rf"{review}/findings/(FN\d+)$")


def _generate(page: Page, demo_review: str, *, check_progress_page: bool = False) -> str:
    page.goto(f"{demo_review}/reports")
    assert_accessible(page)
    page.get_by_role("button", name="Generate a new version").click()
    # The request answers at once; the job's page follows the work and moves on by itself.
    page.wait_for_url(JOB_URL)
    if check_progress_page:
        expect(page.get_by_role("heading", level=1)).to_have_text("Generating the report")
        assert_accessible(page)
    page.wait_for_url(_version_url(demo_review), timeout=RENDER_MS)
    match = _version_url(demo_review).search(page.url)
    assert match
    return match.group(1)


def _publish(page: Page, number: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Publish version {number}").click()
    page.wait_for_load_state("load")


def test_a_finding_is_reported_gated_approved_by_a_second_person_and_published(
    page: Page, browser: Browser, live_server: str, demo_review: str
) -> None:
    title = f"Repeat incidents are not seen as a pattern [{uuid.uuid4().hex[:8]}]"
    sign_in(page, LEAD)
    page.goto(f"{demo_review}/findings/new")
    assert_accessible(page)
    page.get_by_label("Title").fill(title)
    page.get_by_label("How we know").fill(f"The hospital record (NHS number {NHS_NUMBER}).")
    page.get_by_label("Questions for the board").fill("Who sees the pattern?")
    factors = page.get_by_role("group", name="Factors it rests on")
    for ref in ("F14", "F23"):
        factors.get_by_role("combobox").fill(ref)
        factors.get_by_role("option", name=re.compile(rf"^{ref} · ")).click()
        expect(factors.locator(f"[data-picker-chosen] input[value='{ref}']")).to_be_checked()
    page.get_by_role("button", name="Save finding").click()
    page.wait_for_url(_finding_url(demo_review))
    finding_ref = _finding_url(demo_review).search(page.url).group(1)  # type: ignore[union-attr]
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(page)
    page.goto(f"{demo_review}/findings")
    expect(page.get_by_role("link", name=re.compile(re.escape(title)))).to_be_visible()
    assert_accessible(page)

    blocked = _generate(page, demo_review, check_progress_page=True)
    hits = page.locator("#hits")
    expect(hits).to_contain_text(NHS_NUMBER)
    expect(hits).to_contain_text("NHS number")
    expect(hits).to_contain_text("How we know")
    assert_accessible(page)
    # The gate's buttons tell the truth: nothing offers to approve or publish it.
    expect(page.locator(".govuk-warning-text")).to_contain_text("cannot be published")
    expect(page.get_by_role("button", name=f"Publish version {blocked}")).to_have_count(0)
    expect(page.get_by_role("button", name=f"Approve version {blocked}")).to_have_count(0)
    expect(page.locator("#published")).to_have_text("Not published")
    expect(page.locator("#left-out-list")).to_contain_text("chronology")

    # Fix it where it came from, then generate again: clean, waiting for approval.
    page.goto(f"{demo_review}/findings/{finding_ref}/edit")
    page.get_by_label("How we know").fill("The hospital record shows two visits.")
    page.get_by_role("button", name="Save finding").click()
    page.wait_for_url(_finding_url(demo_review))
    clean = _generate(page, demo_review)
    expect(page.locator("#scan-clean")).to_be_visible()
    expect(page.get_by_role("button", name=f"Approve version {clean}")).to_have_count(0)
    expect(page.get_by_role("button", name=f"Publish version {clean}")).to_have_count(0)
    expect(page.locator("#gate")).to_contain_text("a board member other than its author")

    # A second person, in their own browser context, approves and publishes.
    chair_context = browser.new_context(base_url=live_server, bypass_csp=True, locale="en-GB")
    chair_context.set_default_timeout(TIMEOUT_MS)
    chair = chair_context.new_page()
    try:
        sign_in(chair, CHAIR)
        chair.goto(f"{demo_review}/reports/{clean}")
        assert_accessible(chair)
        chair.get_by_role("button", name=f"Approve version {clean}").click()
        expect(chair.locator("#approval")).to_contain_text("Approved by Charlotte Chair")
        _publish(chair, clean)
        expect(chair.locator("#published")).to_contain_text("Published")
        assert_accessible(chair)
        public_url = chair.get_by_role("link", name="the partnership's public page").get_attribute(
            "href"
        )
    finally:
        chair_context.close()
    assert public_url

    # Anyone can read it, signed out; the blocked draft stays out of sight.
    reader_context = browser.new_context(base_url=live_server, bypass_csp=True, locale="en-GB")
    reader_context.set_default_timeout(TIMEOUT_MS)
    reader = reader_context.new_page()
    try:
        reader.goto(public_url)
        expect(reader.get_by_role("heading", level=1)).to_have_text("Published reviews")
        pdf_link = reader.get_by_role("link", name=re.compile("PDF")).first.get_attribute("href")
        assert pdf_link
        _write_pages(reader.request.get(pdf_link).body())
        assert_accessible(reader)
        reader.get_by_role("link", name=re.compile("Read the report")).first.click()
        reader.wait_for_url(re.compile(r"/p/\d+/reports/\d+$"))
        expect(reader.locator("body")).to_contain_text(title)
        expect(reader.locator("body")).to_contain_text("Executive summary")
        expect(reader.locator("body")).not_to_contain_text(NHS_NUMBER)
        expect(reader.locator("body")).not_to_contain_text("Florence")  # the child's real name
        expect(reader.locator("body")).not_to_contain_text(finding_ref)  # no internal refs
        assert_accessible(reader)
        # The published file itself (what a reader downloads or opens) passes axe too.
        reader.goto(reader.url + ".html")
        expect(reader.locator("body")).to_contain_text(title)
        expect(reader.locator("body")).not_to_contain_text(NHS_NUMBER)
        assert_accessible(reader)
        response = reader.goto(f"{demo_review}/reports/{blocked}.html")
        assert response is not None and "/sign-in" in reader.url
    finally:
        reader_context.close()


def _write_pages(pdf: bytes) -> None:
    """The published PDF and its pages as PNG images, in test-artifacts/ for a reviewer."""
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("published-report*"):
        old.unlink()
    path = ARTIFACTS / "published-report.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            shutil.which("pdftoppm") or "pdftoppm",
            "-r",
            "60",
            "-png",
            str(path),
            str(path.with_suffix("")),
        ],
        check=True,
        capture_output=True,
    )
    assert list(ARTIFACTS.glob("published-report-*.png"))
