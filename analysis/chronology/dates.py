"""Fuzzy event dates: what a chronology says about *when*, and how sure it is.

A ``When`` holds the bundle's canonical form: ``date`` in ISO (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``), a precision and an optional ``end_date``. People
write dates in many ways; ``parse_when`` accepts the forms in the chronology-import spec and
refuses, with a reason and an example, anything it would otherwise have to guess (two-digit
years, US month-first order, impossible days).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from analysis.dates import uk_date

PRECISIONS = ("exact", "day", "month", "year", "approximate")

EN_DASH = "\u2013"
MONTH_ABBRS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES |= {abbr.lower(): number for number, abbr in enumerate(MONTH_ABBRS, start=1)}
_MONTH_NAMES["sept"] = 9
# "early 2008" and friends stand for these months: a third of the year each.
_PART_OF_YEAR = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
# Years outside this range are typing mistakes, and keep the approximate margins in range.
_MIN_YEAR, _MAX_YEAR = 1000, 9998
_GOOD_FORMS = "for example 14/01/2011, 14 Jan 2011, Jan 2011, 2011 or c. 2011"

_ISO = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:T(?P<H>\d{2}):(?P<M>\d{2}))?)?)?", re.ASCII
)
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
_RANGE = re.compile(r"\s*(?:~|\u2013|\u2014|\bto\b)\s*", re.IGNORECASE)


class DateParseError(ValueError):
    """A date that cannot be read without guessing; the message says why and how to fix it."""


@dataclass(frozen=True)
class When:
    """When something happened: canonical ISO ``date``, ``precision`` and optional end.

    Constructing one validates it and raises ``DateParseError`` when the date is not one of the
    canonical forms, the precision is unknown or does not fit the form, or the end comes before
    the start.
    """

    date: str
    precision: str
    end_date: str | None = None

    def __post_init__(self) -> None:
        start = _Point.from_iso(self.date)
        if self.precision not in PRECISIONS:
            raise DateParseError(
                f"Unknown precision {self.precision!r}: use one of {', '.join(PRECISIONS)}."
            )
        if self.precision != "approximate" and self.precision != start.form:
            raise DateParseError(
                f"The precision {self.precision!r} does not fit the date {self.date!r}, "
                f"which is written to the {start.form}."
            )
        if self.end_date is not None:
            end = _Point.from_iso(self.end_date)
            if end.last() < start.first():
                raise DateParseError(
                    f"The end ({end.display()}) comes before the start ({start.display()})."
                )

    def earliest(self) -> datetime:
        """The first moment the happening could have been, margins for approximation included.

        An approximate date without an end is widened by one year (a year), one month (a
        month), seven days (a day) or one hour (a time); an end date is an exact upper bound.
        """
        start = _Point.from_iso(self.date)
        if self.precision == "approximate" and self.end_date is None:
            return start.shifted(-1).first()
        return start.first()

    def latest(self) -> datetime:
        """The last moment the happening could have been (see ``earliest`` for the margins)."""
        start = _Point.from_iso(self.date)
        if self.end_date is not None:
            return _Point.from_iso(self.end_date).last()
        if self.precision == "approximate":
            return start.shifted(+1).last()
        return start.last()

    def sort_key(self) -> tuple[datetime, datetime, bool, str, str]:
        """A key that orders dates of mixed precision the way a chronology reads.

        Orders by the stated start, then narrower before wider (``14 Jan 2011`` before
        ``Jan 2011`` before ``2011``), then certain before approximate. The stated window is
        used rather than the widened one, so ``c. 2011`` sits with 2011, not among 2010's events.
        """
        start = _Point.from_iso(self.date)
        end = _Point.from_iso(self.end_date) if self.end_date else start
        is_approximate = self.precision == "approximate"
        return (start.first(), end.last(), is_approximate, self.date, self.end_date or "")

    def display(self) -> str:
        """The date as a UK reader expects it: ``14 Jan 2011``, ``c. Jan 2007``, ``2006 to 2008``.

        Spans are joined with an en dash and share what their ends share (``Jan`` to ``Jun
        2007`` shows as one year, ``14`` to ``20 Jan 2011`` as one month).
        """
        start = _Point.from_iso(self.date)
        text = start.display() if self.end_date is None else _display_range(start, self.end_date)
        return f"c. {text}" if self.precision == "approximate" else text


@dataclass(frozen=True)
class _Point:
    """One end of a ``When``: a year, month, day or minute."""

    year: int
    month: int | None = None
    day: int | None = None
    clock: time | None = None

    @classmethod
    def from_iso(cls, text: str) -> _Point:
        match = _ISO.fullmatch(text)
        if match is None:
            raise DateParseError(
                f"{text!r} is not an ISO date: write YYYY, YYYY-MM, YYYY-MM-DD or "
                "YYYY-MM-DDTHH:MM, e.g. 2011-01-14."
            )
        return _checked(text, *(match[key] for key in ("y", "m", "d", "H", "M")))

    @property
    def form(self) -> str:
        if self.clock is not None:
            return "exact"
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        if self.clock is not None:
            text += f"T{self.clock:%H:%M}"
        return text

    def first(self) -> datetime:
        day = date(self.year, self.month or 1, self.day or 1)
        return datetime.combine(day, self.clock or time.min)

    def last(self) -> datetime:
        if self.clock is not None:
            return self.first()
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return datetime.combine(date(self.year, month, day), time.max)

    def shifted(self, step: int) -> _Point:
        """The point moved by one approximation margin in the direction of ``step`` (±1)."""
        if self.clock is not None:
            moved = self.first() + timedelta(hours=step)
            return _Point(moved.year, moved.month, moved.day, moved.time())
        if self.day:
            day = self.first().date() + timedelta(days=7 * step)
            return _Point(day.year, day.month, day.day)
        if self.month:
            months = self.year * 12 + self.month - 1 + step
            return _Point(months // 12, months % 12 + 1)
        return _Point(self.year + step)

    def display(self) -> str:
        if self.day:
            text = uk_date(date(self.year, self.month or 1, self.day))
            return f"{text} {self.clock:%H:%M}" if self.clock is not None else text
        if self.month:
            return f"{MONTH_ABBRS[self.month - 1]} {self.year}"
        return str(self.year)


def _display_range(start: _Point, end_iso: str) -> str:
    end = _Point.from_iso(end_iso)
    same_form = start.form == end.form
    if same_form and start.year == end.year:
        if start.form == "month":
            return f"{MONTH_ABBRS[(start.month or 1) - 1]}{EN_DASH}{end.display()}"
        if start.form == "day":
            shown = f"{start.day} {MONTH_ABBRS[(start.month or 1) - 1]}"
            if start.month == end.month:
                shown = str(start.day)
            return f"{shown}{EN_DASH}{end.display()}"
        if start.form == "exact" and start.first().date() == end.first().date():
            return f"{start.display()}{EN_DASH}{end.clock:%H:%M}"
    return f"{start.display()}{EN_DASH}{end.display()}"


def _checked(
    text: str,
    year: str,
    month: str | None = None,
    day: str | None = None,
    hour: str | None = None,
    minute: str | None = None,
) -> _Point:
    """A ``_Point`` from digit strings, refusing years, months, days and times that don't exist."""
    number = int(year)
    if len(year) != 4:
        digits = {1: "one", 2: "two", 3: "three"}.get(len(year), str(len(year)))
        raise DateParseError(
            f"{text!r} has a {digits}-digit year: write all four digits, e.g. 14/01/2011."
        )
    if not _MIN_YEAR <= number <= _MAX_YEAR:
        raise DateParseError(f"The year {number} in {text!r} is out of range.")
    if month is not None and not 1 <= int(month) <= 12:
        raise DateParseError(f"{text!r} has no month {int(month)}: months run from 1 to 12.")
    if day is not None:
        days_in_month = calendar.monthrange(number, int(month or 1))[1]
        if not 1 <= int(day) <= days_in_month:
            raise DateParseError(
                f"{text!r} is not a real date: {calendar.month_name[int(month or 1)]} {number} "
                f"has {days_in_month} days."
            )
    clock = None
    if hour is not None and minute is not None:
        if day is None:
            raise DateParseError(f"{text!r} has a time but no day: write it like 2011-01-14 09:30.")
        if int(hour) > 23 or int(minute) > 59:
            raise DateParseError(f"{text!r} has an impossible time: write it like 09:30.")
        clock = time(int(hour), int(minute))
    return _Point(
        number,
        int(month) if month is not None else None,
        int(day) if day is not None else None,
        clock,
    )


def _parse_point(text: str) -> tuple[_Point, _Point | None]:
    """One written date as (start, end); only ``early 2008``-style parts of a year have an end."""
    for form, pattern in _FORMS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = match.groupdict()
        if form == "part":
            first, last = _PART_OF_YEAR[groups["part"].lower()]
            return _checked(text, groups["y"], str(first)), _checked(text, groups["y"], str(last))
        if form == "named":
            month = _MONTH_NAMES.get(groups["mon"].lower())
            if month is None:
                break
            groups["m"] = str(month)
        if form == "numeric" and int(groups["m"]) > 12 and 1 <= int(groups["d"]) <= 12:
            raise DateParseError(
                f"{text!r} looks like a US date (month first). Dates here are day first: "
                f"write {int(groups['m']):02d}/{int(groups['d']):02d}/{groups['y']}."
            )
        return _checked(
            text, groups["y"], groups.get("m"), groups.get("d"), groups.get("H"), groups.get("M")
        ), None
    raise DateParseError(f"{text!r} is not a date this importer can read: {_GOOD_FORMS}.")


def parse_when(text: str, precision: str | None = None, end_text: str | None = None) -> When:
    """Read a date as people write it in a chronology.

    Takes ``text`` in any form of the chronology-import spec (``14/01/2011``, ``14 Jan 2011``,
    ``Jan 2011``, ``2011``, ``c. 2007``, ``?14 Jan 2011``, ``early 2008``,
    ``2007-01~2007-06``, ISO with or without a time…), an optional ``precision`` that
    overrides the one the form implies, and an optional ``end_text`` for the end of a span.
    Returns the canonical ``When``. Raises ``DateParseError`` saying why, with an example of
    a good form, for empty text, two-digit years, US month-first dates, impossible dates,
    an end before the start, an unknown precision, or anything else it cannot read.
    """
    cleaned = " ".join((text or "").split())
    marker = _APPROXIMATE.match(cleaned) or re.search(r"\s*\?$", cleaned)
    is_approximate = marker is not None
    if marker is not None:
        cleaned = (cleaned[: marker.start()] + cleaned[marker.end() :]).strip()
    if not cleaned:
        raise DateParseError(f"The date is empty: write one, {_GOOD_FORMS}.")
    parts = _RANGE.split(cleaned)
    if len(parts) > 2 or not all(parts):
        raise DateParseError(
            f"{text!r} is not a range this importer can read: e.g. 2007-01~2007-06."
        )
    if len(parts) == 2 and end_text and end_text.strip():
        raise DateParseError(f"{text!r} is already a range: give its end only once.")
    start, end = _parse_point(parts[0])
    end_written = parts[1] if len(parts) == 2 else " ".join((end_text or "").split())
    if end_written:
        end_start, end_end = _parse_point(_APPROXIMATE.sub("", end_written).rstrip("?"))
        end = end_end or end_start
    wanted = (precision or "").strip().lower()
    if wanted and wanted not in PRECISIONS:
        raise DateParseError(
            f"Unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}."
        )
    chosen = wanted or ("approximate" if is_approximate else start.form)
    if chosen != "approximate":
        start = _coarsened(start, chosen, text)
        end = _coarsened(end, chosen, text, only_cut=True) if end is not None else None
    end_iso = end.iso() if end is not None and end.iso() != start.iso() else None
    return When(start.iso(), chosen, end_iso)


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


def when_from_bundle(date: str, precision: str, end_date: str | None) -> When:
    """Take a date from a review bundle, which must already be canonical.

    Takes the event's ``date`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``),
    ``date_precision`` and ``end_date`` (same forms, or ``None``). Returns the ``When``.
    Raises ``DateParseError`` when a form, the precision or the order of the ends is wrong.
    """
    return When(date, precision, end_date)


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


def parse_cell(value: object, precision: str | None = None, end_value: object = None) -> When:
    """Read a date from a spreadsheet cell, which may already be a date.

    Takes ``value`` as a reader gives it (``datetime``/``date`` from a workbook, a year as a
    number, or text), an optional ``precision`` and an optional ``end_value`` (same kinds). A
    ``datetime`` at midnight is a day; with a time it is exact. Returns the ``When``.
    Raises ``DateParseError`` as ``parse_when`` does, and for numbers that are not years.
    """
    end_text = _cell_text(end_value) or None
    return parse_when(_cell_text(value), precision, end_text)
