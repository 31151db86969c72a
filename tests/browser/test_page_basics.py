"""The checks the other browser tests rely on: axe really reports problems, and the app's own
scripts and styles work under its real Content-Security-Policy (the other tests bypass it so
that axe-core can be injected)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from tests.browser.conftest import TIMEOUT_MS, assert_accessible

pytestmark = pytest.mark.browser


def test_assert_accessible_reports_each_violation(page: Page) -> None:
    page.goto("/sign-in")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/missing.png";
            img.id = "no-alt";
            document.querySelector("main").append(img);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt" in message
    assert "#no-alt" in message


def test_the_app_runs_under_its_own_content_security_policy(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        problems: list[str] = []

        def note_console(message: ConsoleMessage) -> None:
            # A failed request is reported below with its URL instead.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                problems.append(message.text)

        def note_response(response: Response) -> None:
            # The app has no favicon; Chromium asks for one once per browser, whatever the page.
            if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                problems.append(f"{response.status} for {response.url}")

        page.on("console", note_console)
        page.on("response", note_response)
        page.on("pageerror", lambda error: problems.append(str(error)))
        response = page.goto("/sign-in")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # app.js (a module script from 'self') ran and switched GOV.UK Frontend on.
        expect(page.locator("body")).to_have_class(
            "govuk-template__body js-enabled govuk-frontend-supported"
        )
        # Both stylesheets applied: GOV.UK Frontend's and the app's own.
        skip_link = page.get_by_role("link", name="Skip to main content")
        assert skip_link.evaluate("e => getComputedStyle(e).position") == "absolute"
        service_name = page.locator(".lr-service-name")
        assert service_name.evaluate("e => getComputedStyle(e).fontWeight") == "700"
        page.close()
        assert not problems, f"errors loading the page (a CSP violation?): {problems}"
    finally:
        context.close()
