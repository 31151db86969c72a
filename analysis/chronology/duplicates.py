"""Likely duplicates as groups: one happening recorded by several agencies is one suggestion.

An emergency-department attendance is written up by the hospital, by children's social care
when the hospital rings them, and by the police who took the child there: three entries, at
three different times of the same day (each agency records when it heard). ``duplicate_groups``
finds such entries across agencies, weighing their date windows (each at its own precision,
so "Mar 2024" meets "14 Mar 2024"), their wording, the people they name and the kind of
happening they describe, and joins them into groups holding at most one entry per agency.
A group the user dismissed is remembered by its refs and never offered again, nor is any pair
inside it.

Pure: takes ``EventFacts`` and plain sets of refs; the caller stores dismissals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from analysis.chronology.merge import EventFacts
from analysis.dates import uk_date

# Entries of the same happening are written up to this long apart (a late-night call-out
# recorded the next morning).
REACH = timedelta(days=1, hours=12)
# An entry meets at most this many of the entries that start after it (a year-wide window
# would otherwise meet everything).
MAX_COMPARISONS = 400
MIN_SCORE = 0.5
TEXT_WEIGHT = 0.45
PEOPLE_WEIGHT = 0.2
DATE_WEIGHT = 0.2
KIND_WEIGHT = 0.15
_STEM = 5
_WORD = re.compile(r"[a-z0-9&]+")
_STOP_TEXT = """
    a about after again all also am an and any are as at be been before being both but by
    can could did do does during each for from had has have he her here him his how i if in
    into is it its me more most my of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with
    would you your"""
_STOP = frozenset(_STOP_TEXT.split())
# Kinds of happening, by the words agencies use for them. Two entries of the same kind are
# likelier one happening; the kind is named in the reasons.
KINDS: dict[str, tuple[str, ...]] = {
    "hospital attendance": ("a&e", "ed", "emergency", "hospital", "attend", "admit", "ward",
                            "paediatric", "injur", "fractu", "bruis"),
    "strategy discussion": ("strategy", "s47", "section", "enquiry"),
    "home visit": ("home", "visit", "seen"),
    "police call-out": ("police", "call", "officer", "attended", "domestic", "incident",
                        "arrest", "999"),
    "referral": ("referral", "referred", "refer", "mash", "contact"),
    "school": ("school", "teacher", "attendance", "nursery", "dsl"),
    "missed appointment": ("missed", "dna", "appointment", "not brought", "no access"),
}  # fmt: skip


@dataclass(frozen=True)
class DuplicateGroup:
    """Entries likely to be one happening: refs in date order, the best pair's score (0-1),
    and the reasons in plain words."""

    refs: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    event: EventFacts
    words: frozenset[str]
    kinds: frozenset[str]
    width_days: float
    # The window in seconds since the first entry, for quick arithmetic.
    start: float
    end: float


def _words(text: str) -> frozenset[str]:
    return frozenset(w[:_STEM] for w in _WORD.findall(text.lower()) if w not in _STOP)


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a kind's cues: a cue of five letters or more also starts a longer word
    ("injur" in "injuries"); a shorter one is a whole word ("ed", "999")."""
    parts = [
        re.escape(cue) + (r"[a-z]*" if len(cue) >= 5 else r"(?![a-z0-9&])")
        for cue in sorted(cues, key=len, reverse=True)
    ]
    return re.compile(r"(?<![a-z0-9&])(?:" + "|".join(parts) + ")")


_KIND_PATTERNS = {kind: _cue_pattern(cues) for kind, cues in KINDS.items()}


def _kinds(text: str) -> frozenset[str]:
    """The kinds of happening ``text`` speaks of."""
    lowered = text.lower()
    return frozenset(kind for kind, pattern in _KIND_PATTERNS.items() if pattern.search(lowered))


_EPOCH = datetime(1900, 1, 1)
_REACH_SECONDS = REACH.total_seconds()
_DAY_SECONDS = 86_400.0


def _entry(event: EventFacts) -> _Entry:
    if event.latest < event.earliest:
        raise ValueError(f"event {event.ref}: latest is before earliest")
    start = (event.earliest - _EPOCH).total_seconds()
    end = (event.latest - _EPOCH).total_seconds()
    text = event.description
    return _Entry(event, _words(text), _kinds(text), (end - start) / _DAY_SECONDS, start, end)


def _date_likeness(left: _Entry, right: _Entry) -> float:
    """1 when the windows overlap and are narrow; less as they widen or lie apart (by how far
    their middles are: two whole days in a row are a day apart, two times of a day hours)."""
    wide = max(left.width_days, right.width_days)
    score = 1 / (1 + max(0.0, wide - 1) / 31)
    if right.start > left.end:
        apart = abs((right.start + right.end) - (left.start + left.end)) / 2
        score *= max(0.0, 1 - apart / _REACH_SECONDS)
    return score


def _pair_score(left: _Entry, right: _Entry) -> tuple[float, float, float, frozenset[str]]:
    date = _date_likeness(left, right)
    if date == 0.0:
        return 0.0, 0.0, 0.0, frozenset()
    shared = len(left.words & right.words)
    text = 2 * shared / (len(left.words) + len(right.words)) if shared else 0.0
    first, second = left.event.people, right.event.people
    both = len(first & second)
    people = both / min(len(first), len(second)) if both else 0.0
    kinds = left.kinds & right.kinds
    kind = 1.0 if kinds else 0.0
    score = TEXT_WEIGHT * text + PEOPLE_WEIGHT * people + DATE_WEIGHT * date + KIND_WEIGHT * kind
    return score, text, people, kinds


def duplicate_groups(
    events: Sequence[EventFacts],
    *,
    dismissed: Iterable[Iterable[str]] = (),
    min_score: float = MIN_SCORE,
    limit: int = 500,
) -> list[DuplicateGroup]:
    """Groups of entries from different agencies that are likely one happening.

    Takes the review's entries (deleted ones and those without an agency are skipped), the
    ref sets the user dismissed (no pair inside one is ever joined), the lowest pair score
    to join on and the most groups to return. Pairs are joined best first, never putting two
    entries of one agency in a group. Returns the groups, best first (ties by first ref).
    Raises ``ValueError`` for an entry whose latest is before its earliest.
    """
    entries = sorted(
        (_entry(e) for e in events if e.agency and not e.deleted),
        key=lambda entry: (entry.event.earliest, entry.event.ref),
    )
    blocked = [frozenset(refs) for refs in dismissed]
    pairs: list[tuple[float, int, int, float, float, frozenset[str]]] = []
    for i, left in enumerate(entries):
        reach = left.end + _REACH_SECONDS
        for j in range(i + 1, min(len(entries), i + 1 + MAX_COMPARISONS)):
            right = entries[j]
            if right.start > reach:
                break
            if right.event.agency == left.event.agency:
                continue
            # Neither a word nor a person in common: date and kind alone never reach a match.
            if left.words.isdisjoint(right.words) and left.event.people.isdisjoint(
                right.event.people
            ):
                continue
            score, text, people, kinds = _pair_score(left, right)
            if score >= min_score:
                pairs.append((score, i, j, text, people, kinds))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    parent = list(range(len(entries)))
    members: dict[int, list[int]] = {}
    best: dict[int, tuple[float, float, float, frozenset[str]]] = {}

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for score, i, j, text, people, kinds in pairs:
        a, b = root(i), root(j)
        if a == b:
            continue
        group_a, group_b = members.get(a, [a]), members.get(b, [b])
        agencies_a = {entries[k].event.agency for k in group_a}
        if any(entries[k].event.agency in agencies_a for k in group_b):
            continue
        joined = [entries[k].event for k in group_a + group_b]
        # One happening: every entry's window within reach of every other's.
        if max(e.earliest for e in joined) - min(e.latest for e in joined) > REACH:
            continue
        refs = {event.ref for event in joined}
        if any(len(refs & block) >= 2 for block in blocked):
            continue
        parent[b] = a
        members[a] = group_a + group_b
        members.pop(b, None)
        known = [best.pop(head) for head in (a, b) if head in best]
        best[a] = max([(score, text, people, kinds), *known], key=lambda item: item[0])
    groups = [
        _group([entries[k].event for k in indices], *best[head])
        for head, indices in members.items()
        if len(indices) > 1
    ]
    groups.sort(key=lambda g: (-g.score, g.refs))
    return groups[:limit]


def _group(
    events: list[EventFacts], score: float, text: float, people: float, kinds: frozenset[str]
) -> DuplicateGroup:
    ordered = sorted(events, key=lambda e: (e.earliest, e.ref))
    first, last = ordered[0], ordered[-1]
    if first.earliest.date() == last.latest.date():
        when = f"same day ({uk_date(first.earliest.date())})"
    else:
        when = f"dates {uk_date(first.earliest.date())} to {uk_date(last.latest.date())}"
    reasons = [f"{len(ordered)} agencies", when]
    if text:
        reasons.append(f"{'similar' if text >= 0.5 else 'some shared'} wording ({text:.0%})")
    shared = frozenset.intersection(*(e.people for e in ordered)) if ordered else frozenset()
    if shared:
        reasons.append("all involve " + ", ".join(sorted(shared)))
    elif people:
        reasons.append("shared people")
    if kinds:
        reasons.append("each a " + " or ".join(sorted(kinds)))
    return DuplicateGroup(tuple(e.ref for e in ordered), round(score, 3), tuple(reasons))
