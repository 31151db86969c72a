"""What the review's graph says: separation, checks, reach, alignment, leverage and themes.

Takes the ``ReviewGraph`` of ``analysis.graph.model`` and returns plain frozen dataclasses
(``Analysis``) and the API's JSON (``analysis_json``). :func:`analyse` puts together the parts,
which live by concern in sibling modules, every name re-exported here: ``causal`` (the causal
skeleton, ``upstream``/``downstream``, separation and reach), ``checks``, ``leverage``
(alignment and leverage) and ``themes``.

Every search is bounded: reach is one breadth-first search per latent condition, paths are
the shortest ones the search finds (one per node reached), cycles come from strongly
connected components, and betweenness is sampled above a size threshold, so the analysis of a
50,000-node review takes seconds and never enumerates all simple paths, which explodes on
layered graphs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.graph.causal import (
    ACTIVE,
    CONTEXT,
    LATENT,
    MITIGATED,
    PROBLEMATIC,
    PROTECTIVE,
    Reach,
    _factors,
    _order,
    _reach,
    _reachable,
    _separate,
    _skeleton,
    downstream,
    upstream,
)
from analysis.graph.checks import CHECK_CODES, CYCLE_MESSAGE_REFS, FRONT_LINE_SHARE, Check, _checks
from analysis.graph.leverage import (
    CENTRALITY_WEIGHT,
    Alignment,
    Leverage,
    _alignment,
    _centrality,
    _leverage,
)
from analysis.graph.model import ReviewGraph
from analysis.graph.themes import LOUVAIN_LIMIT, STOP_WORDS, Theme, _themes

__all__ = [
    "ACTIVE",
    "CENTRALITY_WEIGHT",
    "CHECK_CODES",
    "CONTEXT",
    "CYCLE_MESSAGE_REFS",
    "FRONT_LINE_SHARE",
    "LATENT",
    "LOUVAIN_LIMIT",
    "MITIGATED",
    "PROBLEMATIC",
    "PROTECTIVE",
    "STOP_WORDS",
    "Alignment",
    "Analysis",
    "Check",
    "Leverage",
    "Reach",
    "Theme",
    "analyse",
    "analysis_json",
    "downstream",
    "upstream",
]


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
