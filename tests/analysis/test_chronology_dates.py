"""Fuzzy event dates: every accepted form, every refused one with its reason, order, windows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis.chronology.dates import (
    DateParseError,
    When,
    parse_cell,
    parse_when,
    when_from_bundle,
)

D = "\u2013"  # the en dash that joins the ends of a span


@pytest.mark.parametrize(
    ("text", "canonical", "precision", "shown"),
    [
        ("2011-01-14", "2011-01-14", "day", "14 Jan 2011"),
        ("2011-01-14 09:30", "2011-01-14T09:30", "exact", "14 Jan 2011 09:30"),
        ("2011-01-14T09:30", "2011-01-14T09:30", "exact", "14 Jan 2011 09:30"),
        ("14/01/2011", "2011-01-14", "day", "14 Jan 2011"),
        ("14/01/2011 09:30", "2011-01-14T09:30", "exact", "14 Jan 2011 09:30"),
        ("4/1/2011", "2011-01-04", "day", "4 Jan 2011"),
        ("14 Jan 2011", "2011-01-14", "day", "14 Jan 2011"),
        ("14 January 2011", "2011-01-14", "day", "14 Jan 2011"),
        ("14th January 2011", "2011-01-14", "day", "14 Jan 2011"),
        ("14-Jan-2011", "2011-01-14", "day", "14 Jan 2011"),
        ("January 2011", "2011-01", "month", "Jan 2011"),
        ("Jan 2011", "2011-01", "month", "Jan 2011"),
        ("Sept 2011", "2011-09", "month", "Sep 2011"),
        ("2011-01", "2011-01", "month", "Jan 2011"),
        ("01/2011", "2011-01", "month", "Jan 2011"),
        ("2011", "2011", "year", "2011"),
        ("  2011 ", "2011", "year", "2011"),
        ("c. 2007", "2007", "approximate", "c. 2007"),
        ("c.2007", "2007", "approximate", "c. 2007"),
        ("circa 2007", "2007", "approximate", "c. 2007"),
        ("approx 2007", "2007", "approximate", "c. 2007"),
        ("approx. Jan 2007", "2007-01", "approximate", "c. Jan 2007"),
        ("?14 Jan 2011", "2011-01-14", "approximate", "c. 14 Jan 2011"),
        ("2007?", "2007", "approximate", "c. 2007"),
    ],
)
def test_accepted_forms(text: str, canonical: str, precision: str, shown: str) -> None:
    when = parse_when(text)
    assert (when.date, when.precision, when.end_date) == (canonical, precision, None)
    assert when.display() == shown


@pytest.mark.parametrize(
    ("text", "expected", "shown"),
    [
        ("early 2008", When("2008-01", "month", "2008-04"), f"Jan{D}Apr 2008"),
        ("mid 2008", When("2008-05", "month", "2008-08"), f"May{D}Aug 2008"),
        ("late 2008", When("2008-09", "month", "2008-12"), f"Sep{D}Dec 2008"),
        ("mid-2008", When("2008-05", "month", "2008-08"), f"May{D}Aug 2008"),
        ("2007-01~2007-06", When("2007-01", "month", "2007-06"), f"Jan{D}Jun 2007"),
        ("2006-12~2007-02", When("2006-12", "month", "2007-02"), f"Dec 2006{D}Feb 2007"),
        ("2011-01-14~2011-01-20", When("2011-01-14", "day", "2011-01-20"), f"14{D}20 Jan 2011"),
        (
            "14 Jan 2011 to 3 Feb 2011",
            When("2011-01-14", "day", "2011-02-03"),
            f"14 Jan{D}3 Feb 2011",
        ),
        ("2006~2008", When("2006", "year", "2008"), f"2006{D}2008"),
    ],
)
def test_ranges_and_parts_of_a_year(text: str, expected: When, shown: str) -> None:
    when = parse_when(text)
    assert when == expected
    assert when.display() == shown


def test_end_text_gives_the_end_and_precision_wins() -> None:
    assert parse_when("Jan 2007", end_text="Jun 2007") == When("2007-01", "month", "2007-06")
    about = parse_when("2020-06-21", "approximate")
    assert about == When("2020-06-21", "approximate")
    assert about.display() == "c. 21 Jun 2020"
    assert parse_when("14/01/2011", "Month") == When("2011-01", "month")
    assert parse_when("c. early 2008").display() == f"c. Jan{D}Apr 2008"
    same_day = parse_when("2011-01-14 09:30", end_text="2011-01-14 11:00")
    assert same_day.display() == f"14 Jan 2011 09:30{D}11:00"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("14/01/11", "two-digit year"),
        ("14 Jan 11", "two-digit year"),
        ("01/31/2011", "US date"),
        ("31/02/2011", "not a real date"),
        ("29/02/2011", "February 2011 has 28 days"),
        ("13/13/2011", "no month 13"),
        ("2011-01-14 25:00", "impossible time"),
        ("", "empty"),
        ("   ", "empty"),
        ("c. ", "empty"),
        ("?", "empty"),
        ("next Tuesday", "not a date"),
        ("Foo 2011", "not a date"),
        ("2011-06~2011-01", "comes before the start"),
        ("0999", "out of range"),
    ],
)
def test_refused_forms_say_why(text: str, reason: str) -> None:
    with pytest.raises(DateParseError, match=reason) as raised:
        parse_when(text)
    assert isinstance(raised.value, ValueError)


def test_us_order_error_shows_the_day_first_form() -> None:
    with pytest.raises(DateParseError, match="day first: write 31/01/2011"):
        parse_when("01/31/2011")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("2011", "weekly"), "Unknown precision"),
        (("2011-01-14", "exact"), "needs a time"),
        (("Jan 2011", "day"), "needs a day"),
        (("Jun 2011", None, "Jan 2011"), "comes before the start"),
        (("2007-01~2007-06", None, "2008"), "already a range"),
    ],
)
def test_refused_combinations(args: tuple[str, ...], reason: str) -> None:
    with pytest.raises(DateParseError, match=reason):
        parse_when(*args)


def test_bundle_dates_must_be_canonical() -> None:
    assert when_from_bundle("2011-01-14T09:30", "exact", None).display() == "14 Jan 2011 09:30"
    assert when_from_bundle("2007", "approximate", "2007-06").display() == f"c. 2007{D}Jun 2007"
    for bad in (
        ("14/01/2011", "day", None),
        ("2011-01-14", "month", None),
        ("2011-02-30", "day", None),
        ("2011-01", "moonth", None),
        ("2011-06", "month", "2011-01"),
        ("2011-01", "month", "June"),
    ):
        with pytest.raises(DateParseError):
            when_from_bundle(*bad)


def test_cells_from_a_workbook() -> None:
    assert parse_cell(datetime(2011, 1, 14)) == When("2011-01-14", "day")
    assert parse_cell(datetime(2011, 1, 14, 9, 30)) == When("2011-01-14T09:30", "exact")
    assert parse_cell(date(2011, 1, 14), end_value=date(2011, 1, 20)).end_date == "2011-01-20"
    assert parse_cell(2011) == When("2011", "year")
    assert parse_cell(2011.0, "approximate") == When("2011", "approximate")
    assert parse_cell("Jan 2011") == When("2011-01", "month")
    for bad in (40557, 3.5, None, True):
        with pytest.raises(DateParseError):
            parse_cell(bad)


def test_mixed_precisions_sort_as_a_chronology_reads() -> None:
    # By the stated start, then narrower before wider, then certain before approximate.
    written = [
        "2012",
        "c. 2011",
        "Feb 2011",
        "2011",
        "14 Jan 2011",
        "2011-01-14 09:30",
        "Jan 2011",
        "early 2011",
        "2010-12-31",
    ]
    ordered = sorted((parse_when(text) for text in written), key=When.sort_key)
    assert [when.display() for when in ordered] == [
        "31 Dec 2010",
        "Jan 2011",
        f"Jan{D}Apr 2011",
        "2011",
        "c. 2011",
        "14 Jan 2011",
        "14 Jan 2011 09:30",
        "Feb 2011",
        "2012",
    ]


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2011-01-14 09:30", datetime(2011, 1, 14, 9, 30), datetime(2011, 1, 14, 9, 30)),
        ("14/01/2011", datetime(2011, 1, 14), datetime(2011, 1, 14, 23, 59, 59, 999999)),
        ("Feb 2012", datetime(2012, 2, 1), datetime(2012, 2, 29, 23, 59, 59, 999999)),
        ("2011", datetime(2011, 1, 1), datetime(2011, 12, 31, 23, 59, 59, 999999)),
        ("2007-01~2007-06", datetime(2007, 1, 1), datetime(2007, 6, 30, 23, 59, 59, 999999)),
        ("c. 2007", datetime(2006, 1, 1), datetime(2008, 12, 31, 23, 59, 59, 999999)),
        ("c. Jan 2007", datetime(2006, 12, 1), datetime(2007, 2, 28, 23, 59, 59, 999999)),
        ("?14 Jan 2011", datetime(2011, 1, 7), datetime(2011, 1, 21, 23, 59, 59, 999999)),
        ("c. 2011-01-14 09:30", datetime(2011, 1, 14, 8, 30), datetime(2011, 1, 14, 10, 30)),
    ],
)
def test_windows(text: str, earliest: datetime, latest: datetime) -> None:
    when = parse_when(text)
    assert (when.earliest(), when.latest()) == (earliest, latest)


def test_an_approximate_date_with_an_end_is_bounded_by_it() -> None:
    when = parse_when("c. 2007", end_text="Jun 2007")
    assert when.earliest() == datetime(2007, 1, 1)
    assert when.latest() == datetime(2007, 6, 30, 23, 59, 59, 999999)
