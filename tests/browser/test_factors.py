"""Accounts, contributing factors and the links between them in the demo review "Child F":
recording an account, "why did this happen?" from an event, the method checks and
wording flags on a factor, the factors list, the voice of the child and family in the key
practice episodes, and what a board member may see, with an axe check on every page visited.

The browser database lasts the whole session, so each test creates what it needs with unique
text and asserts nothing that another test's additions could change (the demo's 30 factors are
counted as "at least").
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PANEL = "panel@demo.example.org"
BOARD = "board@demo.example.org"


def _factor_url(review: str) -> re.Pattern[str]:
    return re.compile(rf"{review}/factors/(F\d+)$")


def _pick(page: Page, group: str, ref: str) -> None:
    """Choose event or factor ``ref`` in the picker ``group`` by typing its ref, as a user
    would."""
    picker = page.get_by_role("group", name=group)
    picker.get_by_role("combobox").fill(ref)
    picker.get_by_role("option", name=re.compile(rf"^{ref} · ")).click()
    expect(picker.locator(f"[data-picker-chosen] input[value='{ref}']")).to_be_checked()


def _unique(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:8]}]"


def _ref_of(page: Page, pattern: re.Pattern[str]) -> str:
    match = pattern.search(page.url)
    assert match, page.url
    return match.group(1)


def _why_list(page: Page) -> Locator:
    """The items under the event page's "Why did this happen?" heading."""
    return page.locator("h2#why + ul.govuk-list > li")


def _lead_to(page: Page) -> Locator:
    """The items under the factor page's "What did this lead to?" heading."""
    return page.locator("h3", has_text="What did this lead to?").locator(
        "xpath=following-sibling::*[1][self::ul]/li"
    )


def _warnings(page: Page) -> Locator:
    return page.locator("#checks li")


def test_panel_member_records_an_account_in_the_local_rationality_prompts(
    page: Page, demo_review: str
) -> None:
    answers = {
        "What did you think was going on?": _unique("That the family was managing after the move."),
        "What information was at the front of your mind?": _unique(
            "The housing officer's note and the school's attendance letter."
        ),
        "What else was occupying you?": _unique("Three home visits and a court report."),
        "What options did you have?": _unique("A joint visit with the school, or a phone call."),
    }
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    # The demo's eight accounts, and perhaps others added by other tests.
    expect(page.get_by_role("link", name="AC8", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record an account").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/accounts/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an account")
    for question in answers:
        expect(page.get_by_label(question, exact=True)).to_be_visible()
    assert_accessible(page)

    # Nothing written: refused, with the error by the narrative.
    page.get_by_role("button", name="Save account").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/accounts/new$"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        "Write what was said: the narrative or the answers to the prompts"
    )
    expect(summary.get_by_role("link")).to_have_attribute("href", "#narrative")
    expect(page.locator("#narrative-error")).to_contain_text("Write what was said")
    assert_accessible(page)

    page.get_by_label("Who gave the account").select_option(label="Practitioner")
    contributor = page.get_by_role("group", name="The person (from the people register)")
    contributor.get_by_role("combobox").fill("Health Visitor 1")
    contributor.get_by_role("option", name="Health Visitor 1 (P7)").click()
    expect(contributor.locator("[data-picker-chosen] input[value='P7']")).to_be_checked()
    for question, answer in answers.items():
        page.get_by_label(question, exact=True).fill(answer)
    _pick(page, "Events it speaks about", "E42")
    page.get_by_role("button", name="Save account").click()

    account_url = re.compile(rf"{demo_review}/accounts/(AC\d+)$")
    expect(page).to_have_url(account_url)
    ref = _ref_of(page, account_url)
    expect(page.get_by_text(f"Account {ref} recorded.")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Account {ref}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Practitioner: Health Visitor 1")
    spoken = page.locator(".govuk-summary-list__row").filter(has_text="Events it speaks about")
    expect(spoken.get_by_role("link")).to_have_text(["E42"])
    for question, answer in answers.items():
        heading = page.get_by_role("heading", level=2, name=question, exact=True)
        expect(heading).to_be_visible()
        expect(heading.locator("xpath=following-sibling::div[1]")).to_have_text(answer)
    # Questions left unanswered are not shown.
    expect(page.get_by_role("heading", name="Which concerns clashed?")).to_have_count(0)
    assert_accessible(page)

    # The account is listed, and the event it speaks about points back to it.
    page.goto(f"{demo_review}/accounts")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=ref, exact=True))
    expect(row.get_by_role("cell")).to_contain_text(["Practitioner: Health Visitor 1", "E42"])
    page.goto(f"{demo_review}/events/E42")
    expect(
        page.get_by_role("heading", name="Accounts that speak about it")
        .locator("xpath=following-sibling::ul[1]")
        .get_by_role("link", name=ref, exact=True)
    ).to_be_visible()


def test_why_did_this_happen_adds_a_latent_condition_and_links_it(
    page: Page, demo_review: str
) -> None:
    label = _unique("Referrals failed to reach the team")
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/events/E40")
    expect(page.get_by_role("heading", name="Why did this happen?")).to_be_visible()
    page.get_by_role("link", name="Add a latent condition behind it").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors/new\?.*event=E40"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a contributing factor")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Why did E40 happen? The factor will be linked to it."
    )
    expect(page.get_by_label("Kind of factor")).to_have_value("latent_condition")
    first = page.get_by_role("group", name="Evidence 1")
    # The event is preselected as the first piece of evidence.
    expect(first.get_by_label("Kind of source")).to_have_value("agency_record")
    expect(
        first.get_by_role("group", name="Event it rests on").get_by_label(re.compile(r"^E40 · "))
    ).to_be_checked()
    second = page.get_by_role("group", name="Evidence 2")
    expect(second.get_by_label("Kind of source")).to_have_value("")
    assert_accessible(page)

    page.get_by_label("Label", exact=True).fill(label)
    page.get_by_label("System level").select_option(label="Team")
    first.get_by_label("Kind of source").select_option(label="Agency record")
    page.get_by_role("button", name="Save factor").click()

    expect(page).to_have_url(_factor_url(demo_review))
    ref = _ref_of(page, _factor_url(demo_review))
    expect(page.get_by_text(f"Factor {ref} added.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Latent condition {ref} · Team level")
    wording = page.locator("#wording")
    expect(wording).to_contain_text("Wording to reconsider")
    expect(wording.get_by_role("listitem")).to_have_text([re.compile(r"^“failed to”: ")])
    evidence = page.locator(".govuk-summary-list__row").filter(has_text="Evidence")
    expect(evidence.locator(".govuk-tag")).to_have_text("Weak: 1 kind of source")
    expect(page.get_by_role("heading", name="What it rests on")).to_be_visible()
    expect(
        page.locator("h2", has_text="What it rests on")
        .locator("xpath=following-sibling::ul[1]")
        .get_by_role("listitem")
    ).to_have_text(["Agency record: E40"])
    # A latent condition at team level on one kind of source: only that is pointed out.
    expect(_warnings(page)).to_have_count(1)
    expect(page.locator("#checks li[data-code='single_source']")).to_have_count(1)
    expect(_lead_to(page)).to_have_count(1)
    expect(_lead_to(page).first).to_contain_text(re.compile(r"^This contributed to E40: "))
    assert_accessible(page)

    # Link it to a second event with "enabled".
    page.get_by_label("This factor").select_option(label="enabled")
    _pick(page, "An event", "E41")
    page.get_by_role("button", name="Add link").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors/{ref}$"))
    expect(page.get_by_text(f"Linked: {ref} enabled E41.")).to_be_visible()
    expect(_lead_to(page)).to_have_count(2)
    expect(_lead_to(page).filter(has_text=re.compile(r"^This enabled E41: "))).to_have_count(1)
    expect(_lead_to(page).filter(has_text=re.compile(r"^This contributed to E40: "))).to_have_count(
        1
    )
    assert_accessible(page)

    # The same link again is refused, and nothing is added.
    page.get_by_label("This factor").select_option(label="enabled")
    _pick(page, "An event", "E41")
    page.get_by_role("button", name="Add link").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors/{ref}$"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        re.compile(r"That link already exists \(\w+\)")
    )
    expect(_lead_to(page)).to_have_count(2)
    assert_accessible(page)

    # Both events now say why they happened.
    page.goto(f"{demo_review}/events/E40")
    mine = _why_list(page).filter(has=page.get_by_role("link", name=label, exact=True))
    expect(mine).to_have_count(1)
    expect(mine).to_have_text(f"{label} contributed to this")
    expect(mine.get_by_role("link")).to_have_attribute("href", f"{demo_review}/factors/{ref}")
    assert_accessible(page)
    page.goto(f"{demo_review}/events/E41")
    expect(
        _why_list(page).filter(has=page.get_by_role("link", name=label, exact=True))
    ).to_have_text(f"{label} enabled this")


def test_an_active_failure_above_practice_level_without_evidence_is_warned_about(
    page: Page,
    demo_review: str,
) -> None:
    label = _unique("Home visit replaced by a telephone call")
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/factors")
    page.get_by_role("link", name="Add an active failure").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors/new\?type=active_failure$"))
    expect(page.get_by_label("Kind of factor")).to_have_value("active_failure")
    expect(page.get_by_label("System level")).to_have_value("practice")
    for index in range(1, 5):
        expect(
            page.get_by_role("group", name=f"Evidence {index}").get_by_label("Kind of source")
        ).to_have_value("")
    assert_accessible(page)

    page.get_by_label("Label", exact=True).fill(label)
    page.get_by_label("System level").select_option(label="Team")
    page.get_by_role("button", name="Save factor").click()

    # The checks only warn: it is saved.
    expect(page).to_have_url(_factor_url(demo_review))
    ref = _ref_of(page, _factor_url(demo_review))
    expect(page.get_by_text(f"Factor {ref} added.")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Active failure {ref} · Team level")
    checks = page.locator("#checks")
    expect(checks).to_contain_text("Points to look at (they do not stop you saving)")
    expect(checks.locator("li[data-code]")).to_have_count(3)
    expect(checks.locator("li[data-code='active_not_practice']")).to_contain_text(
        "so they sit at practice level. This one is at team level"
    )
    expect(checks.locator("li[data-code='active_without_event']")).to_contain_text(
        "it should rest on at least one entry in the chronology"
    )
    expect(checks.locator("li[data-code='no_evidence']")).to_contain_text("No evidence")
    expect(page.get_by_text("No evidence recorded yet.")).to_be_visible()
    evidence = page.locator(".govuk-summary-list__row").filter(has_text="Evidence")
    expect(evidence.locator(".govuk-tag")).to_have_text("None: no evidence yet")
    expect(page.get_by_text("Nothing linked yet.")).to_be_visible()
    expect(page.locator("#wording")).to_have_count(0)
    assert_accessible(page)

    # Attached to an event from the event page, it no longer lacks one.
    page.goto(f"{demo_review}/events/E60")
    _pick(page, "Or attach an existing factor", ref)
    page.get_by_label("How", exact=True).select_option(label="contributed to")
    page.get_by_role("button", name="Attach factor").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/events/E60#why$"))
    expect(page.get_by_text(f"Linked: {ref} contributed to E60.")).to_be_visible()
    expect(
        _why_list(page).filter(has=page.get_by_role("link", name=label, exact=True))
    ).to_have_text(f"{label} contributed to this")
    assert_accessible(page)

    page.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors/{ref}$"))
    expect(checks.locator("li[data-code]")).to_have_count(2)
    expect(checks.locator("li[data-code='active_without_event']")).to_have_count(0)
    expect(_lead_to(page)).to_have_text([re.compile(r"^This contributed to E60: ")])


def _type_section(page: Page, heading: str) -> tuple[int, Locator]:
    """The count in a type's heading ("Active failures (10)") and the table beneath it."""
    title = page.get_by_role("heading", level=2, name=re.compile(rf"^{heading} \(\d+\)$"))
    expect(title).to_have_count(1)
    count = int(re.search(r"\((\d+)\)", title.inner_text()).group(1))  # type: ignore[union-attr]
    return count, title.locator("xpath=following-sibling::*[1][self::table]")


def test_the_factors_list_groups_the_demo_factors_by_type(page: Page, demo_review: str) -> None:
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/chronology")
    page.get_by_role("navigation", name="Chronology").get_by_role(
        "link", name="Factors", exact=True
    ).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributing factors")
    for name in ("Add a latent condition", "Add an active failure", "Add a protective factor"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()

    # The demo's 10 active failures (F1-F10), 14 latent conditions (F11-F24) and 6 protective
    # factors (F25-F30); other tests may have added more of the first two.
    for heading, demo_refs, exact in (
        ("Active failures", range(1, 11), False),
        ("Latent conditions", range(11, 25), False),
        ("Protective factors", range(25, 31), True),
    ):
        count, table = _type_section(page, heading)
        assert count == len(demo_refs) if exact else count >= len(demo_refs), (heading, count)
        expect(table.locator("tbody tr")).to_have_count(count)
        refs = table.locator("tbody tr td:first-child").all_inner_texts()
        assert {f"F{n}" for n in demo_refs} <= set(refs), (heading, refs)
        # Every row has its triangulation badge.
        expect(table.locator("tbody tr .govuk-tag.lr-tri")).to_have_count(count)
    count, _ = _type_section(page, "Contexts")
    assert count == 0
    expect(page.get_by_text("None yet.")).to_have_count(1)

    def row(ref: str) -> Locator:
        return page.get_by_role("row").filter(has=page.get_by_role("cell", name=ref, exact=True))

    # F1 rests on three kinds of source; F5 on one (an agency record), which is pointed out.
    expect(row("F1").get_by_role("cell")).to_have_text(
        [
            "F1",
            "Man present at the June 2023 call not identified",
            "Practice",
            "Strong: 3 kinds of source",
            "None",
        ]
    )
    expect(row("F5").locator(".govuk-tag")).to_have_text("Weak: 1 kind of source")
    expect(row("F5").locator(".govuk-tag")).to_have_class(re.compile(r"\blr-tri--weak\b"))
    expect(row("F5").get_by_role("cell").last).to_have_text("1 point to look at")
    assert_accessible(page)

    row("F1").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/factors/F1$"))
    expect(page.locator(".govuk-caption-l")).to_have_text("Active failure F1 · Practice level")
    expect(page.locator("#checks")).to_have_count(0)
    assert_accessible(page)


def test_key_practice_episodes_show_whether_the_child_and_family_are_heard(
    page: Page, demo_review: str
) -> None:
    title = _unique("A home visit nobody followed up")
    sign_in(page, PANEL)
    page.goto(f"{demo_review}/kpes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Key practice episodes")
    table = page.get_by_role("table", name="Key practice episodes")
    headers = table.locator("thead th")
    expect(headers).to_have_text(["Ref", "Title", "Events", "Voice of the child and family"])

    def voice(ref: str) -> Locator:
        return (
            table.get_by_role("row")
            .filter(has=page.get_by_role("cell", name=ref, exact=True))
            .get_by_role("cell")
            .nth(3)
        )

    # In the demo a family or child account speaks to every one of the five episodes.
    for ref in ("K1", "K2", "K3", "K4", "K5"):
        expect(voice(ref)).to_have_text("Heard")
        expect(voice(ref).locator(".govuk-tag")).to_have_count(0)
    assert_accessible(page)

    # A new episode (no events yet) hears nobody: its page warns, and the list says so.
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{demo_review}/kpes/K\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#no-voice")).to_contain_text(
        "No family or child account, and no evidence of the child's voice, speaks to this "
        "episode yet."
    )
    assert_accessible(page)

    page.goto(f"{demo_review}/kpes")
    new = table.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(new).to_have_count(1)
    expect(new.get_by_role("cell").nth(3)).to_have_text("Not heard")
    expect(new.locator(".govuk-tag.govuk-tag--red")).to_have_text("Not heard")
    assert_accessible(page)

    # K4 (school attendance and the child's voice) has Child F's own account: no warning.
    page.goto(f"{demo_review}/kpes/K4")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "School attendance and the child's voice"
    )
    expect(page.locator("#no-voice")).to_have_count(0)
    assert_accessible(page)


def test_a_board_member_sees_the_factors_but_not_the_accounts(page: Page, demo_review: str) -> None:
    sign_in(page, BOARD)
    page.goto(f"{demo_review}/factors")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributing factors")
    nav = page.get_by_role("navigation", name="Chronology")
    expect(nav.get_by_role("link", name="Factors", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Accounts", exact=True)).to_have_count(0)
    # Read only: no buttons to add factors.
    expect(page.get_by_role("link", name=re.compile(r"^Add "))).to_have_count(0)
    count, table = _type_section(page, "Active failures")
    assert count >= 10
    expect(
        table.get_by_role("link", name="Man present at the June 2023 call not identified")
    ).to_be_visible()
    assert_accessible(page)

    # A factor page, without the forms to change it or its links.
    page.goto(f"{demo_review}/factors/F1")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Man present at the June 2023 call not identified"
    )
    expect(page.get_by_role("button", name="Add link")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    # Its evidence names the accounts it rests on, but the accounts stay closed.
    assert_accessible(page)

    response = page.goto(f"{demo_review}/accounts")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do that"
    )
    expect(page.get_by_text("Your role does not allow this.")).to_be_visible()
    expect(page.get_by_text("What practitioners, managers, the family")).to_have_count(0)
    assert_accessible(page)

    response = page.goto(f"{demo_review}/accounts/AC1")
    assert response is not None
    assert response.status == 403
