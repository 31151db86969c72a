"""Checks on the review's graph: the analysis stopping at the front line, loops of links,
factors with no path to an event or no links, single-source evidence, findings resting on no
factor and actions answering no finding. Cycles come from strongly connected components.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from analysis.factors import EvidenceFacts, triangulation
from analysis.graph.causal import ACTIVE, LATENT, _Skeleton
from analysis.graph.model import UPPER_LEVELS, ReviewGraph
from analysis.taxonomy import (
    SOURCE_KINDS,
)

#: Below this share of factors above practice level, "the analysis stops at the front line".
FRONT_LINE_SHARE = 0.4
#: At most this many nodes go into one cycle check's message.
CYCLE_MESSAGE_REFS = 12


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
