"""Suggest chronology entries from different agencies that record the same happening.

Each agency writes its own chronology, so one incident (a police call-out that ends in the
emergency department) often appears once per agency. ``suggest_merges`` proposes such pairs
for a person to confirm; nothing is merged here. ``conflicts`` lists what two entries disagree
on, so the merge screen can show both versions side by side.

Dates are windows ``[earliest, latest]``: an entry known only to the month spans the month.
Two entries can only be the same happening when their windows overlap or lie within a day of
each other, so candidates are found by sorting on ``earliest`` and sweeping forward, never by
comparing every pair.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from analysis.dates import uk_date

# Entries recorded a day apart can still be one happening (a late-evening call-out written up
# the next morning, or an approximate time on one side).
DATE_TOLERANCE = timedelta(days=1)
# A wide window (an entry known only to the year) would otherwise meet every later entry: it
# is compared with at most this many of the entries that start after it.
MAX_COMPARISONS_PER_EVENT = 200
# How much each kind of evidence weighs. Shared people and a matching date alone stay below
# the default threshold: the wording has to agree at least a little.
TEXT_WEIGHT = 0.6
PEOPLE_WEIGHT = 0.25
DATE_WEIGHT = 0.15
# Below this, two descriptions say materially different things.
SAME_DETAILS_RATIO = 0.9
# Words kept to this length, so "injured" and "injury", "visit" and "visited" match.
_STEM_LENGTH = 5
_WORD = re.compile(r"[a-z0-9]+")
# Common words that say nothing about what happened. Negations ("not", "no", "never") stay:
# "child seen" and "child not seen" must not look alike.
_STOP_WORD_TEXT = """
    a about after again all also am an and any are as at be been before being both but by
    can could did do does doing during each for from had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself
    of off on once only or other our ours out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours
"""
_STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())


@dataclass(frozen=True)
class EventFacts:
    """A chronology entry as the analysis sees it.

    ``agency`` and ``people`` hold refs; ``earliest`` and ``latest`` bound when it happened.
    """

    ref: str
    agency: str | None
    earliest: datetime
    latest: datetime
    description: str
    people: frozenset[str]
    deleted: bool = False


@dataclass(frozen=True)
class MergeSuggestion:
    """Two entries (``first`` starts no later than ``second``) that may be one happening."""

    first: str
    second: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MergeSide:
    """One of two entries about to be merged, as the merge screen shows it."""

    agency: str | None
    date_display: str
    earliest: datetime
    latest: datetime
    description: str


@dataclass(frozen=True)
class Conflict:
    """A field on which two entries disagree, with each side's value."""

    field: str
    first: str
    second: str


@dataclass(frozen=True, slots=True)
class _Candidate:
    event: EventFacts
    agency: str
    words: frozenset[str]
    # The last moment an entry starting later can begin and still be compared with this one.
    reach: datetime
    # How many days wider than a single day the window is (0 for an entry known to the day).
    extra_days: float
    middle: datetime


def suggest_merges(
    events: Sequence[EventFacts], *, limit: int = 200, min_score: float = 0.45
) -> list[MergeSuggestion]:
    """Pairs of entries from different agencies that are likely the same happening.

    Takes the review's entries. Deleted entries and entries without an agency are skipped.
    Two entries are compared only when their agencies differ and their date windows overlap
    or lie within a day of each other; each entry meets at most ``MAX_COMPARISONS_PER_EVENT``
    entries that start after it. The score (0 to 1) weighs similar wording (shared words once
    common words are dropped), shared people and how close and precise the dates are.

    Returns at most ``limit`` suggestions scoring at least ``min_score``, best first (ties by
    refs), each with its reasons in plain words.

    Raises ``ValueError`` when ``limit`` is negative, ``min_score`` is outside 0 to 1, or an
    entry's ``latest`` is before its ``earliest``.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    if not 0.0 <= min_score <= 1.0:
        raise ValueError("min_score must be between 0 and 1")
    candidates = sorted(
        (_candidate(event, event.agency) for event in events if event.agency and not event.deleted),
        key=lambda candidate: (candidate.event.earliest, candidate.event.ref),
    )
    # Reasons are worded only for the pairs that make the list.
    best = heapq.nsmallest(
        limit,
        _scored_pairs(candidates, min_score),
        key=lambda pair: (-pair[0], pair[1].event.ref, pair[2].event.ref),
    )
    return [_suggestion(left.event, right.event, score, text) for score, left, right, text in best]


def conflicts(a: MergeSide, b: MergeSide) -> list[Conflict]:
    """What two entries about to be merged disagree on.

    Takes the two sides. Returns a ``"date"`` conflict when their date windows differ (another
    day, another time or another precision) or are displayed differently, and a ``"details"``
    conflict when their descriptions are less than 90% alike once case and spacing are
    ignored; each conflict carries both sides' values, ``a`` first. Returns an empty list
    when they agree. Raises nothing.
    """
    found = []
    if (a.earliest, a.latest) != (b.earliest, b.latest) or a.date_display != b.date_display:
        found.append(Conflict("date", a.date_display, b.date_display))
    if _details_ratio(a.description, b.description) < SAME_DETAILS_RATIO:
        found.append(Conflict("details", a.description, b.description))
    return found


def _scored_pairs(
    candidates: Sequence[_Candidate], min_score: float
) -> Iterator[tuple[float, _Candidate, _Candidate, float]]:
    """(score, earlier, later, wording likeness) for compared pairs scoring ``min_score`` or more.

    ``candidates`` are sorted by earliest time.
    """
    for index, left in enumerate(candidates):
        stop = min(len(candidates), index + 1 + MAX_COMPARISONS_PER_EVENT)
        for position in range(index + 1, stop):
            right = candidates[position]
            # Sorted by earliest: once one starts beyond reach, all later ones do too.
            if right.event.earliest > left.reach:
                break
            if right.agency == left.agency:
                continue
            text, people, date = _likeness(left, right)
            score = round(TEXT_WEIGHT * text + PEOPLE_WEIGHT * people + DATE_WEIGHT * date, 3)
            if score >= min_score:
                yield score, left, right, text


def _candidate(event: EventFacts, agency: str) -> _Candidate:
    if event.latest < event.earliest:
        raise ValueError(f"event {event.ref}: latest is before earliest")
    width_days = (event.latest - event.earliest) / timedelta(days=1)
    return _Candidate(
        event=event,
        agency=agency,
        words=_words(event.description),
        reach=event.latest + DATE_TOLERANCE,
        extra_days=max(0.0, width_days - 1),
        middle=event.earliest + (event.latest - event.earliest) / 2,
    )


def _words(text: str) -> frozenset[str]:
    """Lowercase words without common words, cut to a short stem."""
    return frozenset(
        word[:_STEM_LENGTH] for word in _WORD.findall(text.lower()) if word not in _STOP_WORDS
    )


def _likeness(left: _Candidate, right: _Candidate) -> tuple[float, float, float]:
    """Wording, people and date likeness, each 0 to 1; ``right`` starts no earlier."""
    shared_words = len(left.words & right.words)
    text = 2 * shared_words / (len(left.words) + len(right.words)) if shared_words else 0.0
    first_people, second_people = left.event.people, right.event.people
    shared_people = len(first_people & second_people)
    # Shared over the smaller list: one agency often names fewer of the people present.
    people = shared_people / min(len(first_people), len(second_people)) if shared_people else 0.0
    # 1.0 for windows that overlap within a day; less as the windows widen, or as their
    # middles part when they do not overlap (half for two days in a row, hardly less for two
    # times an hour apart).
    date = 1 / (1 + max(left.extra_days, right.extra_days) / 7)
    if right.event.earliest > left.event.latest:
        date /= 1 + abs(right.middle - left.middle) / DATE_TOLERANCE
    return text, people, date


def _suggestion(
    first: EventFacts, second: EventFacts, score: float, text: float
) -> MergeSuggestion:
    first_date, second_date = _window_text(first), _window_text(second)
    overlap = second.earliest <= first.latest
    if first_date == second_date and first.earliest.date() == first.latest.date():
        reasons = [f"{'dates overlap' if overlap else 'same day'} (both {first_date})"]
    elif overlap:
        reasons = [f"dates overlap ({first_date} and {second_date})"]
    else:
        reasons = [f"dates within a day ({first_date} and {second_date})"]
    if text:
        reasons.append(f"{'similar' if text >= 0.5 else 'some shared'} wording ({text:.0%})")
    if shared_people := first.people & second.people:
        reasons.append("both involve " + ", ".join(sorted(shared_people, key=_natural)))
    return MergeSuggestion(first.ref, second.ref, score, tuple(reasons))


def _window_text(event: EventFacts) -> str:
    start, end = event.earliest.date(), event.latest.date()
    return uk_date(start) if start == end else f"{uk_date(start)} to {uk_date(end)}"


def _natural(ref: str) -> tuple[str, int, str]:
    """Sort "P2" before "P10"."""
    match = re.fullmatch(r"(.*?)(\d+)", ref)
    return (match.group(1), int(match.group(2)), ref) if match else (ref, -1, ref)


def _details_ratio(first: str, second: str) -> float:
    # Whole text, common words kept: "seen" against "not seen" is a material difference.
    left, right = " ".join(first.lower().split()), " ".join(second.lower().split())
    if left == right:
        return 1.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()
