"""Duplicate suggestions at size: recall of planted cross-agency happenings, and time, at
10,000 events from 12 agencies, against the pair suggester (``suggest_merges``) measured in
the same run.

Target: every planted happening (two or three agencies recording it, each in its own words,
at its own time of day or precision) found as one group (recall at least 0.95) in at most 2 s.

Data are generated from a fixed seed and are fictional; nothing touches a database (the
grouping is a pure function, as the app calls it).
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from analysis.chronology.dates.when import When
from analysis.chronology.duplicates import duplicate_groups
from analysis.chronology.merge import EventFacts, suggest_merges

EVENTS = 10_000
HAPPENINGS = 200
TARGET_SECONDS = 2.0
TARGET_RECALL = 0.95
AGENCIES = [f"AG{n}" for n in range(1, 13)]
PEOPLE = [f"P{n}" for n in range(1, 25)]
PLACES = [
    "the park", "the flat", "grandmother's house", "the bus station", "the shop", "nursery",
    "the GP surgery", "the school gate", "the play area", "the hostel", "a friend's house",
    "the high street", "the family centre", "the swimming pool", "the library",
]  # fmt: skip
# One happening as each kind of agency words it: (kind words shared, each agency's phrasing).
HAPPENINGS_TEXT = [
    ("emergency department", "{child} brought to the emergency department with a bruise to the arm",
     "ED attendance: {child} bruising to left arm, mother says a fall",
     "Officers took {child} to the emergency department; bruising on the arm noted"),
    ("home visit", "Home visit: {child} seen with mother, home cold and untidy",
     "Visited the home, {child} seen; concerns about the cold house",
     "Joint home visit, {child} seen and spoken to about the house"),
    ("police call", "Police called to the home after shouting reported by a neighbour",
     "Call-out to a domestic incident at the home; {child} present",
     "Neighbour reported shouting; police attended the home"),
    ("referral", "Referral received from school about {child}'s bruising",
     "School made a referral to the MASH about {child}",
     "MASH contact: school referral about bruising to {child}"),
    ("missed appointment", "{child} not brought to the appointment",
     "Missed appointment (was not brought); letter sent",
     "Not brought to clinic appointment; {child} to be offered another"),
]  # fmt: skip
# Everyday entries that are no one else's: built from parts so that two agencies seldom word
# two different happenings alike.
NOISE_WHAT = [
    "Letter sent about", "Phone call about", "Meeting held on", "Form completed for",
    "Review of", "Email received about", "Check of", "Note made of", "Plan updated for",
    "Assessment started of", "Payment made for", "Record checked for",
]  # fmt: skip
NOISE_TOPIC = [
    "housing repairs", "nursery place", "benefits claim", "dental check-up", "tenancy terms",
    "immunisations", "weight and height", "parenting course", "council tax", "speech therapy",
    "eyesight test", "school uniform grant", "rent account", "library card", "swimming lessons",
    "hearing test", "free school meals", "GP registration", "bus pass", "food bank voucher",
]  # fmt: skip


def generate(seed: int = 12) -> tuple[list[EventFacts], list[frozenset[str]]]:
    """10,000 fictional entries with ``HAPPENINGS`` planted groups of two or three agencies."""
    rng = random.Random(seed)
    start = datetime(2019, 1, 1)
    events: list[EventFacts] = []
    planted: list[frozenset[str]] = []
    number = 0

    def add(moment: When, agency: str, text: str, people: frozenset[str]) -> str:
        nonlocal number
        number += 1
        ref = f"E{number}"
        events.append(EventFacts(ref, agency, moment.stated_start(), moment.latest(), text, people))
        return ref

    for _ in range(HAPPENINGS):
        day = start + timedelta(days=rng.randrange(5 * 365))
        child = rng.choice(PEOPLE[:12])
        people = frozenset({child, *rng.sample(PEOPLE, rng.randint(0, 2))})
        _kind, *phrasings = rng.choice(HAPPENINGS_TEXT)
        agencies = rng.sample(AGENCIES, rng.choice((2, 3, 3)))
        place = rng.choice(PLACES)
        refs = []
        for agency, phrasing in zip(agencies, rng.sample(phrasings, len(agencies)), strict=True):
            heard = day + timedelta(hours=rng.randint(8, 23), minutes=rng.choice((0, 15, 40)))
            if rng.random() < 0.2:
                moment = When(f"{day:%Y-%m-%d}", "day")
            elif rng.random() < 0.1:
                moment = When(f"{day:%Y-%m}", "month")
            else:
                moment = When(f"{heard:%Y-%m-%dT%H:%M}", "exact")
            shown = rng.sample(sorted(people), rng.randint(1, len(people)))
            text = f"{phrasing.format(child=child)} ({place})"
            refs.append(add(moment, agency, text, frozenset(shown)))
        planted.append(frozenset(refs))
    while len(events) < EVENTS:
        day = start + timedelta(days=rng.randrange(5 * 365), hours=rng.randint(8, 18))
        text = f"{rng.choice(NOISE_WHAT)} {rng.choice(NOISE_TOPIC)}, item {rng.randrange(10_000)}"
        people = frozenset(rng.sample(PEOPLE, rng.randint(0, 2)))
        add(When(f"{day:%Y-%m-%d}", "day"), rng.choice(AGENCIES), text, people)
    rng.shuffle(events)
    return events, planted


def recall_of(found: list[frozenset[str]], planted: list[frozenset[str]]) -> float:
    """The share of planted happenings found whole as one group (or, for pairs, one pair)."""
    hits = sum(1 for group in planted if any(group <= suggestion for suggestion in found))
    return hits / len(planted)


def run() -> None:
    events, planted = generate()
    started = time.perf_counter()
    pairs = suggest_merges(events, limit=100_000)
    pair_seconds = time.perf_counter() - started
    pair_recall = recall_of([frozenset((p.first, p.second)) for p in pairs], planted)
    started = time.perf_counter()
    groups = duplicate_groups(events, limit=100_000)
    seconds = time.perf_counter() - started
    recall = recall_of([frozenset(g.refs) for g in groups], planted)
    three = [g for g in planted if len(g) == 3]
    three_recall = recall_of([frozenset(g.refs) for g in groups], three)
    met = seconds <= TARGET_SECONDS and recall >= TARGET_RECALL
    ratio = seconds / max(pair_seconds, 1e-9)
    print(
        f"duplicates: {EVENTS:,} events, {len(planted)} planted happenings "
        f"({len(three)} recorded by three agencies)"
    )
    print(
        f"  groups: recall {recall:.2f} (three agencies {three_recall:.2f}), "
        f"{len(groups)} groups, {seconds:.2f} s "
        f"(target <= {TARGET_SECONDS:.0f} s, recall >= {TARGET_RECALL:.2f}): "
        f"{'OK' if met else 'MISSED'}"
    )
    print(
        f"  pair suggester (baseline, same run): recall {pair_recall:.2f}, "
        f"{pair_seconds:.2f} s; groups take {ratio:.2f}x its time"
    )


if __name__ == "__main__":
    run()
