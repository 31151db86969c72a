"""Browser fixtures: a live server on a separate "browser" database with the demo loaded,
one headless Chromium for the session, a fresh context per test, and an axe-core check.

The database is the kind chosen by LR_TEST_DB (see tests/conftest.py). The server runs the
real app (its own engine, real commits), so these tests never use the rolled-back
``connection`` fixture: what a test creates stays in the browser database for the session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    sync_playwright,
)
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.demo import DEMO_PASSWORD, seed_demo
from app.report_generation import render_settings
from models import Review
from models.audit.chain import Actor
from models.engine import make_engine, make_session_factory
from tests.conftest import fresh_database_url, migrate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = PROJECT_ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TIMEOUT_MS = 10_000
# How long a page's poll or request may take to answer on a busy machine. Tests wait for the
# answers (see wait_for_polls), so this is only the point at which they give up.
POLL_WAIT_MS = 60_000

CHAIR = "chair@demo.example.org"
LEAD = "lead@demo.example.org"
ADMIN = "admin@demo.example.org"
DEMO_REVIEW_TITLE = "Child F: local child safeguarding practice review"


@pytest.fixture(scope="session")
def browser_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """An empty, migrated database of the kind under test, named "browser"."""
    # Under pytest-xdist each worker gets its own database (and server).
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    name = f"browser_{worker}" if worker else "browser"
    url = fresh_database_url(name, tmp_path_factory.mktemp("browser-db"))
    migrate(url)
    return url


@pytest.fixture(scope="session")
def browser_app(browser_database_url: str, cache_dirs: dict[str, str]) -> Iterator[Flask]:
    """The real app on the browser database, with the demo partnership, users and review."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": browser_database_url, **cache_dirs})
    # seed_demo checks passwords against the app's settings, so it needs an app context.
    with app.app_context():
        engine = make_engine(browser_database_url)
        session = make_session_factory(engine)()
        session.info["actor"] = Actor(None, "browser-test-setup")
        try:
            seed_demo(session, render=render_settings())
            session.commit()
        finally:
            session.close()
            engine.dispose()
    try:
        yield app
    finally:
        app.extensions["lr_engine"].dispose()


@pytest.fixture(scope="session")
def review_path(browser_app: Flask) -> Callable[[str], str]:
    """review_path(title): the path of the review with that title ("/reviews/<id>") in the
    browser database, so that no test depends on the order in which reviews were created."""

    def find(title: str) -> str:
        session = make_session_factory(browser_app.extensions["lr_engine"])()
        try:
            ids = session.scalars(select(Review.id).where(Review.title == title)).all()
        finally:
            session.close()
        assert len(ids) == 1, f"{len(ids)} reviews are called {title!r}"
        return f"/reviews/{ids[0]}"

    return find


@pytest.fixture(scope="session")
def demo_review(review_path: Callable[[str], str]) -> str:
    """The path of the demo review "Child F" ("/reviews/<id>")."""
    return review_path(DEMO_REVIEW_TITLE)


def _read_whole(app: Flask) -> Any:
    """``app`` answering with its whole body read and its file closed: Werkzeug's development
    server leaves a static file open when the browser drops the connection first (a page it
    navigates away from), and the warning would fail whichever test runs next."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(browser_app: Flask) -> Iterator[str]:
    """The app served over HTTP from a background thread; yields its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, _read_whole(browser_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    # bypass_csp: the app's CSP (script-src 'self') would block the injected axe-core script.
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _describe(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"]
    for node in violation["nodes"]:
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA) on the page; fail on any violation."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=AXE_PATH)
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations;
        }""",
        AXE_TAGS,
    )
    assert not violations, f"axe found accessibility problems on {page.url}:\n" + "\n".join(
        _describe(v) for v in violations
    )


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form; waits until the browser has left the sign-in page."""
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def fill_date(scope: Page | Locator, legend: str, day: int, month: int, year: int) -> None:
    """Type a date into a GOV.UK date input (day, month and year boxes) as a person does."""
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(day))
    group.get_by_label("Month", exact=True).fill(str(month))
    group.get_by_label("Year", exact=True).fill(str(year))


def wait_for_polls(page: Page, url_part: str, count: int = 2) -> None:
    """Wait for the page's next ``count`` answers from the poll whose URL contains ``url_part``.

    The pages poll on a timer, one request at a time, each sent after the last one's answer:
    so of the answers that arrive after a change, the second was asked for after it. Waiting
    for two answers, not for a number of seconds, makes sure the page has heard of the change
    however slow the machine is.
    """
    for _ in range(count):
        with page.expect_response(lambda r: url_part in r.url, timeout=POLL_WAIT_MS):
            pass
