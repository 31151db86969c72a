"""The hindsight rule, one for every view: "as known at" D hides every event whose stated date
is after D, and marks those shown whose window reaches past it; approximate dates sort by
their stated date and show their window."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from analysis.chronology.dates import MONTH_ABBRS, When, parse_when
from analysis.chronology.knowledge import as_known_at
from analysis.chronology.merge import EventFacts

FORMS = (
    "{d:%Y-%m-%d}", "{d:%Y-%m-%d} {d:%H:%M}", "{d:%d/%m/%Y}", "{d.day} {mon} {d.year}",
    "{mon} {d.year}", "{d:%m/%Y}", "?/{d:%m/%Y}", "??/{d:%m/%Y}", "{d.year}", "c. {d.year}",
    "c. {mon} {d.year}", "?{d:%d/%m/%Y}", "{d:%d.%m.%y}", "{d.day}-{mon}-{d:%y}",
    "{d:%d/%m/%y}", "{d:%d.%m/%y}", "early {d.year}", "late {d.year}",
    "{d:%Y-%m}~{e:%Y-%m}", "approx {d:%d/%m/%Y} {d:%H:%M}",
)  # fmt: skip
moments = st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2031, 12, 31))


def written(form: str, moment: datetime) -> When:
    later = moment + timedelta(days=90)
    text = form.format(d=moment, e=later, mon=MONTH_ABBRS[moment.month - 1])
    return parse_when(text, latest_year=2030)


@given(
    form=st.sampled_from(FORMS),
    happened=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2029, 12, 31)),
    moment=moments,
)
def test_as_known_at_never_shows_an_event_stated_after_its_moment(
    form: str, happened: datetime, moment: datetime
) -> None:
    when = written(form, happened)
    verdict = when.hindsight(moment)
    if when.stated_start() > moment:
        assert verdict == "hidden"
    else:
        assert verdict in ("known", "uncertain")
        assert (verdict == "uncertain") == (when.latest() > moment)
    facts = EventFacts("E1", None, when.stated_start(), when.latest(), "", frozenset())
    assert (as_known_at([facts], moment) == ["E1"]) == (verdict != "hidden")


def test_approximate_dates_sort_with_their_stated_date_and_show_their_window() -> None:
    written_dates = ["c. 2025", "22 Dec 2023", "8 Jan 2024", "c. Mar 2024", "17 Feb 2024"]
    ordered = sorted((parse_when(t) for t in written_dates), key=When.sort_key)
    assert [w.display() for w in ordered] == [
        "22 Dec 2023",
        "8 Jan 2024",
        "17 Feb 2024",
        "c. Mar 2024",
        "c. 2025",
    ]
    assert parse_when("c. 2025").window_display() == "2024\u20132026"
    assert parse_when("c. Mar 2024").window_display() == "Feb\u2013Apr 2024"
    assert parse_when("Mar 2024").window_display() is None


def test_the_leak_in_the_issue_is_closed() -> None:
    new_year = datetime.combine(date(2024, 1, 1), datetime.max.time())
    assert parse_when("c. 2025").hindsight(new_year) == "hidden"
    assert parse_when("c. 2024").hindsight(new_year) == "uncertain"
    assert parse_when("22 Dec 2023").hindsight(new_year) == "known"
