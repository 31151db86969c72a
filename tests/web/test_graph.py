"""The systems graph in the app: the analysis and drawing API (shapes, views, 400s, exports,
the time limit and the cache), the graph page with its analysis and table, on the test world
and on the demo review "Child F"."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from flask import Flask

from app.demo import seed_demo
from app.report_generation import render_settings
from models import Review, User, UserSession
from tests.conftest import World

ANALYSIS_KEYS = {
    "active_failures",
    "latent_conditions",
    "protective",
    "context",
    "checks",
    "reach",
    "alignment",
    "leverage",
    "themes",
}
LEVEL_ROWS = ("National", "Partnership", "Organisation", "Team", "Practice")


@pytest.fixture
def cache_dir(app: Flask, tmp_path: Path) -> Path:
    app.config["GRAPH_CACHE_DIR"] = str(tmp_path / "graph-cache")
    return tmp_path / "graph-cache"


@pytest.fixture
def demo(app: Flask, client: Any, db_session: Any) -> int:
    """The demo review "Child F", with the client signed in as its chair."""
    import secrets

    from app.security import _sha256

    with app.app_context():
        review = seed_demo(db_session, render=render_settings())
    db_session.commit()
    chair = db_session.query(User).filter_by(email="chair@demo.example.org").one()
    token = secrets.token_urlsafe(32)
    db_session.add(UserSession(token_hash=_sha256(token), user_id=chair.id))
    db_session.commit()
    with client.session_transaction() as flask_session:
        flask_session["sid"] = token
        flask_session["_user_id"] = str(chair.id)
        flask_session["_fresh"] = True
    return int(review.id)


def _api(world: World, path: str) -> str:
    return f"/api/v1/reviews/{world.review_id}/{path}"


# --- analysis ---------------------------------------------------------------------------------


def test_analysis_is_keyed_by_ref_in_the_documented_shape(
    client: Any, api: Any, world: World
) -> None:
    response = client.get(_api(world, "analysis"), headers=api("observer"))
    assert response.status_code == 200
    body = response.json
    assert set(body) == ANALYSIS_KEYS
    assert body["latent_conditions"] == ["F1"]
    assert body["reach"]["F1"]["events"] == ["E1"]
    assert body["leverage"] == ["F1"]
    assert all(set(c) == {"code", "message", "refs"} for c in body["checks"])


def test_demo_analysis_separates_the_thirty_factors(client: Any, demo: int) -> None:
    body = client.get(f"/api/v1/reviews/{demo}/analysis").json
    assert len(body["active_failures"]) == 10
    assert len(body["latent_conditions"]) == 14
    assert len(body["protective"]) == 6
    assert body["leverage"] and body["alignment"]
    assert all(body["reach"][ref]["events"] for ref in body["leverage"][:3])
    # "alignment" keeps the analysis' order, most aligned event first, not the refs sorted.
    # E70 has latent conditions from all four upper levels lined up behind it.
    assert next(iter(body["alignment"])) == "E70"
    assert list(body["alignment"]) != sorted(body["alignment"])


# --- drawings ---------------------------------------------------------------------------------


def test_the_accimap_comes_as_svg_png_and_dot(
    client: Any, api: Any, world: World, cache_dir: Path
) -> None:
    headers = api("board_member")
    svg = client.get(_api(world, "graph.svg"), headers=headers)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert "Organisation" in text and "E1 · 14 Jan 2023" in text and "LC · F1" in text
    png = client.get(_api(world, "graph.png"), headers=headers)
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    dot = client.get(_api(world, "graph.dot?download=1"), headers=headers)
    assert dot.get_data(as_text=True).startswith("digraph accimap {")
    assert (
        dot.headers["Content-Disposition"]
        == f'attachment; filename="review-{world.review_id}-accimap.dot"'
    )


def test_kpe_and_event_views(client: Any, api: Any, world: World, cache_dir: Path) -> None:
    headers = api("observer")
    kpe = client.get(_api(world, "graph.dot?view=kpe&ref=K1"), headers=headers)
    assert kpe.status_code == 200 and "key practice episode K1" in kpe.get_data(as_text=True)
    event = client.get(_api(world, "graph.svg?view=event&ref=E1"), headers=headers)
    assert event.status_code == 200 and "LC · F1" in event.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("view=sideways", "view must be one of accimap, kpe, event"),
        ("view=kpe", "needs ref"),
        ("view=event&ref=E999", "No event 'E999' in this review"),
        ("view=event&ref=F1", "No event 'F1' in this review"),
        ("view=kpe&ref=E1", "No key practice episode 'E1' in this review"),
    ],
)
def test_a_bad_view_or_ref_is_a_400_that_says_why(
    client: Any, api: Any, world: World, query: str, message: str
) -> None:
    response = client.get(_api(world, f"graph.svg?{query}"), headers=api("observer"))
    assert response.status_code == 400
    assert message in response.json["message"]


def test_demo_accimap_labels_every_level_row_that_has_factors(
    client: Any, demo: int, cache_dir: Path
) -> None:
    svg = client.get(f"/api/v1/reviews/{demo}/graph.svg").get_data(as_text=True)
    for row in (*LEVEL_ROWS, "Child and family", "Events, earliest first"):
        assert f">{row}</text>" in svg, row
    assert "AF · F1" in svg and "PF · F25" in svg
    assert "not shown" in svg  # the events with no factor, said in the key


def test_a_layout_over_the_time_limit_falls_back_to_the_collapsed_view(
    app: Flask, client: Any, demo: int, cache_dir: Path
) -> None:
    app.config["GRAPH_RENDER_TIMEOUT"] = 0.0001
    app.config["GRAPH_FALLBACK_TIMEOUT"] = 20
    response = client.get(f"/api/v1/reviews/{demo}/graph.svg")
    assert response.status_code == 200
    assert response.headers["X-Graph-Collapsed"] == "true"
    assert "took too long" in response.headers["X-Graph-Message"]
    assert "KPE K1" in response.get_data(as_text=True)


def test_when_nothing_can_be_laid_out_in_time_a_message_is_drawn(
    app: Flask, client: Any, demo: int, cache_dir: Path
) -> None:
    app.config["GRAPH_RENDER_TIMEOUT"] = 0.0001
    app.config["GRAPH_FALLBACK_TIMEOUT"] = 0.0001
    response = client.get(f"/api/v1/reviews/{demo}/graph.svg")
    assert response.status_code == 200 and response.headers["X-Graph-Collapsed"] == "true"
    assert "too big and tangled" in response.get_data(as_text=True)


def test_a_second_request_is_served_from_the_cache(
    client: Any, api: Any, world: World, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = api("observer")
    first = client.get(_api(world, "graph.svg"), headers=headers).data
    assert list(cache_dir.rglob("*.svg"))

    def no_dot(*args: object, **kwargs: object) -> None:
        raise AssertionError("Graphviz ran again")

    monkeypatch.setattr(subprocess, "run", no_dot)
    assert client.get(_api(world, "graph.svg"), headers=headers).data == first


# --- exports ----------------------------------------------------------------------------------


def test_graphml_and_node_link_exports(client: Any, api: Any, world: World) -> None:
    headers = api("observer")
    graphml = client.get(_api(world, "graph.graphml"), headers=headers)
    assert graphml.mimetype == "application/graphml+xml"
    read = nx.read_graphml(io.BytesIO(graphml.data))
    assert {"E1", "K1", "F1"} <= set(read.nodes)
    body = client.get(_api(world, "graph.json"), headers=headers).json
    assert body["directed"] is True
    assert {n["id"]: n["kind"] for n in body["nodes"]}["F1"] == "factor"
    assert {(lk["source"], lk["target"], lk["kind"]) for lk in body["links"]} >= {
        ("F1", "E1", "link"),
        ("E1", "K1", "in_kpe"),
    }


def test_exports_hide_account_refs_from_roles_that_may_not_read_accounts(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    from app.services import factors

    review = db_session.get(Review, world.review_id)
    factors.create_factor(
        session=db_session,
        review=review,
        label="Duty officers work alone at night",
        type="latent_condition",
        level="team",
        evidence=[{"source": "practitioner_account", "account": "AC1"}],
    )
    db_session.commit()

    def evidence(who: str) -> list[Any]:
        body = client.get(_api(world, "graph.json"), headers=api(who)).json
        return next(n for n in body["nodes"] if n["id"] == "F2")["evidence"]

    assert evidence("panel_member")[0]["account"] == "AC1"
    assert evidence("board_member")[0]["account"] is None


def test_the_openapi_document_lists_the_graph_endpoints(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("analysis", "graph.svg", "graph.png", "graph.dot", "graph.graphml", "graph.json"):
        assert f"/api/v1/reviews/{{review_id}}/{path}" in paths, path
    parameters = paths["/api/v1/reviews/{review_id}/graph.svg"]["get"]["parameters"]
    assert {p.get("name") for p in parameters} >= {"view", "ref"}


# --- the page ---------------------------------------------------------------------------------


def test_the_graph_page_shows_the_picture_analysis_and_table(
    client: Any, login: Any, world: World
) -> None:
    login("board_member")
    page = client.get(f"/reviews/{world.review_id}/graph")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/api/v1/reviews/{world.review_id}/graph.svg?view=accimap" in html
    assert 'role="img"' in html and "Every factor and event" in html
    assert 'id="node-F1"' in html and 'id="node-E1"' in html
    assert "Domestic incidents graded standard get no follow-up" in html
    assert "<script>" not in html  # the page's only script is an external module
    factors_page = client.get(f"/reviews/{world.review_id}/factors").get_data(as_text=True)
    assert f'href="/reviews/{world.review_id}/graph"' in factors_page


def test_the_graph_page_refuses_an_unknown_ref_and_shows_the_whole_review(
    client: Any, login: Any, world: World
) -> None:
    login("observer")
    page = client.get(f"/reviews/{world.review_id}/graph?view=event&ref=E404")
    assert page.status_code == 400
    assert "No event &#39;E404&#39; in this review" in page.get_data(as_text=True)


def test_the_interactive_graph_data_places_nodes_in_level_rows(client: Any, demo: int) -> None:
    body = client.get(f"/reviews/{demo}/graph/data.json").json
    ids = {n["id"] for n in body["nodes"]}
    assert {f"F{i}" for i in range(1, 31)} <= ids
    assert "E57" in ids
    y_of = {row["key"]: row["y"] for row in body["rows"]}
    assert y_of["national"] < y_of["team"] < y_of["practice"] < y_of["events"]
    f11 = next(n for n in body["nodes"] if n["id"] == "F11")
    assert f11["y"] == y_of[f11["level"]] and f11["marker"] == "LC"
    assert body["analysis"]["leverage_rank"]
    page = client.get(f"/reviews/{demo}/graph").get_data(as_text=True)
    assert "How the holes lined up" in page and "Where a board could act" in page


def test_the_picture_caption_speaks_of_the_view_drawn_not_the_whole_review(
    client: Any, demo: int
) -> None:
    whole = client.get(f"/reviews/{demo}/graph").get_data(as_text=True)
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", whole, re.S)
    assert caption and "with no factor linked to it not shown" in caption.group(1)
    episode = client.get(f"/reviews/{demo}/graph?view=kpe&ref=K2").get_data(as_text=True)
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", episode, re.S)
    assert caption and "key practice episode K2" in caption.group(1)
    assert "not shown" not in caption.group(1)  # the episode's picture shows all its events


def test_leverage_shows_centrality_against_the_most_central(client: Any, demo: int) -> None:
    page = client.get(f"/reviews/{demo}/graph").get_data(as_text=True)
    table = page.split('id="leverage"', 1)[1].split("</table>", 1)[0]
    assert "Centrality (relative)" in table and ">100%</td>" in table
    assert "0.00" not in table  # raw betweenness reads as nothing to a panel


def test_every_section_of_a_review_links_to_the_systems_graph(client: Any, demo: int) -> None:
    """A new user could not find the graph from the review's overview or the findings."""
    graph = f'href="/reviews/{demo}/graph"'
    for page in ("", "/findings", "/chronology", "/actions"):
        html = client.get(f"/reviews/{demo}{page}").get_data(as_text=True)
        assert graph in html, page or "overview"
        assert f'href="/reviews/{demo}/actions"' in html, page or "overview"
