"""Markdown is sanitised; working days skip weekends and England's bank holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analysis.dates import add_working_days, statutory_dates, uk_date, uk_moment, uk_today
from analysis.markdown import render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<p style="color:red" onclick="x()">hi</p>',
        "[x](vbscript:msgbox(1))",
        '<iframe src="https://example.org"></iframe>',
    ],
)
def test_dangerous_markdown_is_neutralised(source: str) -> None:
    html = render_markdown(source).lower()
    for bad in (
        "<script",
        "javascript:",
        "onerror",
        "onclick",
        "style=",
        "data:",
        "vbscript:",
        "<iframe",
        "<img",
    ):
        assert bad not in html


def test_ordinary_markdown_survives() -> None:
    html = render_markdown("**bold** and [a link](https://example.org)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 3, 24), 5, date(2025, 3, 31)),  # Monday + 5 working days
        (date(2025, 4, 16), 5, date(2025, 4, 25)),  # over Good Friday and Easter Monday
        (date(2025, 12, 19), 5, date(2025, 12, 30)),  # over Christmas and Boxing Day
        (date(2025, 8, 22), 1, date(2025, 8, 26)),  # the August bank holiday (England)
        (date(2025, 3, 21), 0, date(2025, 3, 21)),
    ],
)
def test_add_working_days(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days) == expected


def test_statutory_dates() -> None:
    due = statutory_dates(date(2025, 3, 24))
    assert due == {"notification_due": date(2025, 3, 31), "rapid_review_due": date(2025, 4, 14)}
    assert statutory_dates(None) == {"notification_due": None, "rapid_review_due": None}


def test_uk_date() -> None:
    assert uk_date(date(2011, 1, 14)) == "14 Jan 2011"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 7, 1, 8, 30, tzinfo=UTC), "1 Jul 2026 09:30 BST"),
        (datetime(2026, 12, 1, 8, 30, tzinfo=UTC), "1 Dec 2026 08:30 GMT"),
        (datetime(2026, 6, 30, 23, 30), "1 Jul 2026 00:30 BST"),  # SQLite: a zone-less UTC time
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 Mar 2026 02:00 BST"),  # clocks go forward
    ],
)
def test_uk_moment_shows_uk_time_with_its_zone(moment: datetime, expected: str) -> None:
    assert uk_moment(moment) == expected


def test_uk_today_is_the_uk_day_not_the_servers() -> None:
    # 23:30 UTC on 30 June is already 1 July in the UK (BST); in December UTC and UK agree.
    assert uk_today(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert uk_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)
