"""Themes: groups of linked factors (Louvain communities, or label propagation on large
graphs) named by their dominant category and their labels' words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx

from analysis.graph.causal import _Skeleton
from analysis.taxonomy import (
    CONTRIBUTORY_CATEGORIES,
    SCIE_PATTERNS,
    SYSTEM_LEVELS,
)

#: Above this many linked factors, themes come from fast label propagation, not Louvain.
LOUVAIN_LIMIT = 5_000
#: Words of factor labels that characterise nothing.
_STOP_TEXT = """a about after against all an and any are as at be been before being between both
but by can could did do does for from had has have how if in into is it its no not of on or
other over own same so some such than that the their them then there these they this those
through to too under until up very was were what when where which while who why with without
would"""
#: Words found in nearly every factor of a child safeguarding review: they tell themes apart
#: no better than "the" does.
_COMMON_TEXT = """also child child's children children's each family few little made make more
mother mother's father father's one only partner partner's seen two"""
STOP_WORDS = frozenset(_STOP_TEXT.split()) | frozenset(_COMMON_TEXT.split())
_WORD = re.compile(r"[a-z][a-z'\u2019-]+")


_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


@dataclass(frozen=True)
class Theme:
    """A cluster of linked factors, a candidate finding, with ``labels`` that characterise
    it: the shared SCIE pattern, system level and contributory category (when at least
    half the factors share them) and the words most used in the factors' labels."""

    refs: tuple[str, ...]
    labels: tuple[str, ...]


# --- themes ----------------------------------------------------------------------------------


def _dominant(values: Iterable[object], names: Mapping[str, str], size: int) -> str | None:
    counts = Counter(str(v) for v in values if v)
    if not counts:
        return None
    value, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return names.get(value, value) if 2 * count >= size else None


def _top_words(labels: Sequence[str], limit: int = 3) -> list[str]:
    """The words (and two-word phrases, which say more: "social care", not "care") that at
    least two of ``labels`` share, most shared first."""
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    acronyms: dict[str, str] = {}  # "mash" -> "MASH", as the labels write it
    for label in labels:
        acronyms.update((w.lower(), w) for w in _ACRONYM.findall(label))
        tokens = _WORD.findall(label.lower())
        words.update({word for word in tokens if word not in STOP_WORDS})
        phrases.update(
            {
                f"{first} {second}"
                for first, second in pairwise(tokens)
                if first not in STOP_WORDS and second not in STOP_WORDS
            }
        )
    shared = [(p, n) for p, n in phrases.items() if n >= 2]
    in_phrases = {word for phrase, _n in shared for word in phrase.split()}
    shared += [(w, n) for w, n in words.items() if n >= 2 and w not in in_phrases]
    ranked = sorted(shared, key=lambda item: (-item[1], -item[0].count(" "), item[0]))
    return [" ".join(acronyms.get(w, w) for w in text.split()) for text, _count in ranked][:limit]


def _themes(
    skeleton: _Skeleton,
    factors: Mapping[str, Mapping[str, Any]],
    rank: Mapping[str, int],
    seed: int,
) -> tuple[Theme, ...]:
    graph = nx.Graph()
    linked = [ref for ref in factors if ref in skeleton.linked]
    graph.add_nodes_from(linked)
    graph.add_edges_from(
        (u, v) for u in linked for v in skeleton.successors.get(u, ()) if v in factors and v != u
    )
    graph.remove_nodes_from([ref for ref in linked if graph.degree(ref) == 0])
    if graph.number_of_edges() == 0:
        return ()
    if graph.number_of_nodes() <= LOUVAIN_LIMIT:
        communities = nx.community.louvain_communities(graph, seed=seed)
    else:  # linear time where Louvain's passes grow faster than the graph
        communities = list(nx.community.fast_label_propagation_communities(graph, seed=seed))
    themes = []
    for community in communities:
        if len(community) < 2:
            continue
        refs = tuple(sorted(community, key=rank.__getitem__))
        members = [factors[ref] for ref in refs]
        labels = []
        for key, names, suffix in (
            ("scie_pattern", SCIE_PATTERNS, ""),
            ("level", SYSTEM_LEVELS, " level"),
            ("contributory_category", CONTRIBUTORY_CATEGORIES, ""),
        ):
            found = _dominant((m.get(key) for m in members), names, len(members))
            if found:
                labels.append(found + suffix)
        labels.extend(_top_words([str(m.get("label") or "") for m in members]))
        themes.append(Theme(refs=refs, labels=tuple(labels)))
    themes.sort(key=lambda t: (-len(t.refs), rank[t.refs[0]]))
    return tuple(themes)
