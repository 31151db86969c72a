"""Fuzzy event dates: what a chronology says about *when*, and how sure it is.

A ``When`` holds the bundle's canonical form: ``date`` in ISO (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM``), a precision and an optional ``end_date``. People
write dates in many ways; ``parse_when`` accepts the forms in the chronology-import spec and
refuses, with a reason and an example, anything it would otherwise have to guess (two-digit
years, US month-first order, impossible days).
"""

from __future__ import annotations

import calendar
import difflib
import functools
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
