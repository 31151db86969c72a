"""A learning workshop on the demo review "Child F" in four browsers: the facilitator plans it
and opens the board, three participants join with the code in their own browser contexts
(no accounts), add notes and vote, and the board shows their notes and votes within a few
seconds without a reload. Presenter mode moves with the keyboard. Every page is checked
with axe."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TIMEOUT_MS, assert_accessible, sign_in

pytestmark = pytest.mark.browser

FACILITATOR = "facilitator@demo.example.org"
REVIEW = "/reviews/1"
# The board polls every 2 seconds; the issue asks for notes within 3.
BOARD_WITHIN_MS = 3_000


def _participant(browser: Browser, live_server: str, code: str, name: str) -> Page:
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"/join/{code}")
    expect(page.get_by_label("Workshop code")).to_have_value(code)
    page.get_by_label("Your name for the room").fill(name)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def test_three_participants_notes_and_votes_reach_the_facilitators_board(
    page: Page, browser: Browser, live_server: str
) -> None:
    title = f"Practitioner learning event {uuid.uuid4().hex[:6]}"
    sign_in(page, FACILITATOR)
    page.goto(f"{REVIEW}/workshops/new")
    assert_accessible(page)
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Save").click()
    code = page.locator("#join-code").inner_text().strip()
    assert len(code) == 6
    assert_accessible(page)

    page.get_by_role("link", name="Open the board").click()
    expect(page.locator("#board-notes > li")).to_have_count(0)
    assert_accessible(page)

    rooms = [
        _participant(browser, live_server, code, name)
        for name in ("Health Visitor 1", "Duty Officer", "School Nurse")
    ]
    try:
        first = rooms[0]
        assert_accessible(first)
        expect(first.get_by_text("My reviews")).to_have_count(0)
        first.set_viewport_size({"width": 375, "height": 740})  # a phone
        for number, room in enumerate(rooms, start=1):
            room.locator("h2:has-text('Factors') + ul a").first.click()
            if number == 1:
                assert_accessible(room)
            room.get_by_label("What helped?").check()
            room.get_by_label("Your note").fill(f"Note {number} from the room: supervision helped.")
            room.get_by_role("button", name="Add the note").click()
            expect(room.get_by_text("your note is on the facilitator's board")).to_be_visible()
            room.get_by_role("link", name="Back to the workshop").click()
            room.locator("#votes ~ table button:has-text('Vote')").first.click()
            expect(room.get_by_text("Vote counted.")).to_be_visible()

        notes = page.locator("#board-notes > li")
        expect(notes).to_have_count(3, timeout=BOARD_WITHIN_MS + 1_000)
        for number in (1, 2, 3):
            expect(notes.filter(has_text=f"Note {number} from the room")).to_have_count(1)
        expect(page.locator("#vote-count")).to_have_text("(3)", timeout=BOARD_WITHIN_MS + 1_000)
        expect(page.locator("#board-participants")).to_have_text("3")

        # Moderation: edit the first note, then accept it into the review.
        notes.filter(has_text="Note 1 from the room").get_by_role(
            "link", name="Edit and accept"
        ).click()
        assert_accessible(page)
        page.get_by_label("The note as it goes into the review").fill(
            "Note 1 from the room, edited: supervision helped."
        )
        page.get_by_role("button", name="Accept into the review").click()
        expect(page.get_by_text("accepted into account")).to_be_visible()

        page.goto(page.url.replace("/board", "/present"))
        expect(page.locator("#slide-position")).to_contain_text("1 of")
        assert_accessible(page)
        page.keyboard.press("ArrowRight")
        expect(page.locator("#slide-position")).to_contain_text("2 of")
        page.keyboard.press("PageDown")
        expect(page.locator("#slide-position")).to_contain_text("3 of")
        page.keyboard.press("PageUp")
        expect(page.locator("#slide-position")).to_contain_text("2 of")
        expect(page.locator("#room-count")).to_have_text("3")

        # A projector's 1280x720: the room's notes stay in view beside a long slide.
        page.set_viewport_size({"width": 1280, "height": 720})
        page.keyboard.press("End")  # the last graph slide: the longest
        room_notes = page.locator("#room-notes li").first
        expect(room_notes).to_be_visible()
        box = room_notes.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 720, box
        assert box["x"] > 640, box  # a column beside the slide, not below it
        # Full screen, then Escape: Space still moves the slide (the button gave focus back).
        page.keyboard.press("Home")
        page.get_by_role("button", name="Full screen").click()
        page.keyboard.press("Escape")
        page.keyboard.press(" ")
        expect(page.locator("#slide-position")).to_contain_text("2 of")
        page.keyboard.press(" ")
        expect(page.locator("#slide-position")).to_contain_text("3 of")
    finally:
        for room in rooms:
            room.context.close()


def test_closing_ends_every_participants_access(
    page: Page, browser: Browser, live_server: str
) -> None:
    sign_in(page, FACILITATOR)
    page.goto(f"{REVIEW}/workshops/new")
    page.get_by_role("button", name="Save").click()
    code = page.locator("#join-code").inner_text().strip()
    room = _participant(browser, live_server, code, "Social Worker 1")
    try:
        workshop_url = page.url
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Close the workshop").click()
        expect(page.get_by_text("every participant's access has ended")).to_be_visible()
        assert page.url == workshop_url
        room.reload()
        expect(room.get_by_role("heading", name="Join a workshop")).to_be_visible()
    finally:
        room.context.close()
