"""Drawing the systems graph: the AcciMap's DOT (escaping, rows, time axis, views, collapsing),
rendering with Graphviz under a time limit with a disk cache, and the GraphML and node-link
exports. Graphs are hand-built; every name is fictional.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from defusedxml.ElementTree import fromstring

from analysis.factors import EvidenceFacts
from analysis.graph import draw
from analysis.graph.draw import (
    DrawError,
    RenderError,
    RenderTimeoutError,
    accimap_dot,
    dot_string,
    render,
    select_view,
    selection_positions,
    to_graphml,
    to_node_link_json,
)
from analysis.graph.model import EventNode, FactorNode, GraphInput, KpeNode, LinkEdge, build_graph

SVG = "{http://www.w3.org/2000/svg}"
EVIL = 'Say "stop" \\ C:\\temp\\n <script>alert(1)</script> &lt;b&gt;\nnext "]; evil=1 [ x'


def small_graph(label: str = "Supervision too short to reflect on each child") -> Any:
    return build_graph(
        GraphInput(
            events=(
                EventNode(
                    "E2", "Home visit: Child F not seen", "2023-06-14", "HV", "problematic", "K1"
                ),
                EventNode("E1", "Referral to early help", "2023-02", "SCH", "good_practice", "K1"),
                EventNode("E3", "School nurse letter", None, "SCH", "neutral"),
                EventNode("E4", "Unlinked event", "2023-08-01"),
            ),
            kpes=(KpeNode("K1", "Spring visits"),),
            factors=(
                FactorNode("F1", "Child F not seen alone", "active_failure", "practice"),
                FactorNode("F2", label, "latent_condition", "team"),
                FactorNode(
                    "F3", "National guidance silent on new partners", "latent_condition", "national"
                ),
                FactorNode("F4", "Grandmother's regular contact", "protective", "child_and_family"),
                FactorNode(
                    "F5",
                    "Family moved house twice",
                    "context",
                    "child_and_family",
                    evidence=(EvidenceFacts("family_account", event="E1"),),
                ),
                FactorNode("F6", "Orphan condition", "latent_condition", "organisation"),
            ),
            links=(
                LinkEdge("F1", "E2", "contributed_to", "L1", "high"),
                LinkEdge("F2", "F1", "enabled", "L2", "medium"),
                LinkEdge("F3", "F2", "precondition_of", "L3"),
                LinkEdge("F4", "E2", "mitigated", "L4", "low"),
                LinkEdge("F5", "E1", "contributed_to", "L5"),
                LinkEdge("F1", "E3", "contributed_to", "L6"),
            ),
        )
    )


def svg_of(dot: str) -> ET.Element:
    return fromstring(render(dot, "svg", timeout=20))


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def dot_json(dot: str) -> dict[str, Any]:
    result = subprocess.run(["dot", "-Tjson"], input=dot.encode(), capture_output=True, check=True)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --- escaping ---------------------------------------------------------------------------------


def test_dot_string_escapes_quotes_backslashes_and_control_characters() -> None:
    assert dot_string('a "b" \\n c\nd\te') == 'a \\"b\\" \\\\n c d e'
    assert dot_string("&lt;") == "&amp;lt;"


def test_a_hostile_label_cannot_break_out_of_its_node() -> None:
    drawn = accimap_dot(small_graph(EVIL))
    layout = dot_json(drawn.dot)
    objects = [o for o in layout["objects"] if "nodes" not in o]  # nodes, not subgraphs
    # No node or attribute came from the label: every node is one we named.
    assert all(re.fullmatch(r"n\d+|row\d+", o["name"]) for o in objects)
    assert not any("evil" in o for o in objects)
    assert "evil" not in layout
    svg = svg_of(drawn.dot)
    assert not list(svg.iter(f"{SVG}script"))
    shown = " ".join(texts(svg))
    # The label is shown as typed (wrapped over lines), backslashes and all.
    for piece in (
        'Say "stop"',
        "C:\\temp\\n",
        "<script>alert(1)</script>",
        "&lt;b&gt;",
        '"];',
        "evil=1",
    ):
        assert piece in shown or piece.replace(" ", "") in shown.replace(" ", ""), piece
    raw = render(drawn.dot, "svg", timeout=20).decode()
    assert "<script>" not in raw
    assert "&lt;script&gt;" in raw


def test_tooltips_carry_escaped_text_and_nothing_links_anywhere() -> None:
    drawn = accimap_dot(small_graph(EVIL))
    assert "URL=" not in drawn.dot and "href" not in drawn.dot
    raw = render(drawn.dot, "svg", timeout=20).decode()
    assert "<script" not in raw
    fromstring(raw)  # still well-formed XML


# --- rows, time axis, views -------------------------------------------------------------------


def test_every_level_with_factors_has_a_labelled_row_and_empty_levels_have_none() -> None:
    shown = " ".join(texts(svg_of(accimap_dot(small_graph()).dot)))
    for level in ("National", "Team", "Organisation", "Practice", "Child and family"):
        assert level in shown
    assert "Partnership" not in shown
    assert "Events, earliest first" in shown


def test_events_run_left_to_right_by_date_and_unlinked_events_are_left_out() -> None:
    svg = svg_of(accimap_dot(small_graph()).dot)
    xs = {}
    for text in svg.iter(f"{SVG}text"):
        match = re.search(r"\b(E\d) ·", text.text or "")
        if match:
            xs[match.group(1)] = float(text.get("x", "0"))
    assert list(sorted(xs, key=xs.__getitem__)) == ["E1", "E2", "E3"]  # E3 has no date: last
    assert "1 event with no factor linked to it not shown." in " ".join(texts(svg))


def test_types_are_told_apart_by_marker_shape_and_colour() -> None:
    dot = accimap_dot(small_graph()).dot
    lines = {
        m: next(line for line in dot.splitlines() if f'"{m} · ' in line)
        for m in ("AF", "LC", "PF", "CX")
    }
    shapes = {re.search(r'shape="(\w+)"', line).group(1) for line in lines.values()}  # type: ignore[union-attr]
    colours = {re.search(r'color="(#\w+)"', line).group(1) for line in lines.values()}  # type: ignore[union-attr]
    assert len(colours) == 4
    assert len(shapes) >= 3  # active failures and latent conditions differ by corners and weight
    assert "filled,bold" in lines["AF"] and "rounded" in lines["LC"] and "dashed" in lines["PF"]
    mitigation = next(line for line in dot.splitlines() if 'arrowhead="tee"' in line)
    assert 'style="dashed"' in mitigation


def test_kpe_view_shows_its_events_and_everything_upstream_only() -> None:
    selection = select_view(small_graph(), view="kpe", ref="K1")
    refs = {item.ref for _key, _label, items in selection.rows for item in items}
    assert refs == {"E1", "E2", "F1", "F2", "F3", "F4", "F5"}


def test_event_view_shows_the_event_and_what_lay_behind_it() -> None:
    selection = select_view(small_graph(), view="event", ref="E3")
    refs = {item.ref for _key, _label, items in selection.rows for item in items}
    assert refs == {"E3", "F1", "F2", "F3"}
    assert "What lay behind event E3" in accimap_dot(small_graph(), view="event", ref="E3").dot


@pytest.mark.parametrize(
    ("view", "ref", "message"),
    [
        ("sideways", None, "view must be one of accimap, kpe, event"),
        ("kpe", None, "needs ref"),
        ("kpe", "E1", "No key practice episode 'E1'"),
        ("event", "E99", "No event 'E99'"),
        ("event", "F1", "No event 'F1'"),
    ],
)
def test_bad_views_and_refs_are_refused_with_a_clear_message(
    view: str, ref: str | None, message: str
) -> None:
    with pytest.raises(DrawError, match=message):
        accimap_dot(small_graph(), view=view, ref=ref)


# --- big graphs -------------------------------------------------------------------------------


def big_graph(events: int, kpes: int, factors_per_level: int) -> Any:
    levels = ("national", "partnership", "organisation", "team", "practice")
    event_nodes = tuple(
        EventNode(
            f"E{i}", f"Event {i}", f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}", kpe=f"K{i % kpes}"
        )
        for i in range(events)
    )
    factor_nodes = []
    links = []
    for li, level in enumerate(levels):
        for j in range(factors_per_level):
            ref = f"F{li}_{j}"
            kind = "active_failure" if level == "practice" else "latent_condition"
            factor_nodes.append(FactorNode(ref, f"Factor {ref}", kind, level))
            target = f"F{li + 1}_{j}" if li + 1 < len(levels) else f"E{j % events}"
            links.append(LinkEdge(ref, target, "contributed_to"))
    links += [
        LinkEdge(f"F4_{j % factors_per_level}", f"E{j}", "contributed_to") for j in range(events)
    ]
    return build_graph(
        GraphInput(
            events=event_nodes,
            kpes=tuple(KpeNode(f"K{k}", f"Episode {k}") for k in range(kpes)),
            factors=tuple(factor_nodes),
            links=tuple(links),
        )
    )


def test_a_graph_over_the_limit_is_drawn_with_events_collapsed_into_kpes() -> None:
    drawn = accimap_dot(big_graph(400, 5, 6), max_nodes=300)
    assert drawn.collapsed
    assert "key practice episodes" in drawn.message
    layout = dot_json(drawn.dot)
    assert len([o for o in layout["objects"] if o["name"].startswith("n")]) == 5 + 30
    assert "KPE K0" in " ".join(texts(svg_of(drawn.dot)))


def test_still_too_big_keeps_the_levels_nearest_the_front_line() -> None:
    drawn = accimap_dot(big_graph(50, 3, 20), max_nodes=50)
    assert drawn.collapsed
    assert "Only these levels are shown: Practice, Team." in drawn.message
    selection = select_view(big_graph(50, 3, 20), max_nodes=50)
    assert [key for key, _label, _items in selection.rows] == ["team", "practice", "events"]
    assert selection.size <= 50


def test_a_graph_within_the_limit_is_not_collapsed_unless_asked() -> None:
    assert not accimap_dot(small_graph()).collapsed
    forced = accimap_dot(small_graph(), collapse=True)
    assert forced.collapsed and "took too long" in forced.message


# --- rendering --------------------------------------------------------------------------------


def test_renders_svg_and_png_with_graphviz() -> None:
    dot = accimap_dot(small_graph()).dot
    assert svg_of(dot).tag == f"{SVG}svg"
    assert render(dot, "png", timeout=20).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="fmt"):
        render(dot, "pdf")


def tangled_dot(n: int = 600) -> str:
    edges = "\n".join(f"a{i} -> a{(i * 7919 + 13) % n}; a{i} -> a{(i * 31) % n};" for i in range(n))
    return f"digraph g {{\n{edges}\n}}\n"


def test_a_layout_over_the_time_limit_raises_and_is_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw.dot_version()  # cached before subprocess is watched
    with pytest.raises(RenderTimeoutError):
        render(tangled_dot(), "svg", timeout=0.01, cache_dir=tmp_path)

    def no_dot(*args: object, **kwargs: object) -> None:
        raise AssertionError("Graphviz ran again")

    monkeypatch.setattr(subprocess, "run", no_dot)
    with pytest.raises(RenderTimeoutError, match="before"):
        render(tangled_dot(), "svg", timeout=0.01, cache_dir=tmp_path)


def test_a_second_render_comes_from_the_cache_without_running_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dot = accimap_dot(small_graph()).dot
    first = render(dot, "svg", timeout=20, cache_dir=tmp_path)
    assert len(list(tmp_path.rglob("*.svg"))) == 1

    def no_dot(*args: object, **kwargs: object) -> None:
        raise AssertionError("Graphviz ran again")

    monkeypatch.setattr(subprocess, "run", no_dot)
    assert render(dot, "svg", timeout=20, cache_dir=tmp_path) == first
    with pytest.raises(AssertionError, match="ran again"):
        render(dot + "\n", "svg", timeout=20, cache_dir=tmp_path)  # other text, other key


def test_graphviz_failing_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="Graphviz failed"):
        render("digraph {", "svg", timeout=20)


# --- positions and exports --------------------------------------------------------------------


def test_positions_put_rows_top_down_without_overlaps() -> None:
    selection = select_view(small_graph())
    positions = selection_positions(selection)
    assert positions == selection_positions(select_view(small_graph()))
    ys = [positions[items[0].ref][1] for _key, _label, items in selection.rows]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    for _key, _label, items in selection.rows:
        xs = sorted(positions[item.ref][0] for item in items)
        assert all(b - a >= draw.NODE_GAP for a, b in pairwise(xs))


def test_graphml_and_node_link_exports_hold_every_node_and_link() -> None:
    rg = small_graph(EVIL)
    read = nx.read_graphml(__import__("io").BytesIO(to_graphml(rg)))
    assert set(read.nodes) == set(rg.graph.nodes)
    assert read.nodes["F2"]["label"] == EVIL
    assert json.loads(read.nodes["F5"]["evidence"]) == [
        {"source": "family_account", "event": "E1", "account": None}
    ]
    data = to_node_link_json(rg)
    json.dumps(data)
    assert {n["id"] for n in data["nodes"]} == set(rg.graph.nodes)
    links = {(link["source"], link["target"], link["kind"]) for link in data["links"]}
    assert ("F4", "E2", "link") in links and ("E1", "K1", "in_kpe") in links


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2023", "2023"),
        ("2023-06", "Jun 2023"),
        ("2023-06-14", "14 Jun 2023"),
        ("2023-06-17T23:40", "17 Jun 2023 23:40"),  # was shown raw, as ISO
        ("2023-06-17 08:05:00", "17 Jun 2023 08:05"),
        (None, "date unknown"),
        ("around Easter", "around Easter"),
    ],
)
def test_dates_read_as_people_write_them_with_the_time_when_there_is_one(
    value: str | None, shown: str
) -> None:
    assert draw.display_date(value) == shown


def test_a_factor_is_drawn_near_what_it_acts_on_not_pulled_to_its_row_label() -> None:
    """A reviewer could not trace the demo AcciMap: factors were pulled towards their row's
    label at the left, and their links ran together in one band above the row below."""
    count = 10
    rg = build_graph(
        GraphInput(
            events=tuple(
                EventNode(f"E{i}", f"Visit {i}", f"2024-{i:02d}-01", "HV", "problematic")
                for i in range(1, count + 1)
            ),
            factors=(
                *(
                    FactorNode(f"A{i}", f"Front-line slip {i}", "active_failure", "practice")
                    for i in range(1, count + 1)
                ),
                FactorNode("L", "Caseloads above the agreed level", "latent_condition", "team"),
            ),
            links=(
                *(LinkEdge(f"A{i}", f"E{i}", "contributed_to") for i in range(1, count + 1)),
                LinkEdge("L", f"A{count}", "enabled"),  # acts only on the latest slip
            ),
        )
    )
    drawn = accimap_dot(rg)
    layout = dot_json(drawn.dot)
    name_of = dict(re.findall(r'^  (n\d+) \[label="(?:!|✓)? ?\w+ · (\w+)', drawn.dot, re.M))
    x = {
        name_of.get(o["name"], o["name"]): float(o["pos"].split(",")[0])
        for o in layout["objects"]
        if "pos" in o
    }
    assert {"L", f"A{count}", "row0"} <= set(x)  # row0: the team row's label
    assert abs(x["L"] - x[f"A{count}"]) < abs(x["L"] - x["row0"])
