"""The graph's input contract and the one function that builds the networkx graph from it.

``app/`` converts the ORM into a ``GraphInput``; everything in ``analysis.graph`` works on
the ``ReviewGraph`` that ``build_graph`` returns. Node ids are the items' refs (events,
KPEs, factors, findings and actions share one namespace in a review).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from analysis.factors import EvidenceFacts

#: Node kinds, in the order a drawing lists them.
NODE_KINDS = ("event", "kpe", "factor", "finding", "action")
#: Levels above the front line: a factor here is "above practice level".
UPPER_LEVELS = ("national", "partnership", "organisation", "team")


@dataclass(frozen=True)
class EventNode:
    """A chronology entry. ``date`` is the canonical ISO start (``YYYY``, ``YYYY-MM`` or
    ``YYYY-MM-DD``) or ``None`` when unknown; ``appraisal`` is ``good_practice``,
    ``problematic``, ``neutral`` or ``not_appraised``; ``kpe`` is the episode's ref."""

    ref: str
    title: str
    date: str | None = None
    agency: str = ""
    appraisal: str = "not_appraised"
    kpe: str | None = None


@dataclass(frozen=True)
class KpeNode:
    """A key practice episode."""

    ref: str
    title: str


@dataclass(frozen=True)
class FactorNode:
    """A contributing factor: ``type`` is a ``FACTOR_TYPES`` key, ``level`` a
    ``SYSTEM_LEVELS`` key, ``scie_pattern``, ``seips_component`` and
    ``contributory_category`` the taxonomy keys or ``None``."""

    ref: str
    label: str
    type: str
    level: str
    description: str = ""
    scie_pattern: str | None = None
    seips_component: str | None = None
    contributory_category: str | None = None
    evidence: tuple[EvidenceFacts, ...] = ()


@dataclass(frozen=True)
class FindingNode:
    """A finding and the refs of the factors it rests on."""

    ref: str
    title: str
    factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionNode:
    """An action and the finding it answers."""

    ref: str
    title: str
    finding: str | None = None


@dataclass(frozen=True)
class LinkEdge:
    """A directed link ``source → target``: ``relation`` is a ``LINK_RELATIONS`` key,
    ``confidence`` a ``CONFIDENCE_LEVELS`` key or ``None``."""

    source: str
    target: str
    relation: str
    ref: str = ""
    confidence: str | None = None


@dataclass(frozen=True)
class GraphInput:
    """Everything the graph is built from."""

    events: tuple[EventNode, ...] = ()
    kpes: tuple[KpeNode, ...] = ()
    factors: tuple[FactorNode, ...] = ()
    findings: tuple[FindingNode, ...] = ()
    actions: tuple[ActionNode, ...] = ()
    links: tuple[LinkEdge, ...] = ()


@dataclass(frozen=True)
class ReviewGraph:
    """The built graph plus its input.

    ``graph`` is a ``MultiDiGraph`` whose node attributes are ``kind`` (one of
    ``NODE_KINDS``), ``label`` and the node's own fields (``type``, ``level``, ``date``,
    ``appraisal``, ``kpe``, ``agency``…); edges carry ``relation``, ``confidence``,
    ``ref`` and ``kind`` (``"link"`` for the review's links, ``"in_kpe"`` for event → KPE
    membership, ``"rests_on"`` for factor → finding, ``"answers"`` for finding → action).
    Only ``kind == "link"`` edges are causal; analyses follow those.
    """

    source: GraphInput
    graph: nx.MultiDiGraph = field(compare=False)

    def causal(self) -> nx.DiGraph:
        """The causal skeleton: factors and events joined by the review's links only
        (parallel links collapse into one edge)."""
        view = nx.DiGraph()
        view.add_nodes_from(
            (n, d) for n, d in self.graph.nodes(data=True) if d["kind"] in ("event", "factor")
        )
        view.add_edges_from(
            (u, v)
            for u, v, d in self.graph.edges(data=True)
            if d["kind"] == "link" and u in view and v in view
        )
        return view


def _add_nodes(graph: nx.MultiDiGraph, kind: str, nodes: Iterable[object], label: str) -> None:
    for node in nodes:
        attrs = {k: v for k, v in vars(node).items() if k != "ref"}
        attrs["label"] = attrs.pop(label)
        if "evidence" in attrs:
            attrs["evidence"] = tuple(attrs["evidence"])
        graph.add_node(node.ref, kind=kind, **attrs)  # type: ignore[attr-defined]


def build_graph(data: GraphInput) -> ReviewGraph:
    """Build the review's ``MultiDiGraph`` from ``data``.

    Links whose ends are not among the nodes are dropped (the bundle schema allows refs to
    items a partial export left out); membership edges are added for events in a KPE,
    factors a finding rests on, and actions answering a finding. Never raises on input the
    bundle schema allows.
    """
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    _add_nodes(graph, "event", data.events, "title")
    _add_nodes(graph, "kpe", data.kpes, "title")
    _add_nodes(graph, "factor", data.factors, "label")
    _add_nodes(graph, "finding", data.findings, "title")
    _add_nodes(graph, "action", data.actions, "title")
    for link in data.links:
        if link.source in graph and link.target in graph:
            graph.add_edge(
                link.source,
                link.target,
                kind="link",
                relation=link.relation,
                confidence=link.confidence,
                ref=link.ref,
            )
    for event in data.events:
        if event.kpe and event.kpe in graph:
            graph.add_edge(event.ref, event.kpe, kind="in_kpe", relation="in_kpe")
    for finding in data.findings:
        for factor in finding.factors:
            if factor in graph:
                graph.add_edge(factor, finding.ref, kind="rests_on", relation="rests_on")
    for action in data.actions:
        if action.finding and action.finding in graph:
            graph.add_edge(action.finding, action.ref, kind="answers", relation="answers")
    return ReviewGraph(source=data, graph=graph)
