"""Drawing the review's graph: the AcciMap as Graphviz DOT, rendering it safely, and exports.

An AcciMap (Rasmussen; Svedung and Rasmussen) lays the factors out in one row per system
level, national at the top and the child and family at the bottom, with the events along a
time axis underneath, so a reader sees how conditions high in the system reached the front
line. Shape, outline, colour (the Okabe-Ito palette, safe for colour-blind readers) and a
text marker (AF, LC, PF, CX) each tell the factor types apart, so the picture also reads in
greyscale; protective links are dashed with a bar for a head.

Every piece of user text is escaped before it reaches DOT (``dot_string``), and no user
text is put in a URL, href or id: nodes are named ``n0``, ``n1``… ``render`` runs the
``dot`` binary with a time limit (the ``graphviz`` package's ``pipe()`` has none) and keeps
what it renders on disk, keyed by a hash of the DOT text, the format and dot's version.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from analysis.graph.analysis import upstream
from analysis.graph.model import ReviewGraph
from analysis.taxonomy import LINK_RELATIONS, SYSTEM_LEVELS

VIEWS = ("accimap", "kpe", "event")
FORMATS = ("svg", "png")
DEFAULT_MAX_NODES = 300
EVENTS_ROW = "events"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# What a drawing falls back to, level by level, when even the collapsed graph is too big:
# the front line first, then upwards, the family's circumstances last.
_LEVELS_BY_PRIORITY = ("practice", "team", "organisation", "partnership", "national")


class DrawError(ValueError):
    """The view or ref asked for does not exist (the message says which and why)."""


class RenderError(RuntimeError):
    """Graphviz failed, or is not installed."""


class RenderTimeoutError(RenderError):
    """Graphviz did not finish laying the graph out within the time limit."""


@dataclass(frozen=True)
class Look:
    """How one kind of node is drawn: a text marker, a shape, a line style and colours.
    ``colour`` is the outline (an Okabe-Ito colour), ``fill`` a light tint of it."""

    marker: str
    name: str
    shape: str
    style: str
    colour: str
    fill: str
    penwidth: float = 1.5


FACTOR_LOOKS: dict[str, Look] = {
    "active_failure": Look("AF", "Active failure", "box", "filled,bold", "#D55E00", "#FBE1D1", 3),
    "latent_condition": Look(
        "LC", "Latent condition", "box", "filled,rounded", "#0072B2", "#D6E8F5"
    ),
    "protective": Look("PF", "Protective factor", "ellipse", "filled,dashed", "#009E73", "#D4F0E6"),
    "context": Look("CX", "Context", "note", "filled,dotted", "#666666", "#EEEEEE"),
}
EVENT_LOOKS: dict[str, Look] = {
    "problematic": Look("!", "Problematic event", "box", "filled", "#E69F00", "#FCEBC7", 2),
    "good_practice": Look("✓", "Good practice", "box", "filled", "#56B4E9", "#E3F2FB", 2),
    "neutral": Look("", "Neutral event", "box", "filled", "#555555", "#FFFFFF", 1),
    "not_appraised": Look(
        "?", "Not yet appraised", "box", "filled,dashed", "#555555", "#FFFFFF", 1
    ),
}
KPE_LOOK = Look("KPE", "Key practice episode", "box3d", "filled", "#555555", "#FFFFFF", 1.5)
_FALLBACK_FACTOR_LOOK = Look("?", "Factor", "box", "filled", "#555555", "#FFFFFF")


@dataclass(frozen=True)
class DrawnGraph:
    """DOT text, whether it was collapsed to stay readable, and a message saying so."""

    dot: str
    collapsed: bool
    message: str


@dataclass(frozen=True)
class Item:
    """One node of a drawing: ``ref`` (an event, KPE or factor ref, or ``"…"`` for the events
    that are in no KPE), ``kind`` (``event``, ``kpe`` or ``factor``), its row and its look."""

    ref: str
    kind: str
    row: str
    title: str
    look: Look
    date: str | None = None
    detail: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str
    confidence: str | None = None


@dataclass(frozen=True)
class Selection:
    """What a view shows: rows top to bottom (``(row key, row label, items)``), the edges
    between the items' refs, and whether (and why) it was collapsed."""

    rows: tuple[tuple[str, str, tuple[Item, ...]], ...]
    edges: tuple[Edge, ...]
    collapsed: bool = False
    message: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        return sum(len(items) for _key, _label, items in self.rows)


# --- text ------------------------------------------------------------------------------------

_CONTROL_TO_SPACE = {code: " " for code in (*range(32), 127)}


def plain_text(text: object) -> str:
    """User text on one line: control characters (newlines included) become spaces."""
    return " ".join(str(text).translate(_CONTROL_TO_SPACE).split())


def dot_string(text: object) -> str:
    """``text`` as the inside of a DOT double-quoted string that Graphviz shows literally.

    Backslashes are doubled (so ``\\n``, ``\\N``, ``\\G`` and ``\\l`` in user text are not
    escape sequences), quotes are escaped (so the string cannot end early), control
    characters become spaces, and ``&`` becomes ``&amp;`` (Graphviz reads HTML entities in
    labels, so ``&lt;`` would otherwise show as ``<``). Graphviz escapes ``<``, ``>`` and
    ``&`` itself when writing SVG.
    """
    value = plain_text(text).replace("&", "&amp;")
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _label_lines(text: str, width: int, max_lines: int) -> list[str]:
    """``text`` wrapped at word boundaries into at most ``max_lines`` lines of ``width``
    characters (long words are cut), the last ending in an ellipsis when text was left out."""
    lines: list[str] = []
    current = ""
    words = plain_text(text).split(" ")
    for word in words:
        while len(word) > width:  # a word longer than a line is cut
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
        if len(lines) > max_lines:
            break
    if current:
        lines.append(current)
    lines = lines or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)].rstrip() + "…"
    return lines


def _dot_label(lines: Iterable[str]) -> str:
    """Lines of user text as one quoted DOT label, each escaped, joined with ``\\n``."""
    return '"' + "\\n".join(dot_string(line) for line in lines) + '"'


def display_date(value: str | None) -> str:
    """``2023`` → ``2023``, ``2023-06`` → ``Jun 2023``, ``2023-06-14`` → ``14 Jun 2023``,
    ``2023-06-17T23:40`` → ``17 Jun 2023 23:40``."""
    if not value:
        return "date unknown"
    day, _sep, time = value.replace(" ", "T", 1).partition("T")
    parts = day.split("-")
    try:
        if len(parts) == 3:
            shown = f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
            if time:
                hours, _colon, minutes = time.partition(":")
                shown += f" {int(hours):02d}:{int(minutes[:2]):02d}"
            return shown
        if len(parts) == 2:
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return plain_text(value)
    return plain_text(value)


def _date_key(value: str | None) -> tuple[int, str]:
    return (0, value) if value else (1, "")


# --- choosing what a view shows ---------------------------------------------------------------


def _level_rows() -> list[tuple[str, str]]:
    return list(SYSTEM_LEVELS.items())


def _upstream(rg: ReviewGraph, refs: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for ref in refs:
        found |= upstream(rg, ref)
    return found


def _event_item(ref: str, data: Mapping[str, Any]) -> Item:
    appraisal = str(data.get("appraisal") or "not_appraised")
    look = EVENT_LOOKS.get(appraisal, EVENT_LOOKS["not_appraised"])
    return Item(
        ref=ref,
        kind="event",
        row=EVENTS_ROW,
        title=str(data.get("label") or ""),
        look=look,
        date=data.get("date"),
        detail=str(data.get("agency") or ""),
    )


def _factor_item(ref: str, data: Mapping[str, Any]) -> Item:
    level = str(data.get("level") or "")
    return Item(
        ref=ref,
        kind="factor",
        row=level if level in SYSTEM_LEVELS else "practice",
        title=str(data.get("label") or ""),
        look=FACTOR_LOOKS.get(str(data.get("type")), _FALLBACK_FACTOR_LOOK),
    )


def select_view(
    rg: ReviewGraph,
    *,
    view: str = "accimap",
    ref: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    collapse: bool = False,
) -> Selection:
    """The nodes and links a view shows, in rows, collapsed when there are too many.

    ``accimap`` shows every factor and the events linked to a factor; ``kpe`` the events of
    KPE ``ref`` and everything upstream of them; ``event`` event ``ref`` and everything
    upstream of it. Above ``max_nodes`` nodes (or with ``collapse``) events are drawn as their
    KPEs, and if that is still too many only the levels nearest the front line are kept.
    Raises ``DrawError`` for an unknown view, a missing ref or a ref of the wrong kind.
    """
    graph = rg.graph
    causal = rg.causal()
    if view not in VIEWS:
        raise DrawError(f"view must be one of {', '.join(VIEWS)}, not '{plain_text(view)}'")
    notes: list[str] = []
    if view == "accimap":
        if ref:
            raise DrawError("The accimap view takes no ref")
        factors = [n for n, d in graph.nodes(data=True) if d["kind"] == "factor"]
        linked = {
            n
            for f in factors
            for n in (*causal.successors(f), *causal.predecessors(f))
            if graph.nodes[n]["kind"] == "event"
        }
        events = [n for n, d in graph.nodes(data=True) if d["kind"] == "event" and n in linked]
        unlinked = sum(1 for _n, d in graph.nodes(data=True) if d["kind"] == "event") - len(events)
        if unlinked:
            notes.append(f"{_count(unlinked, 'event')} with no factor linked to it not shown.")
        wanted = set(factors) | set(events)
    else:
        if not ref:
            raise DrawError(f"The {view} view needs ref: the {_view_kind(view)}'s ref")
        kind = "kpe" if view == "kpe" else "event"
        if ref not in graph or graph.nodes[ref]["kind"] != kind:
            raise DrawError(f"No {_view_kind(view)} '{plain_text(ref)}' in this review")
        if view == "kpe":
            roots = [
                n for n, d in graph.nodes(data=True) if d["kind"] == "event" and d.get("kpe") == ref
            ]
        else:
            roots = [ref]
        wanted = set(roots) | _upstream(rg, roots)
        wanted = {n for n in wanted if graph.nodes[n]["kind"] in ("event", "factor")}
    items = {
        n: _event_item(n, graph.nodes[n])
        if graph.nodes[n]["kind"] == "event"
        else _factor_item(n, graph.nodes[n])
        for n in wanted
    }
    edges = [
        Edge(u, v, str(d.get("relation") or ""), d.get("confidence"))
        for u, v, d in graph.edges(data=True)
        if d["kind"] == "link" and u in items and v in items
    ]
    collapsed = False
    message = ""
    if collapse or len(items) > max_nodes:
        items, edges = _collapse_events(rg, items, edges)
        collapsed = True
        message = (
            f"This graph has {_count(len(wanted), 'node')}, too many to draw readably: events are "
            "shown as their key practice episodes."
        )
        if collapse and len(wanted) <= max_nodes:
            message = (
                "Drawing the whole graph took too long: events are shown as their key "
                "practice episodes."
            )
        if len(items) > max_nodes:
            items, edges, kept = _filter_levels(items, edges, max_nodes)
            shown = ", ".join(SYSTEM_LEVELS[k] for k in kept) or "none"
            message += f" Only these levels are shown: {shown}."
        message += " Choose a key practice episode or an event to see it in full."
    rows = []
    for key, label in [*_level_rows(), (EVENTS_ROW, "Events, earliest first")]:
        members = sorted(
            (item for item in items.values() if item.row == key),
            key=lambda i: (_date_key(i.date), i.ref) if key == EVENTS_ROW else (_ref_key(i.ref),),
        )
        if members:
            rows.append((key, label, tuple(members)))
    return Selection(
        rows=tuple(rows),
        edges=tuple(
            sorted(set(edges), key=lambda e: (_ref_key(e.source), _ref_key(e.target), e.relation))
        ),
        collapsed=collapsed,
        message=message,
        notes=tuple(notes),
    )


def _ref_key(ref: str) -> tuple[str, int, str]:
    """Sort F2 before F10: the ref's letters, then its number, then the rest."""
    head = ref.rstrip("0123456789")
    tail = ref[len(head) :]
    return (head, int(tail) if tail else -1, ref)


def _view_kind(view: str) -> str:
    return "key practice episode" if view == "kpe" else "event"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun if n == 1 else noun + 's'}"


def _collapse_events(
    rg: ReviewGraph, items: dict[str, Item], edges: list[Edge]
) -> tuple[dict[str, Item], list[Edge]]:
    """Events become their KPEs (events in none become one "other events" node)."""
    graph = rg.graph
    group_of: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for ref, item in items.items():
        if item.kind == "event":
            kpe = graph.nodes[ref].get("kpe")
            group = kpe if kpe and kpe in graph else "…"
            group_of[ref] = group
            members[group].append(ref)
    kept = {ref: item for ref, item in items.items() if item.kind != "event"}
    for group, refs in members.items():
        dates = sorted(d for r in refs if (d := graph.nodes[r].get("date")))
        title = graph.nodes[group]["label"] if group != "…" else "Events in no key practice episode"
        span = display_date(dates[0]) if dates else "date unknown"
        if dates and dates[-1] != dates[0]:
            span += f" to {display_date(dates[-1])}"
        kept[group] = Item(
            ref=group,
            kind="kpe",
            row=EVENTS_ROW,
            title=title,
            look=KPE_LOOK,
            date=dates[0] if dates else None,
            detail=f"{span} · {_count(len(refs), 'event')}",
            members=tuple(sorted(refs, key=_ref_key)),
        )
    merged = {
        Edge(
            group_of.get(e.source, e.source),
            group_of.get(e.target, e.target),
            e.relation,
            e.confidence,
        )
        for e in edges
    }
    return kept, [e for e in merged if e.source != e.target]


def _filter_levels(
    items: dict[str, Item], edges: list[Edge], max_nodes: int
) -> tuple[dict[str, Item], list[Edge], list[str]]:
    """Keep whole level rows, front line first, while the drawing stays within ``max_nodes``."""
    by_row: dict[str, list[str]] = defaultdict(list)
    for ref, item in items.items():
        by_row[item.row].append(ref)
    keep = set(by_row[EVENTS_ROW])
    kept_levels = []
    for level in _LEVELS_BY_PRIORITY:
        if by_row[level] and len(keep) + len(by_row[level]) <= max_nodes:
            keep |= set(by_row[level])
            kept_levels.append(level)
    chosen = {ref: item for ref, item in items.items() if ref in keep}
    return chosen, [e for e in edges if e.source in keep and e.target in keep], kept_levels


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


# --- positions for the interactive view ------------------------------------------------------

ROW_GAP = 160.0
NODE_GAP = 190.0


def selection_positions(selection: Selection) -> dict[str, tuple[float, float]]:
    """Deterministic x, y positions in the AcciMap's rows, without Graphviz.

    Events are spaced along the bottom in date order; each row above is placed at the mean x
    of what its nodes link to (lowest rows first), then spread so no two overlap.
    """
    positions: dict[str, tuple[float, float]] = {}
    targets: dict[str, list[str]] = defaultdict(list)
    sources: dict[str, list[str]] = defaultdict(list)
    for edge in selection.edges:
        targets[edge.source].append(edge.target)
        sources[edge.target].append(edge.source)
    rows = list(selection.rows)
    y_of = {key: index * ROW_GAP for index, (key, _label, _items) in enumerate(rows)}
    for key, _label, items in reversed(rows):
        wanted: list[tuple[float, str]] = []
        for order, item in enumerate(items):
            if key == EVENTS_ROW:
                wanted.append((order * NODE_GAP, item.ref))
                continue
            near = [positions[t][0] for t in targets[item.ref] if t in positions]
            near = near or [positions[s][0] for s in sources[item.ref] if s in positions]
            wanted.append((sum(near) / len(near) if near else order * NODE_GAP, item.ref))
        wanted.sort()
        last = None
        for x, ref in wanted:
            if last is not None and x < last + NODE_GAP:
                x = last + NODE_GAP
            positions[ref] = (round(x, 1), y_of[key])
            last = x
    return positions


# --- rendering --------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def dot_version(binary: str = "dot") -> str:
    """``dot -V``'s answer (part of the cache key, so an upgrade redraws everything)."""
    path = shutil.which(binary)
    if path is None:
        raise RenderError("Graphviz is not installed: the 'dot' program was not found")
    result = subprocess.run([path, "-V"], capture_output=True, timeout=10, check=False)  # noqa: S603 - fixed argv, no shell
    return (result.stderr or result.stdout).decode("utf-8", "replace").strip()


def cache_key(dot: str, fmt: str) -> str:
    """The sha256 of the DOT text, the format and Graphviz's version."""
    digest = hashlib.sha256()
    for part in (dot_version(), fmt, dot):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def render(dot: str, fmt: str, *, timeout: float = 10.0, cache_dir: Path | None = None) -> bytes:
    """Lay ``dot`` out with Graphviz and return it as ``fmt`` (``svg`` or ``png``).

    With ``cache_dir`` the result is kept on disk by ``cache_key`` and a second call returns
    it without running Graphviz; a layout that timed out is remembered too, so asking again
    with the same or a shorter limit fails at once. Raises ``RenderTimeoutError`` when
    ``dot`` takes longer than ``timeout`` seconds (it is killed), ``RenderError`` when it
    fails, and ``ValueError`` for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}")
    key = cache_key(dot, fmt)
    path = marker = None
    if cache_dir is not None:
        path = cache_dir / key[:2] / f"{key}.{fmt}"
        marker = path.with_suffix(".timeout")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        try:
            if float(marker.read_text()) >= timeout:
                raise RenderTimeoutError(f"Graphviz took longer than {timeout:g} s before")
        except (FileNotFoundError, ValueError):
            pass
    binary = shutil.which("dot")
    if binary is None:
        raise RenderError("Graphviz is not installed: the 'dot' program was not found")
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, DOT on stdin, no shell
            [binary, f"-T{fmt}"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        if marker is not None:
            write_atomic(marker, f"{timeout}".encode())
        raise RenderTimeoutError(f"Graphviz took longer than {timeout:g} s") from None
    if result.returncode != 0 or not result.stdout:
        raise RenderError("Graphviz failed: " + result.stderr.decode("utf-8", "replace")[:500])
    if path is not None:
        write_atomic(path, result.stdout)
    return result.stdout


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


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


def legend_items() -> Sequence[tuple[str, Look]]:
    """The key: each node type's marker and look, for pages that draw the graph themselves."""
    return [
        *((key, look) for key, look in FACTOR_LOOKS.items()),
        *((f"event:{key}", look) for key, look in EVENT_LOOKS.items()),
        ("kpe", KPE_LOOK),
    ]
