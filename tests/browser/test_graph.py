"""The systems graph page on the demo review "Child F": the AcciMap picture, the interactive
graph (click a node, read its details, filter, highlight what lay behind it), the analysis and
the table for keyboard and screen-reader users, with an axe check."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHAIR, assert_accessible, sign_in

pytestmark = pytest.mark.browser

CY = "document.getElementById('graph-app').cytoscape"


def _open(page: Page, demo_review: str) -> None:
    sign_in(page, CHAIR)
    page.goto(f"{demo_review}/graph")
    expect(page.locator("#graph-app[data-ready=true]")).to_be_attached()
    # The AcciMap above the canvas is drawn on first request (a cold cache takes a second or
    # two); wait for it so the page no longer moves under the pointer.
    page.wait_for_function("() => document.querySelector('.lr-graph-image').complete")


def _click_node(page: Page, ref: str) -> None:
    """Click where Cytoscape drew the node, as a person would."""
    canvas = page.locator("#graph-canvas")
    canvas.scroll_into_view_if_needed()
    # Cytoscape caches where its canvas sits on the page and refreshes it on the scroll event,
    # which the browser fires on the next frame: a click before then lands on stale coordinates.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    # Zoom in on the node first, as a person would: at the fitted zoom a node of a big graph is
    # a few pixels wide and a click can land on a neighbour or an edge.
    position = page.evaluate(
        f"""() => {{
            const cy = {CY};
            const node = cy.getElementById({ref!r});
            cy.zoom(1);
            cy.center(node);
            return node.renderedPosition();
        }}"""
    )
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])


def test_the_graph_page_is_accessible_with_a_table_and_the_accimap(
    page: Page, demo_review: str
) -> None:
    _open(page, demo_review)
    expect(page.get_by_role("heading", level=1)).to_have_text("Systems graph")
    canvas = page.get_by_role("img", name=re.compile("Interactive graph of the review"))
    expect(canvas).to_be_visible()
    picture = page.get_by_role("img", name=re.compile("^AcciMap of the whole review"))
    expect(picture).to_be_visible()
    assert page.evaluate("() => document.querySelector('.lr-graph-image').naturalWidth") > 1000
    # Shrunk to fit its frame: a new user saw only the blank top-left corner of a wide picture.
    assert page.evaluate(
        """() => {
            const image = document.querySelector('.lr-graph-image');
            const frame = document.querySelector('.lr-graph-frame');
            return image.getBoundingClientRect().width <= frame.clientWidth + 1;
        }"""
    )
    table = page.get_by_role("table", name="Factors and events with their links")
    assert table.get_by_role("row").count() > 30
    expect(table.locator("#node-F18")).to_contain_text("Social work caseloads")
    expect(page.locator("#leverage + p + table")).to_be_visible()
    assert_accessible(page)


def test_click_a_node_to_see_its_details_and_what_lay_behind_it(
    page: Page, demo_review: str
) -> None:
    _open(page, demo_review)
    _click_node(page, "F9")
    panel = page.locator("#graph-panel")
    expect(panel.get_by_role("heading", name=re.compile("^F9: "))).to_be_visible()
    expect(panel).to_contain_text("Active failure")
    expect(panel).to_contain_text("Behind it")
    expect(panel.get_by_role("link", name="Open F9")).to_have_attribute(
        "href", f"{demo_review}/factors/F9"
    )
    panel.get_by_role("button", name="Highlight what lay behind it").click()
    expect(page.locator("#graph-status")).to_have_text(re.compile(r"^\d+ nodes lie behind F9\."))
    upstream = page.evaluate(f"() => {CY}.nodes('.upstream').map(n => n.id())")
    assert {"F22", "F18"} <= set(upstream)
    assert "E57" not in upstream
    # Choosing an episode starts from a clean picture, not with F9's highlight fading it.
    page.get_by_label("Key practice episode", exact=True).select_option(index=1)
    assert page.evaluate(f"() => {CY}.elements('.faded').length") == 0
    assert_accessible(page)


def test_filters_by_type_level_and_episode(page: Page, demo_review: str) -> None:
    # Other tests add factors to the demo as the session goes on: count what this page drew.
    _open(page, demo_review)
    status = page.locator("#graph-status")
    factors = page.evaluate(f"() => {CY}.nodes('[kind = \"factor\"]').length")
    national = page.evaluate(f'() => {CY}.nodes(\'[kind = "factor"][level = "national"]\').length')
    assert factors >= 30 and national >= 3
    page.get_by_label("Events", exact=True).uncheck()
    expect(status).to_have_text(re.compile(rf"^Showing {factors} of \d+ factors and events\.$"))
    page.get_by_label("National", exact=True).uncheck()
    expect(status).to_have_text(re.compile(rf"^Showing {factors - national} of "))
    page.get_by_label("Events", exact=True).check()
    page.get_by_label("National", exact=True).check()
    whole_zoom = page.evaluate(f"() => {CY}.zoom()")
    page.get_by_label("Key practice episode", exact=True).select_option(index=1)
    visible = page.evaluate(f"() => {CY}.nodes().not('.hidden').not('.row-label').length")
    total = page.evaluate(f"() => {CY}.nodes().not('.row-label').length")
    assert 0 < visible < total
    # The episode is framed, not left as a tiny cluster in the whole review's frame.
    assert page.evaluate(f"() => {CY}.zoom()") > 1.5 * whole_zoom
    shown = f"{CY}.nodes().not('.hidden').not('.row-label')"
    box = page.evaluate(f"() => {shown}.renderedBoundingBox()")
    assert box["w"] > 400 or box["h"] > 400
