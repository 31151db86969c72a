"""Reading dates as people write them.

People write dates in many ways; ``parse_when`` accepts the forms in the chronology-import
spec and refuses, with a reason and an example, anything it would otherwise have to guess
(two-digit years, US month-first order, impossible days). ``parse_cell`` reads a spreadsheet
cell the same way.
"""

from __future__ import annotations

import calendar
import difflib
import re
from datetime import date, datetime, time

from analysis.chronology.dates.when import (
    _MAX_YEAR,
    _MIN_YEAR,
    MONTH_ABBRS,
    PRECISIONS,
    DateParseError,
    When,
    _checked,
    _Point,
)

_MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES |= {abbr.lower(): number for number, abbr in enumerate(MONTH_ABBRS, start=1)}
_MONTH_NAMES["sept"] = 9
# "early 2008" and friends stand for these months: a third of the year each.
_PART_OF_YEAR = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}


_GOOD_FORMS = "for example 14/01/2011, 14 Jan 2011, Jan 2011, 2011 or c. 2011"


_TIME = r"(?:,?\s*(?:T|\s)\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2})?)?"
_FORMS = [
    ("iso", re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?" + _TIME, re.ASCII)),
    ("year", re.compile(r"(?P<y>\d{4})", re.ASCII)),
    (
        "numeric",
        re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{1,4})" + _TIME, re.ASCII),
    ),
    ("numeric_month", re.compile(r"(?P<m>\d{1,2})[/.-](?P<y>\d{4})", re.ASCII)),
    ("part", re.compile(r"(?P<part>early|mid|late)[\s-]*(?P<y>\d{4})", re.ASCII | re.IGNORECASE)),
    (
        "named",
        re.compile(
            r"(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s-]+)?(?P<mon>[a-z]+)\.?,?[\s-]+(?P<y>\d{1,4})"
            + _TIME,
            re.ASCII | re.IGNORECASE,
        ),
    ),
]
_APPROXIMATE = re.compile(
    r"^(?:\?\s*|(?:circa|approximately|approx|about|around|ca|c)(?:\.\s*|\s+|(?=\d)))",
    re.ASCII | re.IGNORECASE,
)
# "?/03/2024", "??/03/2024", "xx/03/24": the day is unknown, so the date is a month.
_UNKNOWN_DAY = re.compile(
    r"(?:\?{1,2}|x{1,2}|-{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{2}|\d{4})",
    re.ASCII | re.IGNORECASE,
)
# A time of day as agencies write it: 22:15, 22.15, 2215, 10:15pm, 10pm, 10.15 a.m.
_CLOCK = re.compile(
    r"(?P<H>\d{1,2})(?:(?:[:.h]\s?)(?P<M>\d{2})|(?P<M2>\d{2}))?(?::\d{2})?\s*"
    r"(?P<ampm>[ap])?\.?(?:m\.?)?(?:\s*hrs?)?",
    re.ASCII | re.IGNORECASE,
)
_RANGE = re.compile(r"\s*(?:~|\u2013|\u2014|\bto\b)\s*", re.IGNORECASE)


def _parse_point(text: str, latest_year: int | None = None) -> tuple[_Point, _Point | None]:
    """One written date as (start, end); only ``early 2008``-style parts of a year have an end."""
    unknown_day = _UNKNOWN_DAY.fullmatch(text)
    if unknown_day is not None:
        return _checked(text, unknown_day["y"], unknown_day["m"], latest_year=latest_year), None
    for form, pattern in _FORMS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = match.groupdict()
        if form == "part":
            first, last = _PART_OF_YEAR[groups["part"].lower()]
            return (
                _checked(text, groups["y"], str(first), latest_year=latest_year),
                _checked(text, groups["y"], str(last), latest_year=latest_year),
            )
        if form == "named":
            month = _MONTH_NAMES.get(groups["mon"].lower())
            if month is None:
                raise DateParseError(_unreadable(text, groups["mon"]))
            groups["m"] = str(month)
        if form == "numeric" and int(groups["m"]) > 12 and 1 <= int(groups["d"]) <= 12:
            raise DateParseError(
                f"{text!r} looks like a US date (month first). Dates here are day first: "
                f"write {int(groups['m']):02d}/{int(groups['d']):02d}/{groups['y']}."
            )
        return _checked(
            text,
            groups["y"],
            groups.get("m"),
            groups.get("d"),
            groups.get("H"),
            groups.get("M"),
            latest_year,
        ), None
    raise DateParseError(_unreadable(text, None))


def _unreadable(text: str, month_word: str | None) -> str:
    """Why ``text`` is not a date, with a guess at what was meant where one is likely."""
    message = f"{text!r} is not a date this importer can read"
    if month_word is not None:
        close = difflib.get_close_matches(month_word.lower(), list(_MONTH_NAMES), n=1, cutoff=0.6)
        if close:
            number = _MONTH_NAMES[close[0]]
            guess = re.sub(re.escape(month_word), MONTH_ABBRS[number - 1], text, count=1)
            return f"{message}: did you mean {guess!r} ({calendar.month_name[number]})?"
    return f"{message}: {_GOOD_FORMS}."


def parse_time(text: object) -> tuple[time | None, bool]:
    """Read a time of day as written in a Time column; ``(None, False)`` for a blank cell.

    Takes ``22:15``, ``22.15``, ``2215``, ``10:15pm``, ``10pm``, a ``datetime.time`` from a
    workbook (or a ``datetime`` whose date is Excel's day zero), or a fraction of a day. A
    leading ``?`` (or ``c.``) marks the time uncertain: the second item is then True. Raises
    ``DateParseError`` quoting the cell and suggesting a form when it is not a time.
    """
    if text is None:
        return None, False
    if isinstance(text, datetime):
        return text.time().replace(second=0, microsecond=0), False
    if isinstance(text, time):
        return text.replace(second=0, microsecond=0), False
    if isinstance(text, float) and 0 <= text < 1:
        minutes = round(text * 24 * 60)
        return time(minutes // 60 % 24, minutes % 60), False
    written = " ".join(str(text).split())
    if not written:
        return None, False
    cleaned = written
    marker = _APPROXIMATE.match(cleaned) or re.search(r"\s*\?$", cleaned)
    if marker is not None:
        cleaned = (cleaned[: marker.start()] + cleaned[marker.end() :]).strip()
    match = _CLOCK.fullmatch(cleaned)
    if match is None or (match["M"] is None and match["M2"] is None and match["ampm"] is None):
        raise DateParseError(
            f"{written!r} is not a time this importer can read: write it like 22:15 or 10:15pm."
        )
    hour, minute = int(match["H"]), int(match["M"] or match["M2"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise DateParseError(f"{written!r} is not a time: with am or pm, hours run 1 to 12.")
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        raise DateParseError(f"{written!r} is an impossible time: write it like 22:15.")
    return time(hour, minute), marker is not None


def _with_clock(point: _Point, clock: time, written: str, cell: str) -> _Point:
    if not point.day:
        raise DateParseError(
            f"The time {written!r} needs a day, but the date {cell!r} has none: "
            "leave the time out or give the day."
        )
    return _Point(point.year, point.month, point.day, clock)


def parse_when(
    text: str,
    precision: str | None = None,
    end_text: str | None = None,
    *,
    time_text: object = None,
    end_time_text: object = None,
    latest_year: int | None = None,
) -> When:
    """Read a date as people write it in a chronology.

    Takes ``text`` in any form of the chronology-import spec (``14/01/2011``, ``14 Jan 2011``,
    ``Jan 2011``, ``?/03/2024``, ``2011``, ``c. 2007``, ``?14 Jan 2011``, ``early 2008``,
    ``2007-01~2007-06``, ``22.05.16``, ``22-may-16``, ISO with or without a time…), an optional
    ``precision`` that overrides the one the form implies, an optional ``end_text`` for the end
    of a span, optional ``time_text``/``end_time_text`` from separate time columns (joined to
    the date: precision exact, or approximate after a ``?``), and ``latest_year``, the review's
    last year, which lets two-digit years be read (as the year within the hundred years up to
    it). Returns the canonical ``When``. Raises ``DateParseError`` quoting the cell as written,
    saying why and suggesting a good form, for empty text, two-digit years without
    ``latest_year``, US month-first dates, impossible dates, an end before the start, an
    unknown precision, or anything else it cannot read.
    """
    written = " ".join((text or "").split())
    try:
        return _parse_when(written, precision, end_text, time_text, end_time_text, latest_year)
    except DateParseError as error:
        message = str(error)
        if written and repr(written) not in message:
            message = f"{written!r}: {message}"
        raise DateParseError(message) from None


def _parse_when(
    written: str,
    precision: str | None,
    end_text: str | None,
    time_text: object,
    end_time_text: object,
    latest_year: int | None,
) -> When:
    cleaned = written
    marker = None
    if _UNKNOWN_DAY.fullmatch(cleaned) is None:
        marker = _APPROXIMATE.match(cleaned) or re.search(r"\s*\?$", cleaned)
    is_approximate = marker is not None
    if marker is not None:
        cleaned = (cleaned[: marker.start()] + cleaned[marker.end() :]).strip()
    if not cleaned:
        raise DateParseError(f"The date is empty: write one, {_GOOD_FORMS}.")
    parts = _RANGE.split(cleaned)
    if len(parts) > 2 or not all(parts):
        raise DateParseError(
            f"{written!r} is not a range this importer can read: e.g. 2007-01~2007-06."
        )
    if len(parts) == 2 and end_text and end_text.strip():
        raise DateParseError(f"{written!r} is already a range: give its end only once.")
    start, end = _parse_point(parts[0], latest_year)
    clock, clock_uncertain = parse_time(time_text)
    if clock is not None:
        start = _with_clock(start, clock, _cell_str(time_text), written)
        is_approximate = is_approximate or clock_uncertain
    end_written = parts[1] if len(parts) == 2 else " ".join((end_text or "").split())
    if end_written:
        end_start, end_end = _parse_point(
            _APPROXIMATE.sub("", end_written).rstrip("?"), latest_year
        )
        end = end_end or end_start
    end_clock, _ = parse_time(end_time_text)
    if end_clock is not None:
        end = _with_clock(end or start, end_clock, _cell_str(end_time_text), end_written or written)
    wanted = (precision or "").strip().lower()
    if wanted and wanted not in PRECISIONS:
        raise DateParseError(
            f"Unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}."
        )
    chosen = wanted or ("approximate" if is_approximate else start.form)
    if chosen != "approximate":
        start = _coarsened(start, chosen, written)
        end = _coarsened(end, chosen, written, only_cut=True) if end is not None else None
    end_iso = end.iso() if end is not None and end.iso() != start.iso() else None
    return When(start.iso(), chosen, end_iso)


def _cell_str(value: object) -> str:
    if isinstance(value, datetime | time):
        return f"{value:%H:%M}"
    return " ".join(str(value).split())


def _coarsened(point: _Point, precision: str, text: str, *, only_cut: bool = False) -> _Point:
    """``point`` cut down to ``precision``.

    Refuses a precision finer than what was written, unless ``only_cut`` (for the end of a
    span, which may be written coarser than its start).
    """
    order = ("year", "month", "day", "exact")
    if order.index(precision) > order.index(point.form):
        if only_cut:
            return point
        needs = "a time, e.g. 2011-01-14 09:30" if precision == "exact" else f"a {precision}"
        raise DateParseError(f"The precision {precision!r} needs {needs}, but {text!r} has none.")
    if precision == "year":
        return _Point(point.year)
    if precision == "month":
        return _Point(point.year, point.month)
    if precision == "day":
        return _Point(point.year, point.month, point.day)
    return point


def _cell_text(value: object) -> str:
    """A spreadsheet cell as date text: datetimes as ISO (midnight means a day), else ``str``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time.min:
            return value.date().isoformat()
        return f"{value:%Y-%m-%dT%H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        raise DateParseError(f"{value:%H:%M} is a time without a date: add the day.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and _MIN_YEAR <= value <= _MAX_YEAR:
        return str(value)
    if isinstance(value, str):
        return value
    raise DateParseError(
        f"{value!r} is a number, not a date: format the cell as a date or type it, {_GOOD_FORMS}."
    )


def parse_cell(
    value: object,
    precision: str | None = None,
    end_value: object = None,
    *,
    time_value: object = None,
    end_time_value: object = None,
    latest_year: int | None = None,
) -> When:
    """Read a date from a spreadsheet cell, which may already be a date.

    Takes ``value`` as a reader gives it (``datetime``/``date`` from a workbook, a year as a
    number, or text), an optional ``precision``, an optional ``end_value`` (same kinds),
    optional time cells joined to the start and end, and ``latest_year`` (see ``parse_when``).
    A ``datetime`` at midnight is a day; with a time it is exact. Returns the ``When``.
    Raises ``DateParseError`` as ``parse_when`` does, and for numbers that are not years.
    """
    end_text = _cell_text(end_value) or None
    return parse_when(
        _cell_text(value),
        precision,
        end_text,
        time_text=time_value,
        end_time_text=end_time_value,
        latest_year=latest_year,
    )
