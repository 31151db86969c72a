"""What the review's graph says: separation, checks, reach, alignment, leverage and themes.

Takes the ``ReviewGraph`` of ``analysis.graph.model`` and returns plain frozen dataclasses
(``Analysis``) and the API's JSON (``analysis_json``). Only the review's links are causal
(``kind == "link"`` edges between factors and events). Every search here is bounded: reach
is one breadth-first search per latent condition, paths are the shortest ones the search
finds (one per node reached), cycles come from strongly connected components, and
betweenness is sampled above a size threshold, so the analysis of a 50,000-node review takes
seconds and never enumerates all simple paths, which explodes on layered graphs.

Links whose relation is ``mitigated`` say that a protective factor reduced an effect: they
count for what a factor *touches* and for ``upstream``/``downstream``, but not as a way a
latent condition *acts*, so reach, alignment and leverage follow the other relations only.
"""

from __future__ import annotations

import random
import re
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx

from analysis.factors import EvidenceFacts, triangulation
from analysis.graph.model import UPPER_LEVELS, ReviewGraph
from analysis.taxonomy import (
    CONTRIBUTORY_CATEGORIES,
    FACTOR_TYPES,
    SCIE_PATTERNS,
    SOURCE_KINDS,
    SYSTEM_LEVELS,
)

ACTIVE = "active_failure"
LATENT = "latent_condition"
PROTECTIVE = "protective"
CONTEXT = "context"
MITIGATED = "mitigated"
PROBLEMATIC = "problematic"
#: Below this share of factors above practice level, "the analysis stops at the front line".
FRONT_LINE_SHARE = 0.4
#: At most this many nodes go into one cycle check's message.
CYCLE_MESSAGE_REFS = 12
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
_DIGITS = re.compile(r"(\d+)")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")

#: Check codes in the order checks are listed: fewer than 40 % of factors above practice
#: level (review-wide; refs are the factors at or below it); one check per loop of links
#: (refs: one shortest loop); an active failure, or a latent condition, that has links but no
#: path to an event; a factor with no links at all (only this check, then); a factor whose
#: evidence is of one source kind; a finding resting on no factor; an action answering no
#: finding. Events without links are normal and never flagged.
CHECK_CODES = (
    "stops_at_front_line",
    "cycle",
    "active_failure_without_event",
    "latent_without_event",
    "orphan_factor",
    "single_source",
    "finding_without_factor",
    "orphan_action",
)


@dataclass(frozen=True)
class Check:
    """Something a reviewer may want to look at: a stable ``code`` (one of
    ``CHECK_CODES``), a plain-English ``message`` and the ``refs`` involved."""

    code: str
    message: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Reach:
    """What a latent condition reaches through the links: the ``events`` and
    ``active_failures`` downstream of it, and one shortest path (latent ref first, target
    last) to each of them, nearest targets first. Events and active failures are in the
    analysis' usual order (events by date)."""

    events: tuple[str, ...]
    active_failures: tuple[str, ...]
    paths: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Alignment:
    """A problematic event and the latent conditions upstream of it, with their distinct
    system levels from the top of the system down (the "Swiss cheese" view)."""

    event: str
    latent_conditions: tuple[str, ...]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Leverage:
    """A latent condition as a candidate for action: ``reach`` counts the events and active
    failures downstream, ``centrality`` is its betweenness (normalised, sampled on large
    graphs) and ``score`` adds the reach scaled to the review's largest and a quarter of the
    centrality scaled the same way (so 0 to 1.25): reach counts most, and centrality, which
    is small and noisy on reviews shaped like a tree, separates latent conditions of similar
    reach by how much of the graph runs through them."""

    ref: str
    reach: int
    centrality: float
    score: float


@dataclass(frozen=True)
class Theme:
    """A cluster of linked factors, a candidate finding, with ``labels`` that characterise
    it: the shared SCIE pattern, system level and contributory category (when at least
    half the factors share them) and the words most used in the factors' labels."""

    refs: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    """The analysis of one review's graph. Every tuple of refs is in a stable order (events
    by date, other refs in natural order: F2 before F10)."""

    active_failures: tuple[str, ...]
    latent_conditions: tuple[str, ...]
    protective: tuple[str, ...]
    context: tuple[str, ...]
    touches: Mapping[str, tuple[str, ...]]
    checks: tuple[Check, ...]
    reach: Mapping[str, Reach]
    alignment: tuple[Alignment, ...]
    leverage: tuple[Leverage, ...]
    themes: tuple[Theme, ...]


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


# --- checks ----------------------------------------------------------------------------------


def _name(ref: str, data: Mapping[str, Any]) -> str:
    label = str(data.get("label") or "").strip()
    return f"{ref} ({label})" if label else ref


def _cycle_checks(skeleton: _Skeleton, rank: Mapping[str, int]) -> list[Check]:
    """One check per strongly connected group of nodes that loops (or a self-loop), naming
    one shortest loop through its first node."""
    tangled = _on_or_between_cycles(skeleton)
    if not tangled:
        return []
    graph = nx.DiGraph()
    graph.add_nodes_from(tangled)
    graph.add_edges_from(
        (u, v) for u in tangled for v in skeleton.successors.get(u, ()) if v in tangled
    )
    components = [
        (min(component, key=rank.__getitem__), component)
        for component in nx.strongly_connected_components(graph)
    ]
    components.sort(key=lambda item: rank[item[0]])
    checks = []
    for first, component in components:
        if len(component) == 1 and first not in skeleton.successors.get(first, ()):
            continue
        loop = _shortest_loop(skeleton, first, component)
        shown = " → ".join(loop[:CYCLE_MESSAGE_REFS] + ((loop[0],) if loop else ()))
        more = len(component) - len(loop)
        extra = f" It is part of a tangle of {len(component)} linked items." if more else ""
        checks.append(
            Check(
                code="cycle",
                message=(
                    f"These links go round in a loop: {shown}. A cause cannot follow its own "
                    "effect, so one of these links is probably the wrong way round or "
                    f"describes something else.{extra}"
                ),
                refs=tuple(sorted(loop, key=rank.__getitem__)),
            )
        )
    return checks


def _peel(
    ends_of: Mapping[str, tuple[str, ...]],
    starts_of: Mapping[str, tuple[str, ...]],
    nodes: set[str],
) -> set[str]:
    """``nodes`` less every node that no cycle can pass through on the ``ends_of`` side:
    repeatedly drop nodes with no remaining ``starts_of`` neighbour (Kahn's algorithm)."""
    remaining = {
        node: sum(1 for other in starts_of.get(node, ()) if other in nodes) for node in nodes
    }
    queue = deque(node for node, count in remaining.items() if count == 0)
    while queue:
        node = queue.popleft()
        del remaining[node]
        for nxt in ends_of.get(node, ()):
            if nxt in remaining:
                remaining[nxt] -= 1
                if remaining[nxt] == 0:
                    queue.append(nxt)
    return set(remaining)


def _on_or_between_cycles(skeleton: _Skeleton) -> set[str]:
    """The nodes left once everything with no way in, and then everything with no way out,
    is peeled off: empty exactly when the links have no cycle, and a superset of the nodes
    on cycles, so that strongly connected components need only look at these."""
    rest = _peel(skeleton.successors, skeleton.predecessors, set(skeleton.linked))
    return _peel(skeleton.predecessors, skeleton.successors, rest) if rest else rest


def _shortest_loop(skeleton: _Skeleton, start: str, component: set[str]) -> tuple[str, ...]:
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in skeleton.successors.get(node, ()):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return tuple(reversed(path))
            if nxt in component and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return (start,)  # unreachable for a real component; kept so the check still names it


def _checks(
    rg: ReviewGraph,
    skeleton: _Skeleton,
    factors: Mapping[str, Mapping[str, Any]],
    touches: Mapping[str, tuple[str, ...]],
    rank: Mapping[str, int],
) -> tuple[Check, ...]:
    nodes = rg.graph.nodes
    checks: list[Check] = []

    if factors:
        upper = sum(1 for data in factors.values() if data.get("level") in UPPER_LEVELS)
        if upper < FRONT_LINE_SHARE * len(factors):
            low = tuple(ref for ref, d in factors.items() if d.get("level") not in UPPER_LEVELS)
            checks.append(
                Check(
                    code="stops_at_front_line",
                    message=(
                        f"Only {upper} of {len(factors)} factors sit above practice level "
                        f"(fewer than {FRONT_LINE_SHARE:.0%}). The analysis may stop at the "
                        "front line: ask what in teams, organisations, the partnership and "
                        "national arrangements made what happened likely."
                    ),
                    refs=low,
                )
            )

    checks.extend(_cycle_checks(skeleton, rank))

    for ref, data in factors.items():
        name = _name(ref, data)
        kind = data.get("type")
        if ref not in skeleton.linked:
            checks.append(
                Check(
                    code="orphan_factor",
                    message=(
                        f"{name} is not linked to anything. Link it to the events or "
                        "factors it contributed to, enabled or mitigated, or remove it."
                    ),
                    refs=(ref,),
                )
            )
        elif kind == ACTIVE and not touches.get(ref):
            checks.append(
                Check(
                    code="active_failure_without_event",
                    message=(
                        f"Active failure {name} is not linked, directly or through other "
                        "factors, to any event. An active failure happened at a particular "
                        "time: link it to the chronology entry where it happened."
                    ),
                    refs=(ref,),
                )
            )
        elif kind == LATENT and not touches.get(ref):
            checks.append(
                Check(
                    code="latent_without_event",
                    message=(
                        f"Latent condition {name} has no path to any event. Show how it "
                        "reached practice: link it to the active failures or events it made "
                        "more likely."
                    ),
                    refs=(ref,),
                )
            )

    for ref, data in factors.items():
        evidence: tuple[EvidenceFacts, ...] = tuple(data.get("evidence") or ())
        if triangulation(evidence).count == 1:
            source = SOURCE_KINDS.get(evidence[0].source, evidence[0].source).lower()
            checks.append(
                Check(
                    code="single_source",
                    message=(
                        f"{_name(ref, data)} rests on one kind of source only ({source}). "
                        "Look for another kind (records, practitioners' or the family's "
                        "accounts, the child's voice, audit, observation) to test it."
                    ),
                    refs=(ref,),
                )
            )

    findings = sorted(
        (ref for ref, d in nodes(data=True) if d.get("kind") == "finding"), key=rank.__getitem__
    )
    for ref in findings:
        rests_on = any(
            d.get("kind") == "rests_on" and nodes[u].get("kind") == "factor"
            for u, _, d in rg.graph.in_edges(ref, data=True)
        )
        if not rests_on:
            checks.append(
                Check(
                    code="finding_without_factor",
                    message=(
                        f"Finding {_name(ref, nodes[ref])} rests on no factor. Link it to "
                        "the factors it draws together, so readers can see how we know."
                    ),
                    refs=(ref,),
                )
            )

    actions = sorted(
        (ref for ref, d in nodes(data=True) if d.get("kind") == "action"), key=rank.__getitem__
    )
    for ref in actions:
        answers = any(
            d.get("kind") == "answers" and nodes[u].get("kind") == "finding"
            for u, _, d in rg.graph.in_edges(ref, data=True)
        )
        if not answers:
            checks.append(
                Check(
                    code="orphan_action",
                    message=(
                        f"Action {_name(ref, nodes[ref])} answers no finding. Attach it to "
                        "the finding it responds to."
                    ),
                    refs=(ref,),
                )
            )
    checks.sort(key=lambda check: CHECK_CODES.index(check.code))  # stable: keeps ref order
    return tuple(checks)


# --- alignment and leverage ------------------------------------------------------------------


def _alignment(
    rg: ReviewGraph,
    factors: Mapping[str, Mapping[str, Any]],
    reach: Mapping[str, Reach],
    rank: Mapping[str, int],
) -> tuple[Alignment, ...]:
    behind: dict[str, list[str]] = {}
    for latent, found in reach.items():  # latents come in rank order, so lists stay sorted
        for event in found.events:
            behind.setdefault(event, []).append(latent)
    level_rank = {level: i for i, level in enumerate(SYSTEM_LEVELS)}
    rows = []
    for ref, data in rg.graph.nodes(data=True):
        if data.get("kind") != "event" or data.get("appraisal") != PROBLEMATIC:
            continue
        latents = tuple(behind.get(ref, ()))
        levels = sorted(
            {str(factors[latent].get("level")) for latent in latents},
            key=lambda level: (level_rank.get(level, len(level_rank)), level),
        )
        rows.append(Alignment(event=ref, latent_conditions=latents, levels=tuple(levels)))
    rows.sort(key=lambda a: (-len(a.levels), -len(a.latent_conditions), rank[a.event]))
    return tuple(rows)


def _dependencies(adjacency: Mapping[str, tuple[str, ...]], source: str) -> dict[str, float]:
    """Brandes' dependency of ``source`` on every node it reaches through (one BFS that
    touches only what ``source`` reaches, so its cost is bounded by the reach)."""
    sigma = {source: 1.0}
    distance = {source: 0}
    preds: dict[str, list[str]] = {source: []}
    order = []
    queue = deque([source])
    while queue:
        node = queue.popleft()
        order.append(node)
        for nxt in adjacency.get(node, ()):
            if nxt not in distance:
                distance[nxt] = distance[node] + 1
                sigma[nxt] = 0.0
                preds[nxt] = []
                queue.append(nxt)
            if distance[nxt] == distance[node] + 1:
                sigma[nxt] += sigma[node]
                preds[nxt].append(node)
    delta = dict.fromkeys(order, 0.0)
    for node in reversed(order):
        share = (1.0 + delta[node]) / sigma[node]
        for pred in preds[node]:
            delta[pred] += sigma[pred] * share
    del delta[source]
    return delta


def _centrality(
    skeleton: _Skeleton, rank: Mapping[str, int], threshold: int, seed: int
) -> dict[str, float]:
    """Normalised betweenness along acting links (Brandes). Above ``threshold`` nodes it is
    estimated from ``threshold`` sources drawn (with ``seed``) among the nodes with a link
    out, scaled up to all of them; nodes without one lie on no path as a source."""
    n = len(skeleton.kinds)
    sources = sorted(skeleton.acting, key=rank.__getitem__)
    if n <= 2 or not sources:  # betweenness needs a path of two links
        return {}
    if n > threshold and len(sources) > threshold:
        chosen = random.Random(seed).sample(sources, threshold)  # noqa: S311 - not secrecy
    else:
        chosen = sources
    totals: dict[str, float] = {}
    for source in chosen:
        for node, value in _dependencies(skeleton.acting, source).items():
            totals[node] = totals.get(node, 0.0) + value
    scale = len(sources) / len(chosen) / ((n - 1) * (n - 2))
    return {node: value * scale for node, value in totals.items()}


CENTRALITY_WEIGHT = 0.25


def _leverage(reach: Mapping[str, Reach], centrality: Mapping[str, float]) -> tuple[Leverage, ...]:
    counts = {ref: len(r.events) + len(r.active_failures) for ref, r in reach.items()}
    top_reach = max(counts.values(), default=0)
    top_central = max((centrality.get(ref, 0.0) for ref in counts), default=0.0)
    rows = []
    for position, (ref, count) in enumerate(counts.items()):
        if count == 0:
            continue
        central = centrality.get(ref, 0.0)
        relative = central / top_central if top_central > 0 else 0.0
        score = count / top_reach + CENTRALITY_WEIGHT * relative
        rows.append((-score, -count, position, Leverage(ref, count, central, round(score, 6))))
    rows.sort(key=lambda row: row[:3])
    return tuple(row[3] for row in rows)


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


# --- the whole -------------------------------------------------------------------------------


def analyse(rg: ReviewGraph, *, betweenness_sample_threshold: int = 500, seed: int = 0) -> Analysis:
    """Analyse a review's graph.

    Takes the ``ReviewGraph`` from ``build_graph``; ``betweenness_sample_threshold`` is the
    node count above which betweenness is estimated from that many sampled sources, and
    ``seed`` fixes the sampling and the community detection, so the same graph always gives
    the same answer. Returns an ``Analysis``. Tolerates anything the bundle schema allows
    (and values outside its enums: an unknown factor type counts as context): dangling refs,
    self-loops, cycles, duplicate links. Raises nothing.
    """
    rank = _order(rg)
    factors = _factors(rg, rank)
    skeleton = _skeleton(rg, rank)
    groups = _separate(factors)

    reach = {latent: _reach(skeleton, factors, rank, latent) for latent in groups[LATENT]}
    # Without mitigations, acting links are all the links: a latent touches what it reaches.
    same = not any(len(skeleton.acting.get(u, ())) < len(v) for u, v in skeleton.successors.items())
    touches = {
        ref: reach[ref].events
        if same and ref in reach
        else tuple(
            sorted(
                (n for n in _reachable(skeleton.successors, ref) if skeleton.kinds[n] == "event"),
                key=rank.__getitem__,
            )
        )
        for ref in factors
    }
    centrality = _centrality(skeleton, rank, betweenness_sample_threshold, seed)
    return Analysis(
        active_failures=groups[ACTIVE],
        latent_conditions=groups[LATENT],
        protective=groups[PROTECTIVE],
        context=groups[CONTEXT],
        touches=touches,
        checks=_checks(rg, skeleton, factors, touches, rank),
        reach=reach,
        alignment=_alignment(rg, factors, reach, rank),
        leverage=_leverage(reach, centrality),
        themes=_themes(skeleton, factors, rank, seed),
    )


def analysis_json(a: Analysis) -> dict[str, Any]:
    """The analysis as the API returns it (``GET /api/v1/reviews/{id}/analysis``): lists of
    refs, ``checks`` as ``{code, message, refs}``, ``reach`` as latent ref → ``{events,
    active_failures}``, ``alignment`` as event ref → latent refs (most aligned first),
    ``leverage`` as ordered refs and ``themes`` as ``{refs, labels}``."""
    return {
        "active_failures": list(a.active_failures),
        "latent_conditions": list(a.latent_conditions),
        "protective": list(a.protective),
        "context": list(a.context),
        "checks": [{"code": c.code, "message": c.message, "refs": list(c.refs)} for c in a.checks],
        "reach": {
            ref: {"events": list(r.events), "active_failures": list(r.active_failures)}
            for ref, r in a.reach.items()
        },
        "alignment": {row.event: list(row.latent_conditions) for row in a.alignment},
        "leverage": [row.ref for row in a.leverage],
        "themes": [{"refs": list(t.refs), "labels": list(t.labels)} for t in a.themes],
    }
