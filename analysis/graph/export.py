"""The review's graph as data for other tools: GraphML and networkx node-link JSON."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from analysis.graph.model import ReviewGraph

# --- exports ---------------------------------------------------------------------------------


def _plain_value(value: object) -> Any:
    """A node or edge attribute as JSON: dataclasses become dicts, tuples lists."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_plain_value(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain_value(v) for k, v in vars(value).items()}
    return str(value)


def to_node_link_json(rg: ReviewGraph) -> dict[str, Any]:
    """The graph as networkx node-link data (``nodes``, ``links``), every value JSON-safe."""
    data = nx.node_link_data(rg.graph, edges="links")
    return json.loads(json.dumps(_plain_value_tree(data)))  # type: ignore[no-any-return]


def _plain_value_tree(value: object) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain_value_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "__dataclass_fields__"):
        return [_plain_value_tree(v) for v in value]
    return _plain_value(value)


def _graphml_value(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(_plain_value(value), ensure_ascii=False)


def to_graphml(rg: ReviewGraph) -> bytes:
    """The graph as GraphML (lists such as evidence are JSON text; empty values left out)."""
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    for node, data in rg.graph.nodes(data=True):
        graph.add_node(
            node,
            **{k: v for k, v in ((k, _graphml_value(v)) for k, v in data.items()) if v is not None},
        )
    for source, target, key, data in rg.graph.edges(keys=True, data=True):
        attrs = {
            k: v for k, v in ((k, _graphml_value(v)) for k, v in data.items()) if v is not None
        }
        graph.add_edge(source, target, key=key, **attrs)
    return ("\n".join(nx.generate_graphml(graph, encoding="utf-8")) + "\n").encode("utf-8")
