"""A fuzzy event date, ``When``, and how it reads.

A ``When`` holds the bundle's canonical form: ``date`` in ISO (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``), a precision and an optional ``end_date``.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from analysis.dates import uk_date

PRECISIONS = ("exact", "day", "month", "year", "approximate")

EN_DASH = "\u2013"
MONTH_ABBRS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# Years outside this range are typing mistakes, and keep the approximate margins in range.
_MIN_YEAR, _MAX_YEAR = 1000, 9998


_ISO = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:T(?P<H>\d{2}):(?P<M>\d{2}))?)?)?", re.ASCII
)


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

    def stated_start(self) -> datetime:
        """The first moment of the date as written, without an approximation's margin: the
        moment a chronology orders by, and the one the hindsight guard compares with."""
        return _Point.from_iso(self.date).first()

    def window_display(self) -> str | None:
        """For an approximate date, the window it could lie in (``c. 2025``: ``2024-2026``);
        None for any other date, whose window is what it shows."""
        if self.precision != "approximate":
            return None
        start = _Point.from_iso(self.date)
        low = start if self.end_date is not None else start.shifted(-1)
        high = self.end_date or start.shifted(+1).iso()
        return _display_range(low, high)

    def hindsight(self, moment: datetime) -> str:
        """How an event dated so stands "as known at" ``moment`` (the one hindsight rule).

        ``"hidden"`` when its stated date begins after ``moment``: it could not have been
        known then; ``"uncertain"`` when it is shown but its window reaches past ``moment``
        (it may have happened later: the views mark it); else ``"known"``.
        """
        if self.stated_start() > moment:
            return "hidden"
        if self.latest() > moment:
            return "uncertain"
        return "known"

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
        return _point_from_iso(text)

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


def two_digit_year(year: int, latest_year: int) -> int:
    """The year ending in the two digits ``year`` within the hundred years up to ``latest_year``.

    Chronolator-style files write ``22/05/16``; a review ending in 2024 reads ``16`` as 2016 and
    ``98`` as 1998. Takes the two-digit ``year`` (0-99) and the review's last year.
    """
    candidate = latest_year - (latest_year - year) % 100
    return candidate


@functools.lru_cache(maxsize=8192)
def _point_from_iso(text: str) -> _Point:
    """A canonical date's point, read once per distinct text (a chronology repeats its days,
    and each ``When`` reads its date several times; points are immutable)."""
    match = _ISO.fullmatch(text)
    if match is None:
        raise DateParseError(
            f"{text!r} is not an ISO date: write YYYY, YYYY-MM, YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM, e.g. 2011-01-14."
        )
    return _checked(text, match["y"], match["m"], match["d"], match["H"], match["M"])


def _checked(
    text: str,
    year: str,
    month: str | None = None,
    day: str | None = None,
    hour: str | None = None,
    minute: str | None = None,
    latest_year: int | None = None,
) -> _Point:
    """A ``_Point`` from digit strings, refusing years, months, days and times that don't exist.

    A two-digit year is read with ``two_digit_year`` when ``latest_year`` is given.
    """
    number = int(year)
    if len(year) == 2 and latest_year is not None:
        number = two_digit_year(number, latest_year)
    elif len(year) != 4:
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


def age_at(born: date, when: When) -> str:
    """A child's age at an event, as a chronology gives it: "3 weeks", "7 months",
    "2 years 3 months", "before birth"; "about ..." when the date is not known to the day."""
    moment = when.stated_start().date()
    if moment < born:
        return "before birth"
    months = (moment.year - born.year) * 12 + moment.month - born.month
    if moment.day < born.day:
        months -= 1
    if months < 1:
        weeks = (moment - born).days // 7
        text = f"{weeks} week{'s' if weeks != 1 else ''}" if weeks else "newborn"
    elif months < 24:
        text = f"{months} month{'s' if months != 1 else ''}"
    else:
        years, rest = divmod(months, 12)
        text = f"{years} years" + (f" {rest} month{'s' if rest != 1 else ''}" if rest else "")
    precise = when.precision in ("day", "exact")
    return text if precise else f"about {text}"


def day_first(iso: str) -> str:
    """A canonical date as a UK user types it back: ``14/01/2011``, ``14/01/2011 09:30``,
    ``Jan 2011`` or ``2011`` (what an edit form shows). Raises ``DateParseError`` for a date
    that is not canonical."""
    point = _Point.from_iso(iso)
    if point.day:
        text = f"{point.day:02d}/{point.month:02d}/{point.year:04d}"
        return f"{text} {point.clock:%H:%M}" if point.clock is not None else text
    return point.display()


def when_from_bundle(date: str, precision: str, end_date: str | None) -> When:
    """Take a date from a review bundle, which must already be canonical.

    Takes the event's ``date`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``),
    ``date_precision`` and ``end_date`` (same forms, or ``None``). Returns the ``When``.
    Raises ``DateParseError`` when a form, the precision or the order of the ends is wrong.
    """
    return When(date, precision, end_date)
