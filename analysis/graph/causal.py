"""The causal skeleton of the review's graph: separation, reach, ``upstream`` and ``downstream``.

Only the review's links are causal (``kind == "link"`` edges between factors and events).
Reach is one breadth-first search per latent condition; paths are the shortest ones the
search finds (one per node reached).

Links whose relation is ``mitigated`` say that a protective factor reduced an effect: they
count for what a factor *touches* and for ``upstream``/``downstream``, but not as a way a
latent condition *acts*, so reach, alignment and leverage follow the other relations only.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.graph.model import ReviewGraph
from analysis.taxonomy import (
    FACTOR_TYPES,
)

ACTIVE = "active_failure"
LATENT = "latent_condition"
PROTECTIVE = "protective"
CONTEXT = "context"
MITIGATED = "mitigated"
PROBLEMATIC = "problematic"


_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Reach:
    """What a latent condition reaches through the links: the ``events`` and
    ``active_failures`` downstream of it, and one shortest path (latent ref first, target
    last) to each of them, nearest targets first. Events and active failures are in the
    analysis' usual order (events by date)."""

    events: tuple[str, ...]
    active_failures: tuple[str, ...]
    paths: tuple[tuple[str, ...], ...]


# --- the causal skeleton as plain adjacency ------------------------------------------------


@dataclass(frozen=True)
class _Skeleton:
    """Factors and events with the review's links, as sorted adjacency lists."""

    kinds: Mapping[str, str]  # ref -> "factor" | "event"
    successors: Mapping[str, tuple[str, ...]]  # every link
    acting: Mapping[str, tuple[str, ...]]  # links other than "mitigated"
    predecessors: Mapping[str, tuple[str, ...]]  # every link, reversed
    linked: frozenset[str]  # nodes with at least one link in or out


def _natural_key(ref: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(ref))


def _order(rg: ReviewGraph) -> dict[str, int]:
    """A rank for every node: events by date (undated last), then everything else, each
    group in natural ref order."""
    nodes = rg.graph.nodes
    refs = sorted(nodes, key=lambda ref: _natural_key(str(ref)))
    events = [r for r in refs if nodes[r].get("kind") == "event"]
    events.sort(key=lambda r: (nodes[r].get("date") is None, str(nodes[r].get("date") or "")))
    others = [r for r in refs if nodes[r].get("kind") != "event"]
    return {ref: rank for rank, ref in enumerate(events + others)}


def _skeleton(rg: ReviewGraph, rank: Mapping[str, int]) -> _Skeleton:
    nodes = rg.graph.nodes
    kinds = {
        ref: data["kind"]
        for ref, data in nodes(data=True)
        if data.get("kind") in ("event", "factor")
    }
    succ: dict[str, set[str]] = {}
    acting: dict[str, set[str]] = {}
    pred: dict[str, set[str]] = {}
    for u, v, data in rg.graph.edges(data=True):
        if data.get("kind") != "link" or u not in kinds or v not in kinds:
            continue
        succ.setdefault(u, set()).add(v)
        pred.setdefault(v, set()).add(u)
        if data.get("relation") != MITIGATED:
            acting.setdefault(u, set()).add(v)

    def ordered(adjacency: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
        return {ref: tuple(sorted(ends, key=rank.__getitem__)) for ref, ends in adjacency.items()}

    return _Skeleton(
        kinds=kinds,
        successors=ordered(succ),
        acting=ordered(acting),
        predecessors=ordered(pred),
        linked=frozenset(succ) | frozenset(pred),
    )


def _reachable(adjacency: Mapping[str, tuple[str, ...]], start: str) -> set[str]:
    """Refs reachable from ``start`` (``start`` itself only through a cycle)."""
    seen: set[str] = set()
    queue = deque(adjacency.get(start, ()))
    seen.update(queue)
    while queue:
        for nxt in adjacency.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _causal_neighbours(rg: ReviewGraph, ref: str, *, forward: bool) -> frozenset[str]:
    graph = rg.graph
    if ref not in graph or graph.nodes[ref].get("kind") not in ("event", "factor"):
        return frozenset()
    adjacency = graph.succ if forward else graph.pred
    seen: set[str] = set()
    queue = deque([ref])
    while queue:
        for nxt, edges in adjacency[queue.popleft()].items():
            if (
                nxt not in seen
                and graph.nodes[nxt].get("kind") in ("event", "factor")
                and any(d.get("kind") == "link" for d in edges.values())
            ):
                seen.add(nxt)
                queue.append(nxt)
    return frozenset(seen)


def downstream(rg: ReviewGraph, ref: str) -> frozenset[str]:
    """The factors and events reachable from ``ref`` along the review's links (every
    relation). ``ref`` is included only when it lies on a cycle. An unknown ref, or one
    that is not a factor or event, has nothing downstream. Raises nothing."""
    return _causal_neighbours(rg, ref, forward=True)


def upstream(rg: ReviewGraph, ref: str) -> frozenset[str]:
    """The factors and events from which ``ref`` is reachable along the review's links
    (every relation). ``ref`` is included only when it lies on a cycle. An unknown ref, or
    one that is not a factor or event, has nothing upstream. Raises nothing."""
    return _causal_neighbours(rg, ref, forward=False)


# --- separation ------------------------------------------------------------------------------


def _factors(rg: ReviewGraph, rank: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    found = {ref: data for ref, data in rg.graph.nodes(data=True) if data.get("kind") == "factor"}
    return {ref: found[ref] for ref in sorted(found, key=rank.__getitem__)}


def _separate(factors: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Factors by type; a type outside ``FACTOR_TYPES`` counts as context."""
    groups: dict[str, list[str]] = {kind: [] for kind in FACTOR_TYPES}
    for ref, data in factors.items():
        kind = data.get("type")
        groups[kind if kind in groups else CONTEXT].append(ref)
    return {kind: tuple(refs) for kind, refs in groups.items()}


# --- reach -----------------------------------------------------------------------------------


def _reach(
    skeleton: _Skeleton,
    factors: Mapping[str, Mapping[str, Any]],
    rank: Mapping[str, int],
    latent: str,
) -> Reach:
    """Breadth-first from ``latent`` along acting links; the search tree gives one shortest
    path to every node reached."""
    parent: dict[str, str] = {latent: latent}
    queue = deque([latent])
    found: list[str] = []
    while queue:
        node = queue.popleft()
        for nxt in skeleton.acting.get(node, ()):
            if nxt in parent:
                continue
            parent[nxt] = node
            queue.append(nxt)
            if skeleton.kinds[nxt] == "event" or factors[nxt].get("type") == ACTIVE:
                found.append(nxt)
    paths = []
    for target in found:
        path = [target]
        while path[-1] != latent:
            path.append(parent[path[-1]])
        paths.append(tuple(reversed(path)))
    ordered = sorted(found, key=rank.__getitem__)
    events = tuple(ref for ref in ordered if skeleton.kinds[ref] == "event")
    actives = tuple(ref for ref in ordered if skeleton.kinds[ref] != "event")
    return Reach(events=events, active_failures=actives, paths=tuple(paths))
