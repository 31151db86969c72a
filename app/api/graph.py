"""API for the systems graph: its analysis, the AcciMap drawings and the graph's exports."""

from __future__ import annotations

from flask import current_app, jsonify, make_response, request
from flask.typing import ResponseReturnValue

from analysis.graph.analysis import analyse, analysis_json
from analysis.graph.draw import VIEWS, to_graphml, to_node_link_json
from analysis.graph.model import ReviewGraph
from app.api import bp
from app.api.helpers import ApiError
from app.db import db
from app.policy import may, review_access
from app.reader import reader_text, reader_text_if_changed
from app.services import graph as service
from app.settings import graph_settings

CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "graphml": "application/graphml+xml",
}


def _graph() -> ReviewGraph:
    return service.review_graph(
        db(), review_access().review, show_accounts=may("accounts.view"), text=reader_text()
    )


def _download(data: bytes, fmt: str, name: str) -> ResponseReturnValue:
    response = make_response(data)
    response.headers["Content-Type"] = CONTENT_TYPES[fmt]
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/reviews/<int:review_id>/analysis")
def graph_analysis(review_id: int) -> ResponseReturnValue:
    """What the review's graph says, keyed by ref.
    ---
    get:
      summary: The systems analysis of the review's graph
      description: >
        active_failures, latent_conditions, protective, context (lists of refs); checks
        ({code, message, refs}); reach (latent ref -> {events, active_failures}); alignment
        (event ref -> latent refs, most aligned first); leverage (refs, best first); themes
        ({refs, labels}).
      parameters: [ReviewId]
      responses:
        200: {description: The analysis}
    """
    rg = _graph()
    # Not jsonify: Flask sorts keys, and the order of "alignment" (most aligned first) is
    # part of the answer.
    body = current_app.json.reader_dumps(  # type: ignore[attr-defined]
        analysis_json(analyse(rg)), ensure_ascii=False, sort_keys=False
    )
    return current_app.response_class(body, mimetype="application/json")


_IMAGE_DOC = """The AcciMap: one row per system level, events along a time axis at the bottom.
    ---
    get:
      summary: Draw the review's AcciMap as {name}
      description: >
        Big graphs (over about 300 nodes), and graphs Graphviz cannot lay out within the time
        limit, are drawn collapsed (events as their key practice episodes); the headers
        X-Graph-Collapsed and X-Graph-Message then say so.
      parameters:
        - ReviewId
        - in: query
          name: view
          schema: {{type: string, enum: [accimap, kpe, event], default: accimap}}
          description: the whole review, one key practice episode, or one event
        - in: query
          name: ref
          schema: {{$ref: '#/components/schemas/ref'}}
          description: the KPE's or event's ref (for view=kpe and view=event)
        - {{in: query, name: download, schema: {{type: boolean}}, description: as an attachment}}
      responses:
        200:
          description: The drawing
          content: {{{mime}: {{}}}}
        400:
          description: A bad view, or a missing or unknown ref
          content: {{application/json: {{schema: {{$ref: '#/components/schemas/Error'}}}}}}
    """


def _image(fmt: str) -> ResponseReturnValue:
    view = request.args.get("view", "accimap")
    ref = request.args.get("ref") or None
    review = review_access().review
    try:
        image = service.graph_drawing(
            db(), review, view, ref, fmt, settings=graph_settings(), text=reader_text_if_changed()
        )
    except service.GraphViewError as error:
        raise ApiError(400, error.message, [{"field": error.field, "views": list(VIEWS)}]) from None
    name = f"review-{review.id}-{view}" + (f"-{ref}" if ref else "")
    response = _download(image.data, fmt, name)
    if image.collapsed:
        response.headers["X-Graph-Collapsed"] = "true"  # type: ignore[union-attr]
        response.headers["X-Graph-Message"] = image.message  # type: ignore[union-attr]
    return response


@bp.route("/reviews/<int:review_id>/graph.svg")
def graph_svg(review_id: int) -> ResponseReturnValue:
    return _image("svg")


@bp.route("/reviews/<int:review_id>/graph.png")
def graph_png(review_id: int) -> ResponseReturnValue:
    return _image("png")


@bp.route("/reviews/<int:review_id>/graph.dot")
def graph_dot(review_id: int) -> ResponseReturnValue:
    return _image("dot")


# One description for the three formats (apispec reads each view's docstring).
graph_svg.__doc__ = _IMAGE_DOC.format(name="SVG", mime="image/svg+xml")
graph_png.__doc__ = _IMAGE_DOC.format(name="PNG", mime="image/png")
graph_dot.__doc__ = _IMAGE_DOC.format(name="Graphviz DOT", mime="text/vnd.graphviz")


@bp.route("/reviews/<int:review_id>/graph.graphml")
def graph_graphml(review_id: int) -> ResponseReturnValue:
    """The whole graph as GraphML.
    ---
    get:
      summary: Export the review's graph as GraphML (for Gephi, yEd, networkx)
      parameters: [ReviewId]
      responses:
        200: {description: GraphML, content: {application/graphml+xml: {}}}
    """
    review = review_access().review
    data = to_graphml(_graph())
    return _download(data, "graphml", f"review-{review.id}-graph")


@bp.route("/reviews/<int:review_id>/graph.json")
def graph_json(review_id: int) -> ResponseReturnValue:
    """The whole graph as node-link JSON.
    ---
    get:
      summary: Export the review's graph as node-link JSON (networkx node_link_data)
      description: >
        nodes (id = ref, kind, label and the item's fields) and links (source, target, kind:
        link, in_kpe, rests_on or answers; relation, confidence and ref for the review's links).
      parameters: [ReviewId]
      responses:
        200: {description: '{directed, multigraph, graph, nodes, links}'}
    """
    return jsonify(to_node_link_json(_graph()))
