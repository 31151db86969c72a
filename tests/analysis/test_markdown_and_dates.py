"""Markdown is sanitised; working days skip weekends and England's bank holidays."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.dates import add_working_days, statutory_dates, uk_date
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
