"""Choosing what a view of the graph shows (:func:`select_view`), and where its nodes sit in
the interactive view (:func:`selection_positions`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.graph.causal import upstream
from analysis.graph.looks import (
    _FALLBACK_FACTOR_LOOK,
    _LEVELS_BY_PRIORITY,
    DEFAULT_MAX_NODES,
    EVENT_LOOKS,
    EVENTS_ROW,
    FACTOR_LOOKS,
    KPE_LOOK,
    VIEWS,
    DrawError,
    Look,
    _date_key,
    display_date,
    plain_text,
)
from analysis.graph.model import ReviewGraph
from analysis.taxonomy import SYSTEM_LEVELS


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
