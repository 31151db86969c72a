"""Drawing the review's graph: the AcciMap as Graphviz DOT; every drawing name re-exported.

An AcciMap (Rasmussen; Svedung and Rasmussen) lays the factors out in one row per system
level, national at the top and the child and family at the bottom, with the events along a
time axis underneath, so a reader sees how conditions high in the system reached the front
line. This module writes the DOT (:func:`selection_dot`, :func:`accimap_dot`,
:func:`message_dot`); the rest of the drawing lives by concern in sibling modules, and every
name is re-exported here: ``looks`` (node looks and label text), ``selection`` (what a view
shows, and positions for the interactive view), ``render`` (running ``dot``) and ``export``
(GraphML and node-link JSON).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from analysis.graph.export import to_graphml, to_node_link_json
from analysis.graph.looks import (
    DEFAULT_MAX_NODES,
    EVENT_LOOKS,
    EVENTS_ROW,
    FACTOR_LOOKS,
    KPE_LOOK,
    VIEWS,
    DrawError,
    Look,
    _dot_label,
    _label_lines,
    display_date,
    dot_string,
    plain_text,
)
from analysis.graph.model import ReviewGraph
from analysis.graph.render import (
    FORMATS,
    RenderError,
    RenderTimeoutError,
    cache_key,
    dot_version,
    render,
    write_atomic,
)
from analysis.graph.selection import (
    NODE_GAP,
    ROW_GAP,
    Edge,
    Item,
    Selection,
    select_view,
    selection_positions,
)
from analysis.taxonomy import LINK_RELATIONS

__all__ = [
    "DEFAULT_MAX_NODES",
    "EVENTS_ROW",
    "EVENT_LOOKS",
    "FACTOR_LOOKS",
    "FORMATS",
    "KPE_LOOK",
    "NODE_GAP",
    "ROW_GAP",
    "VIEWS",
    "DrawError",
    "DrawnGraph",
    "Edge",
    "Item",
    "Look",
    "RenderError",
    "RenderTimeoutError",
    "Selection",
    "accimap_dot",
    "cache_key",
    "display_date",
    "dot_string",
    "dot_version",
    "legend_items",
    "message_dot",
    "plain_text",
    "render",
    "select_view",
    "selection_dot",
    "selection_positions",
    "to_graphml",
    "to_node_link_json",
    "write_atomic",
]


@dataclass(frozen=True)
class DrawnGraph:
    """DOT text, whether it was collapsed to stay readable, and a message saying so."""

    dot: str
    collapsed: bool
    message: str


# --- DOT --------------------------------------------------------------------------------------


def _node_label(item: Item, *, show_refs: bool = True) -> list[str]:
    if item.kind == "factor":
        head = f"{item.look.marker} · {item.ref}" if show_refs else item.look.marker
        lines = [head, *_label_lines(item.title, 26, 4)]
    elif item.kind == "kpe":
        kpe_head = f"KPE {item.ref}" if show_refs else "Episode"
        lines = [
            kpe_head if item.ref != "…" else "Other events",
            *_label_lines(item.title, 24, 2),
            item.detail,
        ]
    else:
        marker = f"{item.look.marker} " if item.look.marker else ""
        when = display_date(item.date)
        lines = [
            f"{marker}{item.ref} · {when}" if show_refs else f"{marker}{when}",
            *_label_lines(item.title, 22, 3),
        ]
    return lines


def _attrs(**values: str | float) -> str:
    parts = []
    for key, value in values.items():
        text = f"{value:g}" if isinstance(value, float) else str(value)
        # Attribute values that are not our own label text are quoted and escaped too.
        parts.append(f"{key}={text}" if text.startswith('"') else f'{key}="{dot_string(text)}"')
    return ", ".join(parts)


@lru_cache(maxsize=64)
def _look_attrs(look: Look) -> str:
    return _attrs(
        shape=look.shape,
        style=look.style,
        color=look.colour,
        fillcolor=look.fill,
        penwidth=float(look.penwidth),
    )


def _legend(selection: Selection, title: str) -> str:
    """The key, as an HTML-like graph label (its only user text goes through html.escape)."""
    cells = []
    looks = [*FACTOR_LOOKS.values(), EVENT_LOOKS["problematic"], EVENT_LOOKS["good_practice"]]
    for look in looks:
        cells.append(
            f'<td bgcolor="{look.fill}" color="{look.colour}" border="2">'
            f"<b>{html.escape(look.marker)}</b></td>"
            f'<td align="left">{html.escape(look.name)}</td>'
        )
    rows = [f'<tr><td colspan="{2 * len(looks)}"><b>{html.escape(plain_text(title))}</b></td></tr>']
    rows.append("<tr>" + "".join(cells) + "</tr>")
    lines = [
        "Arrows run from a factor to what it led to; a dashed arrow ending in a bar: "
        "a protective factor mitigated it.",
        *selection.notes,
    ]
    if selection.message:
        lines.append(selection.message)
    for line in lines:
        rows.append(f'<tr><td colspan="{2 * len(looks)}">{html.escape(plain_text(line))}</td></tr>')
    return '<<table border="0" cellspacing="4" cellpadding="4">' + "".join(rows) + "</table>>"


def selection_dot(selection: Selection, *, title: str = "AcciMap", show_refs: bool = True) -> str:
    """A ``Selection`` as DOT text: one row per level with its label, events along the bottom.
    Without ``show_refs`` the boxes carry no item's ref (for a published drawing)."""
    ids: dict[str, str] = {}
    out = [
        "digraph accimap {",
        "  graph [rankdir=TB, newrank=true, nodesep=0.3, ranksep=0.7, splines=true, "
        'fontname="Helvetica", fontsize=12, labelloc=b, labeljust=l, bgcolor="white", '
        f"label={_legend(selection, title)}];",
        '  node [fontname="Helvetica", fontsize=11, margin="0.12,0.06"];',
        '  edge [color="#333333", arrowsize=0.8];',
    ]
    row_of: dict[str, int] = {}
    for index, (key, label, items) in enumerate(selection.rows):
        row_id = f"row{index}"
        row_label = [label] if key == EVENTS_ROW else [label, "level"]
        row_attrs = _attrs(
            shape="plaintext", fontsize=16.0, fontname="Helvetica-Bold", label=_dot_label(row_label)
        )
        out.append(f"  {row_id} [{row_attrs}];")
        for item in items:
            node_id = f"n{len(ids)}"
            ids[item.ref] = node_id
            row_of[item.ref] = index
            look = item.look
            label = _dot_label(_node_label(item, show_refs=show_refs))
            tooltip = _dot_label([item.title])
            out.append(f"  {node_id} [label={label}, tooltip={tooltip}, {_look_attrs(look)}];")
        members = " ".join(ids[item.ref] for item in items)
        out.append(f"  {{ rank=same; {row_id}; {members} }}")
        # The row label sits at the left; events run left to right by date.
        if key == EVENTS_ROW:
            chain = [row_id, *(ids[item.ref] for item in items)]
            out.append(f"  {' -> '.join(chain)} [style=invis, weight=10];")
        else:
            out.append(f"  {row_id} -> {ids[items[0].ref]} [style=invis, weight=0];")
        if key != EVENTS_ROW:
            # Weight 0: these only keep the label leftmost. With any weight they pull every
            # factor towards the left edge, far from what it acts on, and the long links then
            # run together in one band above the row below.
            for item in items[1:]:
                out.append(f"  {row_id} -> {ids[item.ref]} [style=invis, weight=0];")
    for upper, lower in zip(
        range(len(selection.rows)), range(1, len(selection.rows)), strict=False
    ):
        out.append(f"  row{upper} -> row{lower} [style=invis, weight=100];")
    for edge in selection.edges:
        if edge.source not in ids or edge.target not in ids:
            continue
        attrs: dict[str, str | float] = {}
        if row_of[edge.source] >= row_of[edge.target]:
            attrs["constraint"] = "false"
        if edge.relation == "mitigated":
            attrs.update(style="dashed", color="#009E73", arrowhead="tee")
        attrs["penwidth"] = {"high": 2.2, "medium": 1.4, "low": 0.8}.get(edge.confidence or "", 1.2)
        attrs["tooltip"] = _dot_label([LINK_RELATIONS.get(edge.relation, edge.relation)])
        out.append(f"  {ids[edge.source]} -> {ids[edge.target]} [{_attrs(**attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def accimap_dot(
    rg: ReviewGraph,
    *,
    view: str = "accimap",
    ref: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    collapse: bool = False,
    show_refs: bool = True,
    title: str | None = None,
) -> DrawnGraph:
    """The AcciMap of ``view`` (``accimap``, ``kpe`` or ``event`` with ``ref``) as DOT text.

    Collapsed (events drawn as their KPEs, then only the levels nearest the front line) above
    ``max_nodes`` nodes or when ``collapse`` is set, with ``message`` saying so. Raises
    ``DrawError`` for an unknown view or a missing or unknown ref. Without ``show_refs`` the
    boxes carry no ref (a published drawing); ``title`` replaces the drawing's own.
    """
    selection = select_view(rg, view=view, ref=ref, max_nodes=max_nodes, collapse=collapse)
    graph = rg.graph
    if title is not None:
        pass  # the caller's own title (a published drawing names no ref)
    elif view == "accimap":
        title = "AcciMap of the review"
    else:
        assert ref is not None  # noqa: S101 - select_view refused a missing ref
        what = "key practice episode" if view == "kpe" else "event"
        title = f"What lay behind {what} {ref}: {graph.nodes[ref]['label']}"
    return DrawnGraph(
        dot=selection_dot(selection, title=title, show_refs=show_refs),
        collapsed=selection.collapsed,
        message=selection.message,
    )


def message_dot(message: str) -> str:
    """A one-box drawing that says ``message`` (when there is nothing else to draw)."""
    return (
        'digraph message {\n  node [shape=box, fontname="Helvetica", fontsize=12];\n'
        f"  m [{_attrs(label=_dot_label(_label_lines(message, 60, 6)))}];\n}}\n"
    )


def legend_items() -> Sequence[tuple[str, Look]]:
    """The key: each node type's marker and look, for pages that draw the graph themselves."""
    return [
        *((key, look) for key, look in FACTOR_LOOKS.items()),
        *((f"event:{key}", look) for key, look in EVENT_LOOKS.items()),
        ("kpe", KPE_LOOK),
    ]
