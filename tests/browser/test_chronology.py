"""The chronology of the demo review "Child F": the table and its filters, events,
the lost-update guard, the timeline, who knew what, merging, importing and live updates, with
an axe check on every page visited.

The browser database lasts the whole session, so each test works on its own events (or creates
what it needs, with unique text) and asserts nothing that another test's additions could change.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from analysis.chronology.dates.parsing import parse_when
from app.services.chronology import create_event
from app.services.reviews import add_agency, create_review
from models import User
from models.audit.chain import Actor
from tests.browser.conftest import (
    CHAIR,
    DEMO_REVIEW_TITLE,
    POLL_WAIT_MS,
    TIMEOUT_MS,
    assert_accessible,
    sign_in,
    wait_for_polls,
)

pytestmark = pytest.mark.browser

PANEL = "panel@demo.example.org"


def _unique(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:8]}]"


@contextmanager
def _signed_in_page(browser: Browser, live_server: str, email: str) -> Iterator[Page]:
    """A page in a browser context of its own (a second user), signed in as ``email``."""
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, email)
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the second page: {errors}"


def _column(table: Locator, header: str) -> Locator:
    """The body cells of ``table`` under the column headed ``header``."""
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    return table.locator(f"tbody tr td:nth-child({headers.index(header) + 1})")


def _events_table(page: Page) -> Locator:
    return page.get_by_role("table").filter(
        has=page.locator("caption", has_text=re.compile(r"\d+ events?\b"))
    )


def _add_event(page: Page, demo_review: str, date: str, description: str) -> str:
    """Add an event to the demo review through the "Add an event" form; returns its ref."""
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("link", name="Add an event").click()
    page.get_by_label("When", exact=True).fill(date)
    page.get_by_label("What happened").fill(description)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/E\d+$"))
    return page.url.rsplit("/", 1)[1]


def test_panel_member_filters_the_chronology_and_comments_on_an_event(
    page: Page, demo_review: str
) -> None:
    sign_in(page, PANEL)
    page.get_by_role("link", name=DEMO_REVIEW_TITLE).click()
    page.get_by_role("link", name="Chronology", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/chronology$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology")
    table = _events_table(page)
    # The demo has 83 events, 50 to a page.
    expect(table.locator("caption")).to_have_text(re.compile(r"^\d+ events, page 1 of \d+$"))
    expect(table.locator("tbody tr")).to_have_count(50)
    expect(table.get_by_role("link", name="E1", exact=True)).to_be_visible()
    assert_accessible(page)

    # Only Eastmere Police's events.
    page.get_by_label("Agency", exact=True).select_option(label="Eastmere Police")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]agency=POL(&|$)"))
    agencies = _column(table, "Agency")
    expect(agencies.first).to_be_visible()
    assert set(agencies.all_inner_texts()) == {"Eastmere Police"}
    police_total = int(table.locator("caption").inner_text().split()[0])
    assert 1 < police_total < 50

    # As known at the end of June 2023: the later police events are hidden, and the page says so.
    page.get_by_label("As known at").fill("2023-06-30")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"known_at=2023-06-30"))
    expect(page.get_by_label("Agency", exact=True)).to_have_value("POL")
    note = page.locator("#hindsight-note")
    expect(note).to_have_class(re.compile(r"\bgovuk-inset-text\b"))
    expect(note).to_have_text(
        re.compile(
            r"^Showing the chronology as known at 30 Jun 2023: (\d+) later events? hidden\.$"
        )
    )
    hidden = int(re.search(r": (\d+) later", note.inner_text()).group(1))  # type: ignore[union-attr]
    shown = int(table.locator("caption").inner_text().split()[0])
    assert hidden > 0
    assert shown > 0
    assert shown + hidden == police_total
    assert set(agencies.all_inner_texts()) == {"Eastmere Police"}
    for when in _column(table, "When").all_inner_texts():
        assert not re.search(r"\b(2024|2025)\b", when), when
        assert not re.search(r"\b(Jul|Aug|Sep|Oct|Nov|Dec) 2023\b", when), when
    assert_accessible(page)

    # Open the first event shown: its details, its history and a new comment.
    first = table.locator("tbody tr").first.get_by_role("link")
    ref = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/{ref}$"))
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Event {ref}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Eastmere Police")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    history = page.locator(".lr-history > li")
    expect(history.last).to_contain_text("Version 1: Added by")
    expect(page.get_by_text("No comments yet.")).to_be_visible()
    assert_accessible(page)

    comment = _unique("Was the man present ever identified?")
    page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Add comment").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/{ref}#comments$"))
    expect(page.get_by_text("Comment added.")).to_be_visible()
    added = page.locator(".lr-comment").filter(has_text=comment)
    expect(added).to_have_count(1)
    expect(added).to_contain_text("Pat Panel")
    expect(page.get_by_text("No comments yet.")).to_have_count(0)
    assert_accessible(page)


def test_adding_an_event_with_a_bad_date_keeps_what_was_typed(page: Page, demo_review: str) -> None:
    description = _unique("Mother phones the health visitor to cancel a visit.")
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("link", name="Add an event").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an event")
    assert_accessible(page)

    page.get_by_label("When", exact=True).fill("31/02/2011")
    page.get_by_label("What happened").fill(description)
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(re.compile(r"'31/02/2011' is not a real date"))
    expect(summary.get_by_role("link")).to_have_attribute("href", "#date")
    date = page.get_by_label("When", exact=True)
    expect(date).to_have_value("31/02/2011")
    expect(date).to_have_attribute("aria-describedby", "date-hint date-error")
    expect(page.locator("#date-error")).to_contain_text("is not a real date")
    expect(page.get_by_label("What happened")).to_have_value(description)
    assert_accessible(page)

    date.fill("14/01/2011")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/E\d+$"))
    ref = page.url.rsplit("/", 1)[1]
    expect(page.get_by_text(f"Event {ref} added.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("14 Jan 2011")
    expect(page.get_by_text(description)).to_be_visible()
    assert_accessible(page)


def test_a_second_editor_is_shown_the_first_editors_change_not_overwriting_it(
    page: Page, browser: Browser, live_server: str, demo_review: str
) -> None:
    """The lost update: two people edit E5 at once; the second save is refused."""
    edit_url = f"{demo_review}/events/E5/edit"
    mine_a = _unique("Antenatal appointment missed (edited by A).")
    mine_b = _unique("Antenatal appointment missed (edited by B).")
    sign_in(page, PANEL)
    with _signed_in_page(browser, live_server, CHAIR) as page_b:
        page.goto(edit_url)
        page_b.goto(edit_url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Edit event E5")
        expect(page_b.get_by_role("heading", level=1)).to_have_text("Edit event E5")

        page.get_by_label("What happened").fill(mine_a)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page).to_have_url(re.compile(rf"{demo_review}/events/E5$"))
        expect(page.get_by_text("Event E5 saved.")).to_be_visible()

        page_b.get_by_label("What happened").fill(mine_b)
        page_b.get_by_role("button", name="Save", exact=True).click()
        expect(page_b).to_have_url(re.compile(rf"{demo_review}/events/E5/edit$"))
        expect(page_b.locator(".govuk-error-summary").get_by_role("link")).to_have_text(
            "Someone else changed this since you opened it. Your changes have not been saved."
        )
        theirs = page_b.locator("#their-version")
        expect(theirs.get_by_role("heading")).to_have_text(
            re.compile(r"^The version saved by someone else \(version \d+\)$")
        )
        expect(theirs).to_contain_text(mine_a)
        expect(page_b.get_by_label("What happened")).to_have_value(mine_b)
        assert_accessible(page_b)

    page.reload()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/E5$"))
    what = page.locator(".govuk-summary-list__row").filter(has_text="What happened")
    expect(what.locator("dd")).to_have_text(mine_a)
    expect(page.locator(".lr-history > li").first.locator("ins")).to_have_text([mine_a])
    expect(page.get_by_text(mine_b)).to_have_count(0)


def test_timeline_zooms_and_its_events_open_from_the_keyboard(page: Page, demo_review: str) -> None:
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("navigation", name="Chronology").get_by_role("link", name="Timeline").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/timeline$"))
    svg = page.locator("svg#timeline-svg")
    expect(svg).to_be_visible()
    expect(svg.locator("a.lr-tl-event").first).to_be_attached()
    before = svg.get_attribute("width")
    assert before is not None
    page.get_by_role("button", name="Zoom in").click()
    expect(svg).not_to_have_attribute("width", before)
    zoomed = svg.get_attribute("width")
    assert zoomed is not None
    assert float(zoomed) > float(before)  # the drawing is wider: fewer years in view
    assert_accessible(page)

    # Tab from the last zoom button into the timeline's frame, then to its first event.
    page.get_by_role("button", name="Show all").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("region", name=re.compile(r"^Timeline of \d+ events$"))).to_be_focused()
    page.keyboard.press("Tab")
    focused = svg.locator("a.lr-tl-event").first
    expect(focused).to_be_focused()
    href = focused.get_attribute("href")
    assert href is not None
    match = re.fullmatch(rf"{demo_review}/events/(E\d+)", href)
    assert match, href
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{re.escape(href)}$"))
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Event {match.group(1)}")


def test_who_knew_what_flags_household_adults_known_to_one_agency(
    page: Page, demo_review: str
) -> None:
    sign_in(page, CHAIR)
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("navigation", name="Chronology").get_by_role(
        "link", name="Who knew what"
    ).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/who-knew-what$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Who knew what, when")

    def row(pseudonym: str) -> Locator:
        return page.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=re.compile(rf"^{re.escape(pseudonym)}(\s|$)"))
        )

    # In the demo, Mother's partner is known to four agencies (each knowing a little), so he
    # is not flagged; Father is known to the midwifery service alone, and is.
    partner = row("Mother's partner")
    expect(partner.get_by_role("rowheader")).to_contain_text("Other adult in the household")
    expect(partner.get_by_role("listitem")).to_have_count(4)
    for agency in (
        "Eastmere Police",
        "Eastmere Children's Social Care",
        "Riverside Medical Practice",
        "Oakfield Primary School",
    ):
        expect(partner.get_by_role("listitem").filter(has_text=agency)).to_have_count(1)
    for adult in ("Mother's partner", "Mother"):
        expect(row(adult)).to_have_count(1)
        expect(row(adult).get_by_text("Known to one agency only")).to_have_count(0)
    expect(row("Father").get_by_text("Known to one agency only")).to_have_count(1)
    assert_accessible(page)

    # The flag itself, in a review of its own (the demo's people register stays as it is):
    # a lodger whom only the housing provider met.
    page.goto("/reviews/new")
    page.get_by_label("Title", exact=True).fill(_unique("Child L rapid review"))
    page.get_by_label("Pseudonym of the child or adult at the centre").fill("Child L")
    page.get_by_role("button", name="Create review").click()
    expect(page).to_have_url(re.compile(r"/reviews/\d+$"))
    review_url = "/reviews/" + page.url.rsplit("/", 1)[1]
    page.get_by_text("Add an agency", exact=True).click()
    page.get_by_label("Agency name").fill("Westmere Homes")
    page.get_by_label("Sector").select_option(label="Housing")
    page.get_by_role("button", name="Add agency").click()
    expect(page.get_by_text("Westmere Homes added to the review.")).to_be_visible()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Pseudonym", exact=True).fill("Lodger")
    page.get_by_label("Role in the case").select_option(label="Other adult in the household")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Lodger added to the people register.")).to_be_visible()
    page.goto(f"{review_url}/events/new")
    page.get_by_label("When", exact=True).fill("03/02/2024")
    page.get_by_label("Agency", exact=True).select_option(label="Westmere Homes")
    page.get_by_label("What happened").fill("Tenancy check: a lodger lives at the flat.")
    people = page.get_by_role("group", name="People involved")
    people.get_by_role("combobox").fill("Lodger")
    people.get_by_role("option", name=re.compile(r"^Lodger \(P\d+\)$")).click()
    expect(people.locator("[data-picker-chosen] input:checked")).to_have_count(1)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/events/E1$"))

    page.goto(f"{review_url}/who-knew-what")
    flagged = row("Lodger")
    # Each contact at its own precision: known to the day, shown as a day.
    expect(flagged.get_by_role("listitem")).to_have_text(["Westmere Homes: 1 (3 Feb 2024)"])
    expect(flagged.locator(".govuk-tag")).to_have_text("Known to one agency only")
    assert_accessible(page)


def test_merging_likely_duplicates_keeps_both_accounts_and_can_be_undone(
    page: Page, demo_review: str
) -> None:
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("navigation", name="Chronology").get_by_role(
        "link", name="Likely duplicates"
    ).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/merges$"))
    expect(page.get_by_role("button", name=re.compile(r"^Merge E\d+, E\d+")).first).to_be_visible()
    # E24 (police, 17 Jun 2023 23:40) and E26 (social care, 18 Jun 2023) report the same call-out.
    suggestion = page.locator("#main-content .govuk-summary-card").filter(
        has=page.get_by_role("heading", name=re.compile(r"^E24, E26 \("))
    )
    expect(suggestion).to_be_visible()
    assert_accessible(page)

    # Merged into E24 (the first), keeping E24's value for each field.
    suggestion.get_by_role("button", name="Merge E24, E26").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/E24$"))
    expect(page.get_by_text("E26 merged into E24: each agency's account is kept.")).to_be_visible()
    expect(page.get_by_role("heading", name="Accounts merged into this event")).to_be_visible()
    merged = page.get_by_role(
        "table", name=re.compile(r"^E26 from Eastmere Children's Social Care")
    )
    expect(merged.locator("thead th")).to_have_text(
        [
            "",
            "This event (Eastmere Police)",
            "E26 (Eastmere Children's Social Care)",
        ]
    )
    # Where the accounts disagree, the page says so rather than choosing one.
    expect(merged.locator("caption .govuk-tag")).to_have_text("Date and details differ")
    expect(merged.get_by_role("row", name=re.compile("^When")).get_by_role("cell")).to_have_text(
        ["17 Jun 2023 23:40", "18 Jun 2023"]
    )
    details = merged.get_by_role("row", name=re.compile("^Details")).get_by_role("cell")
    expect(details.first).to_contain_text("Police called by a neighbour")
    expect(details.last).to_contain_text("Police notification: verbal argument")
    assert_accessible(page)

    page.get_by_role("button", name="Undo the merge of E26").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/E24$"))
    expect(page.get_by_text("Merge undone: E26 is an event of its own again.")).to_be_visible()
    expect(page.get_by_role("heading", name="Accounts merged into this event")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"{demo_review}/events/E26")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
    page.goto(f"{demo_review}/merges")
    expect(page.get_by_role("button", name="Merge E24, E26")).to_be_visible()


def test_importing_a_csv_with_a_bad_row(page: Page, tmp_path: Path, demo_review: str) -> None:
    good = _unique("Housing officer visits; repairs to the kitchen window booked.")
    bad = _unique("Rent arrears letter sent.")
    upload = tmp_path / "housing-chronology.csv"
    upload.write_text(
        "date,agency,description\n"
        f'14/03/2012,Eastmere Homes,"{good}"\n'
        f'30/02/2012,Eastmere Homes,"{bad}"\n',
        encoding="utf-8",
    )
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("navigation", name="Chronology").get_by_role("link", name="Import").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/chronology/import$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a chronology")
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Chronology file")).set_input_files(upload)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/chronology/imports/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(
        page.get_by_text("housing-chronology.csv: 2 rows, 1 ready to store, 1 problem")
    ).to_be_visible()
    errors = page.locator("#row-errors li")
    expect(errors).to_have_count(1)
    expect(errors).to_have_text(re.compile(r"^Row 3 \(date\): .*30/02/2012"))
    preview = page.get_by_role("table", name="Preview of rows")
    expect(preview.locator("tbody tr")).to_have_count(1)
    expect(preview.locator("tbody tr")).to_contain_text(good)
    assert_accessible(page)

    # Confirming is refused until the rows with problems are left out on purpose.
    page.get_by_role("button", name="Import 1 event").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/chronology/imports/\d+$"))
    expect(page.get_by_text(re.compile(r"Problems in the rows"))).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Leave out the rows with problems and import the other 1").check()
    page.get_by_role("button", name="Import 1 event").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/chronology$"))
    expect(page.get_by_text("1 event imported from housing-chronology.csv.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Text", exact=True).fill(good.rsplit(" [", 1)[1].rstrip("]"))
    page.get_by_role("button", name="Apply filters").click()
    table = _events_table(page)
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_contain_text(["14 Mar 2012"])
    expect(_column(table, "Agency")).to_have_text(["Eastmere Homes"])
    expect(page.get_by_text(bad)).to_have_count(0)


def test_changes_by_others_appear_without_a_reload(
    page: Page, browser: Browser, live_server: str, demo_review: str
) -> None:
    sign_in(page, PANEL)
    # The page's first poll fixes where its changes begin: wait for it before changing anything.
    with page.expect_response(
        lambda r: "/changes?latest=1" in r.url and r.ok, timeout=POLL_WAIT_MS
    ):
        page.goto(f"{demo_review}/chronology")
    live = page.locator("#live-changes")
    expect(live).to_be_empty()

    with _signed_in_page(browser, live_server, CHAIR) as page_b:
        ref = _add_event(
            page_b, demo_review, "15/01/2011", _unique("Live-update check: GP letter filed.")
        )

    wait_for_polls(page, "/changes?since=")
    expect(live).not_to_be_empty()
    expect(live.get_by_role("heading")).to_have_text("Changed by others since you opened this page")
    expect(live.get_by_role("listitem")).to_contain_text([re.compile(rf"created event {ref}\b")])
    expect(live.get_by_role("link", name="Reload to see the changes")).to_be_visible()
    assert_accessible(page)


def _review_from_2019_to_2025(app: Flask) -> int:
    """A review of the demo chair's with three agencies and events from 2019 to 2025."""
    with app.app_context():
        session = app.extensions["lr_session_factory"]()
        session.info["actor"] = Actor(None, "browser-test-setup")
        try:
            chair = session.scalars(select(User).where(User.email == CHAIR)).one()
            review = create_review(
                session=session,
                creator=chair,
                title=_unique("Child W: timeline of seven years"),
                subject="Child W",
                review_type="local_cspr",
            )
            for name in ("Westmere Police", "Westmere Housing", "Westmere Health Visiting"):
                add_agency(session=session, review=review, name=name)
            session.flush()
            refs = [a.ref for a in review.agencies]
            for number, (when, text) in enumerate(
                [
                    ("01/03/2019", "Police attend a first call to the home."),
                    ("Jun 2020", "Housing moves the family."),
                    ("14/01/2022", "Health visitor's first contact."),
                    ("02/09/2023", "Police attend again."),
                    ("20/10/2025", "Housing closes the tenancy case."),
                ]
            ):
                create_event(
                    session=session,
                    review=review,
                    added_by_id=chair.id,
                    when=parse_when(when),
                    agency=refs[number % len(refs)],
                    description=text,
                )
            session.commit()
            return review.id
        finally:
            session.close()


def _inside(inner: dict[str, float] | None, outer: dict[str, float] | None) -> bool:
    """Whether box ``inner`` lies across, left to right, within box ``outer``."""
    assert inner is not None and outer is not None
    return (
        outer["x"] - 1 <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
    )


def test_show_all_shows_every_year_and_the_lane_names_stay_in_view(
    page: Page, browser_app: Flask
) -> None:
    review_id = _review_from_2019_to_2025(browser_app)
    page.set_viewport_size({"width": 1024, "height": 900})
    sign_in(page, CHAIR)
    page.goto(f"/reviews/{review_id}/timeline")
    frame = page.get_by_role("region", name="Timeline of 5 events")
    svg = page.locator("svg#timeline-svg")
    last_year = svg.locator("text", has_text=re.compile(r"^2025$"))
    last_event = svg.get_by_role("link", name=re.compile(r"20 Oct 2025"))
    first_event = svg.get_by_role("link", name=re.compile(r"1 Mar 2019"))
    for _ in range(2):
        page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Later").click()
    page.get_by_role("button", name="Show all").click()
    # The whole period in view at once: the first event, the last year and its event.
    for item in (first_event, last_year, last_event):
        assert _inside(item.bounding_box(), frame.bounding_box())
    assert frame.evaluate("f => f.scrollWidth <= f.clientWidth + 1")  # nothing off to the side

    # Zoomed in and scrolled to the far right, each lane's name is still in view.
    for _ in range(3):
        page.get_by_role("button", name="Zoom in").click()
    frame.evaluate("f => { f.scrollLeft = f.scrollWidth; }")
    page.wait_for_function(
        "() => { const f = document.querySelector('.lr-timeline-frame');"
        " return f.scrollLeft > 0 && f.scrollLeft + f.clientWidth >= f.scrollWidth - 1; }"
    )
    assert not _inside(first_event.bounding_box(), frame.bounding_box())  # scrolled away
    viewport = {"x": 0.0, "width": float(page.viewport_size["width"])}  # type: ignore[index]
    for name in ("Westmere Police", "Westmere Housing", "Westmere Health Visiting"):
        label = page.locator(".lr-tl-names text", has_text=name)
        assert _inside(label.bounding_box(), frame.bounding_box()), name
        assert _inside(label.bounding_box(), viewport), name
    assert _inside(last_event.bounding_box(), frame.bounding_box())
    assert_accessible(page)
