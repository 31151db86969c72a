"""The systems graph page: the AcciMap, the interactive graph, the analysis and a table of the
same information for keyboard and screen-reader users. The policy has checked access."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from analysis.graph.analysis import Analysis, analyse, analysis_json
from analysis.graph.draw import (
    EVENT_LOOKS,
    EVENTS_ROW,
    FACTOR_LOOKS,
    KPE_LOOK,
    DrawError,
    Selection,
    display_date,
    select_view,
    selection_positions,
)
from analysis.graph.model import ReviewGraph
from analysis.taxonomy import FACTOR_TYPES, LINK_RELATIONS, SOURCE_KINDS, SYSTEM_LEVELS
from app.db import db
from app.factors import bp
from app.pickers import event_picker
from app.policy import may, review_access
from app.reader import reader_text
from app.services import graph as service
from app.services import review_cache

APPRAISALS = {
    "problematic": "Problematic",
    "good_practice": "Good practice",
    "neutral": "Neutral",
    "not_appraised": "Not yet appraised",
}
#: The interactive graph draws up to this many nodes (the picture collapses sooner).
INTERACTIVE_MAX_NODES = 2000


def _graph() -> ReviewGraph:
    return service.review_graph(
        db(), review_access().review, show_accounts=may("accounts.view"), text=reader_text()
    )


def _kind_label(data: dict[str, Any]) -> str:
    if data["kind"] == "factor":
        return FACTOR_TYPES.get(data.get("type", ""), "Factor")
    return f"Event ({APPRAISALS.get(data.get('appraisal', ''), 'not yet appraised').lower()})"


def _rows(rg: ReviewGraph, selection: Selection) -> list[dict[str, Any]]:
    """One row per node drawn, top level first, events by date, with its links in words."""
    graph = rg.graph
    review_id = review_access().review.id
    into: dict[str, list[str]] = {}
    out_of: dict[str, list[str]] = {}
    for edge in selection.edges:
        relation = LINK_RELATIONS.get(edge.relation, edge.relation)
        out_of.setdefault(edge.source, []).append(f"{relation} {edge.target}")
        into.setdefault(edge.target, []).append(f"{edge.source} {relation} it")
    rows = []
    for key, label, items in selection.rows:
        for item in items:
            data = graph.nodes[item.ref]
            is_event = data["kind"] == "event"
            rows.append(
                {
                    "ref": item.ref,
                    "kind": _kind_label(data),
                    "marker": item.look.marker,
                    "row": label if key == EVENTS_ROW else f"{label} level",
                    "label": item.title,
                    "date": display_date(item.date) if is_event else "",
                    "kpe": data.get("kpe") or "",
                    "leads_to": out_of.get(item.ref, []),
                    "behind": into.get(item.ref, []),
                    "url": url_for(
                        "chronology.event" if is_event else "factors.factor",
                        review_id=review_id,
                        ref=item.ref,
                    ),
                }
            )
    return rows


def _analysis_context(rg: ReviewGraph, analysis: Analysis) -> dict[str, Any]:
    graph = rg.graph

    def name(ref: str) -> str:
        return f"{ref}: {graph.nodes[ref]['label']}" if ref in graph else ref

    top_central = max((row.centrality for row in analysis.leverage), default=0.0)
    return {
        "checks": analysis.checks,
        "leverage": [
            {
                "ref": row.ref,
                "name": name(row.ref),
                "level": SYSTEM_LEVELS.get(graph.nodes[row.ref].get("level", ""), ""),
                "reach": row.reach,
                "centrality": row.centrality,
                # Betweenness values are tiny on tree-shaped reviews (0.001 reads as nothing),
                # so the page shows each relative to the review's most central.
                "relative_centrality": round(100 * row.centrality / top_central)
                if top_central > 0
                else 0,
            }
            for row in analysis.leverage
        ],
        "alignment": [
            {
                "event": row.event,
                "name": name(row.event),
                "latent": [name(r) for r in row.latent_conditions],
                "levels": [SYSTEM_LEVELS.get(level, level) for level in row.levels],
            }
            for row in analysis.alignment
        ],
        "reach": [
            {
                "ref": ref,
                "name": name(ref),
                "events": list(reach.events),
                "active_failures": list(reach.active_failures),
            }
            for ref, reach in analysis.reach.items()
        ],
        "themes": analysis.themes,
        "name": name,
    }


@bp.route("/graph", methods=["GET", "POST"])
def graph(review_id: int) -> ResponseReturnValue:
    """The systems graph: the AcciMap picture, the interactive graph, the analysis, a table."""
    review = review_access().review
    show_accounts = may("accounts.view")

    def whole_review() -> tuple[ReviewGraph, Selection, Analysis, list[dict[str, Any]], bool]:
        rg = service.review_graph(db(), review, show_accounts=show_accounts)
        selection = select_view(rg, max_nodes=INTERACTIVE_MAX_NODES)
        has_events = any(d["kind"] == "event" for _n, d in rg.graph.nodes(data=True))
        return rg, selection, analyse(rg), _rows(rg, selection), has_events

    # The graph, its analysis and its table are worked out once per change to the review.
    rg, selection, analysis, rows, has_events = review_cache.cached(
        db(), review.id, "graph_page", whole_review, show_accounts
    )
    view = request.args.get("view", "accimap")
    ref = request.args.get("ref") or None
    if request.method == "POST":  # searching for an event to draw (posted: no words in URLs)
        view, ref = "accimap", None
    error = ""
    try:
        shown = (
            selection
            if view == "accimap" and ref is None
            else select_view(rg, view=view, ref=ref, max_nodes=INTERACTIVE_MAX_NODES)
        )
    except DrawError as problem:
        error = str(problem)
        view, ref, shown = "accimap", None, selection
    nodes = rg.graph.nodes
    kpes = [(n, d["label"]) for n, d in nodes(data=True) if d["kind"] == "kpe"]
    event_ref = ref if view == "event" else None
    # Any, as url_for's own **values: an int or str value would be checked against _external.
    image_args: dict[str, Any] = {
        "review_id": review.id,
        "view": view,
        **({"ref": ref} if ref else {}),
    }
    downloads = [
        (url_for("api.graph_svg", **image_args, download=1), "SVG picture"),
        (url_for("api.graph_png", **image_args, download=1), "PNG picture"),
        (url_for("api.graph_dot", **image_args, download=1), "Graphviz DOT"),
        (url_for("api.graph_graphml", review_id=review.id, download=1), "GraphML (whole graph)"),
        (url_for("api.graph_json", review_id=review.id), "Node-link JSON (whole graph)"),
    ]
    if view == "accimap":
        caption = "the whole review"
    else:
        kind = "key practice episode" if view == "kpe" else "event"
        caption = f"{kind} {ref}: {nodes[ref]['label']}, and what lay behind it"
    return render_template(
        "factors/graph.html",
        review=review,
        title="Systems graph",
        error=error,
        view=view,
        ref=ref,
        caption=caption,
        image_url=url_for("api.graph_svg", **image_args),
        downloads=downloads,
        kpes=kpes,
        has_events=has_events,
        event_choice=event_picker(db(), review, "ref", [event_ref] if event_ref else []),
        rows=rows,
        omitted=selection.notes,  # of the whole review: the table shows all of it
        picture_notes=shown.notes,  # of the view drawn above it
        levels=SYSTEM_LEVELS,
        types=FACTOR_TYPES,
        factor_looks=FACTOR_LOOKS,
        event_looks=EVENT_LOOKS,
        **_analysis_context(rg, analysis),
    ), (400 if error else 200)


@bp.route("/graph/data.json")
def graph_data(review_id: int) -> ResponseReturnValue:
    """What the interactive graph draws: nodes with positions in the AcciMap's rows, links,
    and the analysis the side panel shows."""
    review = review_access().review
    rg = _graph()
    graph = rg.graph
    selection = select_view(rg, max_nodes=INTERACTIVE_MAX_NODES)
    positions = selection_positions(selection)
    analysis = analyse(rg)
    nodes = []
    for key, label, items in selection.rows:
        for item in items:
            data = graph.nodes[item.ref]
            is_event = data["kind"] == "event"
            x, y = positions[item.ref]
            nodes.append(
                {
                    "id": item.ref,
                    "kind": data["kind"],
                    "type": data.get("type") or data.get("appraisal") or "",
                    "kind_label": _kind_label(data),
                    "marker": item.look.marker,
                    "shape": item.look.shape,
                    "colour": item.look.colour,
                    "fill": item.look.fill,
                    "row": key,
                    "row_label": label,
                    "level": data.get("level") or "",
                    "label": item.title,
                    "description": data.get("description") or "",
                    "date": display_date(item.date) if is_event else "",
                    "agency": data.get("agency") or "",
                    "kpe": data.get("kpe") or "",
                    "evidence": [
                        {
                            "source": SOURCE_KINDS.get(e.source, e.source),
                            "event": e.event,
                            "account": e.account,
                        }
                        for e in data.get("evidence", ())
                    ],
                    "url": url_for(
                        "chronology.event" if is_event else "factors.factor",
                        review_id=review.id,
                        ref=item.ref,
                    ),
                    "x": x,
                    "y": y,
                }
            )
    return jsonify(
        {
            "rows": [
                {"key": key, "label": label, "y": positions[items[0].ref][1]}
                for key, label, items in selection.rows
            ],
            "nodes": nodes,
            "edges": [
                {
                    "id": f"{e.source}->{e.target}:{e.relation}",
                    "source": e.source,
                    "target": e.target,
                    "relation": e.relation,
                    "relation_label": LINK_RELATIONS.get(e.relation, e.relation),
                    "confidence": e.confidence or "",
                }
                for e in selection.edges
            ],
            "kpes": {n: d["label"] for n, d in graph.nodes(data=True) if d["kind"] == "kpe"},
            "levels": SYSTEM_LEVELS,
            "types": FACTOR_TYPES,
            "kpe_look": {"marker": KPE_LOOK.marker},
            "analysis": analysis_json(analysis)
            | {
                "checks_by_ref": _checks_by_ref(analysis),
                "leverage_rank": {row.ref: i + 1 for i, row in enumerate(analysis.leverage)},
                "touches": {ref: list(events) for ref, events in analysis.touches.items()},
                "alignment_levels": {
                    row.event: [SYSTEM_LEVELS.get(lv, lv) for lv in row.levels]
                    for row in analysis.alignment
                },
            },
        }
    )


def _checks_by_ref(analysis: Analysis) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for check in analysis.checks:
        for ref in check.refs:
            found.setdefault(ref, []).append(check.message)
    return found
