"""A word cloud of what the room said: the words used most across notes, each with a size
step for display. Pure Python; the caller passes text that is already fit for the room."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from analysis.anonymise.scan import REDACTED
from analysis.graph.themes import STOP_WORDS

#: How many size steps a cloud uses (1: smallest, SIZE_STEPS: the most used word).
SIZE_STEPS = 5
#: Words of a note that say nothing on their own, besides the graph's stop words.
_ROOM_STOP_TEXT = """also just like really think thought felt get got lot lots much need needed
will would should could might may there's it's didn't wasn't don't can't we our us i me my you
your he she him her his hers"""
_ROOM_STOP_WORDS = STOP_WORDS | frozenset(_ROOM_STOP_TEXT.split())
_WORD = re.compile(r"[a-z][a-z'\u2019-]*[a-z]")


@dataclass(frozen=True)
class CloudWord:
    """A word of the cloud: how many notes used it, and its size step (1..SIZE_STEPS)."""

    word: str
    count: int
    size: int


def word_cloud(texts: Iterable[str], *, limit: int = 30) -> list[CloudWord]:
    """The ``limit`` words used by most of ``texts`` (each text counts a word once), in
    alphabetical order for reading, with a size step proportional to the count.

    Words of two letters or fewer, stop words and the placeholder of a masked detail are
    left out. Returns an empty list for no words."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = {w.strip("'\u2019-") for w in _WORD.findall(text.replace(REDACTED, " ").lower())}
        counts.update(w for w in words if len(w) > 2 and w not in _ROOM_STOP_WORDS)
    top = counts.most_common(limit)
    if not top:
        return []
    most, least = top[0][1], top[-1][1]
    span = max(most - least, 1)
    return sorted(
        (
            CloudWord(word, count, 1 + round((count - least) * (SIZE_STEPS - 1) / span))
            for word, count in top
        ),
        key=lambda item: item.word,
    )
