"""Alignment and leverage: where latent conditions line up, and which factors are worth acting
on (betweenness sampled above a size threshold).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.graph.causal import PROBLEMATIC, Reach, _Skeleton
from analysis.graph.model import ReviewGraph
from analysis.taxonomy import (
    SYSTEM_LEVELS,
)


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
