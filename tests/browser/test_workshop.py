"""A learning workshop on the demo review "Child F", run as a facilitator would, with four
participants in their own browser contexts (one on a 390x844 phone, no accounts): nothing a
participant writes reaches the room wall until the facilitator shows it; the episode's slides
hold nothing dated after it; presenter text is 18px or more at 1280x720 and 1920x1080 with
nothing cut off; the phone never scrolls sideways; closing warns and keeps a half-typed note.
Every page is checked with axe."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from analysis.chronology.dates.when import MONTH_ABBRS
from tests.browser.conftest import (
    POLL_WAIT_MS,
    TIMEOUT_MS,
    assert_accessible,
    sign_in,
    wait_for_polls,
)

pytestmark = pytest.mark.browser

FACILITATOR = "facilitator@demo.example.org"
EPISODE = "K2: The first domestic abuse incident"
# K2's last event is on 23 Jun 2023: nothing on its slides may be dated after June 2023.
EPISODE_END = (2023, 6)
MONTHS = {month: number for number, month in enumerate(MONTH_ABBRS, 1)}
DATE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})\b")
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
# What the board and the presenter poll every 2 seconds: /api/v1/workshops/<id>/board and /room.
WORKSHOP_POLL = "/api/v1/workshops/"

# Every visible text on the presenter screen: its font size and whether it is inside the
# viewport (nothing cut off at an edge), and whether the slide area holds its slide whole.
MEASURE = """() => {
  const problems = [];
  let smallest = Infinity;
  const root = document.getElementById("presenter");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const element = node.parentElement;
    if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
    if (!rects.length) continue;  // not rendered: a hidden slide, a collapsed control
    const size = parseFloat(getComputedStyle(element).fontSize);
    smallest = Math.min(smallest, size);
    for (const r of rects) {
      if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1) {
        const text = node.textContent.trim().slice(0, 40);
        problems.push(`cut off: "${text}" at ${JSON.stringify(r)}`);
      }
    }
    if (size < 18) problems.push(`${size}px: "${node.textContent.trim().slice(0, 40)}"`);
  }
  const stage = document.querySelector(".lr-presenter__stage");
  const [width, height] = [stage.scrollWidth, stage.scrollHeight];
  if (height > stage.clientHeight + 1 || width > stage.clientWidth + 1) {
    const room = `${stage.clientWidth}x${stage.clientHeight}`;
    problems.push(`slide overflows: ${width}x${height} in ${room}`);
  }
  return {problems, smallest};
}"""


def _participant(browser: Browser, live_server: str, code: str, name: str, **size: Any) -> Page:
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, locale="en-GB", viewport=size or None
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"/join/{code}")
    expect(page.get_by_label("Workshop code")).to_have_value(code)
    if name:
        page.get_by_label("Your name for the room").fill(name)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def _no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def _add_note(room: Page, link: str, text: str) -> None:
    room.get_by_role("link", name="Episodes").click()
    room.get_by_role("link", name=link).first.click()
    room.get_by_label("Your note").fill(text)
    room.get_by_role("button", name="Add the note").click()
    expect(room.get_by_text("your note is with the facilitator")).to_be_visible()


def _check_presenter(page: Page, size: dict[str, int]) -> int:
    """Walk every slide at ``size``; return how many slides there were."""
    page.set_viewport_size(size)
    page.keyboard.press("Home")
    count = int(page.locator("#slide-position").inner_text().split(" of ")[1])
    for number in range(1, count + 1):
        expect(page.locator("#slide-position")).to_have_text(f"{number} of {count}")
        measured = page.evaluate(MEASURE)
        assert not measured["problems"], (size, number, measured["problems"])
        assert measured["smallest"] >= 18, (size, number, measured)
        slide = page.locator(".lr-slide:not([hidden])")
        title = slide.locator("h2").inner_text()
        if title.startswith("K2"):
            for month, year in DATE.findall(slide.inner_text()):
                assert (int(year), MONTHS[month]) <= EPISODE_END, (title, month, year)
        page.keyboard.press("ArrowRight")
    return count


def test_a_workshop_run_with_four_participants_one_on_a_phone(
    page: Page, browser: Browser, live_server: str, demo_review: str
) -> None:
    title = f"Practitioner learning event {uuid.uuid4().hex[:6]}"
    sign_in(page, FACILITATOR)
    page.goto(f"{demo_review}/workshops/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label(EPISODE).check()
    page.get_by_role("button", name="Save").click()
    code = page.locator("#join-code").inner_text().strip()
    assert len(code) == 6
    expect(page.get_by_role("img", name=f"QR code to join with code {code}")).to_be_visible()
    assert_accessible(page)
    workshop_url = page.url
    page.get_by_role("link", name="Open the board").click()
    board_url = page.url
    expect(page.locator("#board-waiting > li")).to_have_count(0)

    phone = _participant(browser, live_server, code, "", **PHONE)  # anonymous
    rooms = [phone] + [
        _participant(browser, live_server, code, name)
        for name in ("Health Visitor 1", "Duty Officer", "School Nurse")
    ]
    try:
        expect(phone.get_by_text("you are anonymous")).to_be_visible()
        expect(phone.get_by_role("heading", name=EPISODE)).to_be_visible()
        assert_accessible(phone)
        _no_sideways_scroll(phone)
        for number, room in enumerate(rooms, start=1):
            _add_note(room, "Police", f"Note {number} from the room: supervision was thin.")
            if number == 1:
                assert_accessible(room)
                _no_sideways_scroll(room)
        rooms[1].get_by_role("link", name="Propose").click()
        kind = rooms[1].get_by_label("Kind of factor")
        expect(kind).to_have_value("")  # no kind chosen for them
        rooms[1].get_by_label("The factor in a few words").fill("Night shifts have no supervisor")
        kind.select_option(label="Latent condition")
        rooms[1].get_by_label("Where in the system").select_option(label="Team")
        rooms[1].get_by_role("button", name="Send to the facilitator").click()
        expect(rooms[1].get_by_text("your proposal is with the facilitator")).to_be_visible()

        # Nothing reaches the room wall until shown.
        waiting = page.locator("#board-waiting > li")
        wait_for_polls(page, WORKSHOP_POLL)
        expect(waiting).to_have_count(5)
        phone.get_by_role("link", name="Room wall").click()
        expect(phone.locator("#wall-empty")).to_be_visible()
        expect(phone.get_by_text("Note 1 from the room")).to_have_count(0)
        assert_accessible(page)

        # Show note 2, edit then show note 3, set aside note 4 and undo it; note 1 waits.
        page.reload()
        waiting.filter(has_text="Note 2 from").get_by_role("button", name="Show").click()
        expect(page.get_by_text("is on the room wall")).to_be_visible()
        waiting.filter(has_text="Note 3 from").get_by_role("link", name="Edit and show").click()
        assert_accessible(page)
        page.get_by_label("The note as the room will see it").fill(
            "Note 3, edited: night cover was thin."
        )
        page.get_by_role("button", name="Show to the room").click()
        waiting.filter(has_text="Note 4 from").get_by_role("button", name="Set aside").click()
        aside = page.locator("#board-aside > li")
        expect(aside).to_have_count(1)
        aside.get_by_role("button", name="Undo set aside").click()
        expect(aside).to_have_count(0)
        expect(waiting).to_have_count(3)  # notes 1 and 4 and the proposal
        waiting.filter(has_text="Night shifts").get_by_role("button", name="Show").click()

        phone.reload()
        wall = phone.locator("#room-wall")
        expect(wall.get_by_text("Note 2 from the room")).to_be_visible()
        expect(wall.get_by_text("Note 3, edited: night cover was thin.")).to_be_visible()
        expect(wall.get_by_text("Night shifts have no supervisor")).to_be_visible()
        for hidden in ("Note 1 from", "Note 4 from", "Note 3 from"):
            expect(wall.get_by_text(hidden)).to_have_count(0)
        wall.locator("li", has_text="Note 2 from").get_by_role("button", name="+1").click()
        expect(phone.get_by_text("Upvote counted.")).to_be_visible()
        expect(
            phone.locator("li", has_text="Note 2 from").locator(".lr-upvote__count")
        ).to_have_text("1")
        expect(phone.locator("#word-cloud")).to_contain_text("night")
        assert_accessible(phone)
        _no_sideways_scroll(phone)
        for size in (SMALL_PHONE, PHONE):
            phone.set_viewport_size(size)
            for link in ("Episodes", "Room wall", "Propose"):
                phone.get_by_role("link", name=link).click()
                _no_sideways_scroll(phone)
            phone.get_by_role("link", name="Episodes").click()
            phone.get_by_role("link", name="Police").first.click()
            _no_sideways_scroll(phone)
            height = phone.evaluate("() => document.documentElement.scrollHeight")
            assert height < 4 * size["height"], height  # a short page, not 4,800px

        # Presenter mode on a projector: the room wall shows the two shown notes only.
        presenter = page.context.new_page()
        presenter.goto(board_url.replace("/board", "/present"))
        presenter.set_viewport_size({"width": 1280, "height": 720})
        wait_for_polls(presenter, WORKSHOP_POLL, count=1)  # any answer now has both notes
        expect(presenter.locator("#room-notes li")).to_have_count(2)
        expect(presenter.locator("#room-notes")).not_to_contain_text("Note 1 from")
        assert_accessible(presenter)
        slides = _check_presenter(presenter, {"width": 1280, "height": 720})
        assert slides >= 6
        _check_presenter(presenter, {"width": 1920, "height": 1080})
        presenter.set_viewport_size({"width": 1280, "height": 720})

        # Closing: a participant is half-way through a note.
        typist = rooms[2]
        typist.get_by_role("link", name="Episodes").click()
        typist.get_by_role("link", name="Police").first.click()
        with typist.expect_response(
            lambda r: r.url.endswith("/draft") and r.status == 204, timeout=POLL_WAIT_MS
        ):
            typist.get_by_label("Your note").fill("Half a thought about supervi")
        page.goto(workshop_url)
        page.get_by_role("link", name="Close the workshop").click()
        warning = page.locator("#close-waiting")
        expect(warning).to_contain_text("2 notes wait for you")
        expect(warning).to_contain_text("1 participant is still typing")
        assert_accessible(page)
        page.get_by_role("button", name="Close the workshop").click()
        expect(page.get_by_text("1 note that participants had not sent was kept")).to_be_visible()
        page.goto(board_url)
        expect(
            page.locator("#board-waiting > li", has_text="Half a thought about supervi")
        ).to_contain_text("unsent when the workshop closed")
        wait_for_polls(presenter, WORKSHOP_POLL)
        expect(presenter.locator("#presenter-status")).to_have_text("This workshop has ended")
        # A participant's page stops polling once it hears the workshop has ended, so there
        # may be no second answer to wait for: wait for the page to say so instead.
        expect(typist.get_by_text("This workshop has ended.")).to_be_visible(timeout=POLL_WAIT_MS)
        expect(typist.get_by_label("Your note")).to_have_value("Half a thought about supervi")
        phone.reload()
        expect(phone.get_by_text("This workshop has ended.")).to_be_visible()
        presenter.reload()
        expect(presenter.locator("#presenter-status")).to_have_text("This workshop has ended")
        presenter.close()
    finally:
        for room in rooms:
            room.context.close()
