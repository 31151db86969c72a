"""The graph analysis: separation, checks, reach, alignment, leverage and themes on hand-built
graphs with known answers, and properties that hold on any graph the bundle schema allows."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis.graph.themes as graph_analysis
from analysis.factors import EvidenceFacts
from analysis.graph.analysis import (
    CHECK_CODES,
    Analysis,
    analyse,
    analysis_json,
    downstream,
    upstream,
)
from analysis.graph.model import (
    UPPER_LEVELS,
    ActionNode,
    EventNode,
    FactorNode,
    FindingNode,
    GraphInput,
    KpeNode,
    LinkEdge,
    ReviewGraph,
    build_graph,
)
from analysis.taxonomy import (
    CONTRIBUTORY_CATEGORIES,
    FACTOR_TYPES,
    LINK_RELATIONS,
    SCIE_PATTERNS,
    SOURCE_KINDS,
    SYSTEM_LEVELS,
)


def event(ref: str, date: str = "2024-01-01", appraisal: str = "problematic", **kw: Any) -> Any:
    return EventNode(ref=ref, title=f"Event {ref}", date=date, appraisal=appraisal, **kw)


def latent(ref: str, level: str = "organisation", **kw: Any) -> FactorNode:
    kw.setdefault("label", f"Latent {ref}")
    return FactorNode(ref=ref, type="latent_condition", level=level, **kw)


def active(ref: str, **kw: Any) -> FactorNode:
    kw.setdefault("label", f"Active {ref}")
    return FactorNode(ref=ref, type="active_failure", level="practice", **kw)


def link(source: str, target: str, relation: str = "contributed_to") -> LinkEdge:
    return LinkEdge(source=source, target=target, relation=relation)


def graph(**parts: Any) -> ReviewGraph:
    return build_graph(GraphInput(**{k: tuple(v) for k, v in parts.items()}))


def codes(a: Analysis) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.code, c.refs) for c in a.checks]


# --- separation ------------------------------------------------------------------------------


def test_factors_are_separated_by_type_with_the_events_each_touches() -> None:
    rg = graph(
        events=[event("E1", "2024-03-01"), event("E2", "2024-01-01"), event("E3")],
        factors=[
            latent("L1"),
            active("A1"),
            FactorNode("P1", "Health visitor knew the family", "protective", "practice"),
            FactorNode("C1", "Housing insecure", "context", "child_and_family"),
        ],
        links=[
            link("L1", "A1"),
            link("A1", "E1"),
            link("L1", "E2"),
            link("P1", "E3", "mitigated"),
            link("C1", "A1", "precondition_of"),
        ],
    )
    a = analyse(rg)
    assert (a.active_failures, a.latent_conditions, a.protective, a.context) == (
        ("A1",),
        ("L1",),
        ("P1",),
        ("C1",),
    )
    # Directly and through the links below; events in date order (E2 comes before E1).
    assert a.touches == {"L1": ("E2", "E1"), "A1": ("E1",), "P1": ("E3",), "C1": ("E1",)}


def test_a_type_outside_the_taxonomy_counts_as_context() -> None:
    a = analyse(graph(factors=[FactorNode("X1", "Local type", "workaround", "team")]))
    assert a.context == ("X1",) and not a.active_failures and not a.latent_conditions


# --- checks ----------------------------------------------------------------------------------


def test_an_active_failure_tied_to_no_event_is_flagged_once_and_a_tied_one_is_not() -> None:
    rg = graph(
        events=[event("E1")],
        factors=[
            active("A1"),
            active("A2"),
            active("A3"),
            latent("L1", level="team"),
            latent("L2", level="team"),
        ],
        links=[link("A1", "E1"), link("A2", "L1"), link("A3", "A1"), link("L2", "A1")],
    )
    checks = codes(analyse(rg))
    assert ("active_failure_without_event", ("A2",)) in checks
    assert all(refs != ("A1",) and refs != ("A3",) for _, refs in checks)
    message = next(c.message for c in analyse(rg).checks if c.refs == ("A2",))
    assert "A2 (Active A2)" in message and "not linked" in message


def test_a_latent_condition_with_no_path_to_an_event_is_flagged() -> None:
    rg = graph(
        events=[event("E1")],
        factors=[latent("L1"), latent("L2", level="team"), latent("L3"), active("A1")],
        links=[link("L1", "L2"), link("L3", "A1"), link("A1", "E1")],
    )
    checks = codes(analyse(rg))
    assert ("latent_without_event", ("L1",)) in checks
    assert ("latent_without_event", ("L2",)) in checks
    assert ("latent_without_event", ("L3",)) not in checks


def test_only_factors_findings_and_actions_can_be_orphans() -> None:
    rg = graph(
        events=[event("E1"), event("E2")],  # events with no factor are normal
        factors=[active("A1"), latent("L1")],
        links=[link("A1", "E1")],
    )
    checks = codes(analyse(rg))
    # An unlinked latent is an orphan, not also a latent condition without an event.
    assert ("orphan_factor", ("L1",)) in checks
    assert [c for c in checks if "L1" in c[1]] == [("orphan_factor", ("L1",))]
    assert not any("E2" in refs for _, refs in checks)


def test_loops_are_reported_with_their_refs_and_acyclic_links_are_not() -> None:
    rg = graph(
        events=[event("E1")],
        factors=[latent("L1"), latent("L2"), latent("L3"), latent("L4"), latent("L5")],
        links=[
            link("L1", "L2"),
            link("L2", "L3"),
            link("L3", "L1"),
            link("L3", "E1"),
            link("L4", "L4"),
            link("L5", "E1"),
        ],
    )
    cycles = [c for c in analyse(rg).checks if c.code == "cycle"]
    assert [c.refs for c in cycles] == [("L1", "L2", "L3"), ("L4",)]
    assert "L1 → L2 → L3 → L1" in cycles[0].message

    acyclic = graph(
        events=[event("E1")],
        factors=[latent("L1"), latent("L2")],
        links=[link("L1", "L2"), link("L1", "E1"), link("L2", "E1")],  # a diamond, no loop
    )
    assert not [c for c in analyse(acyclic).checks if c.code == "cycle"]


def test_a_dense_tangle_gives_one_cycle_check_without_enumerating_its_cycles() -> None:
    refs = [f"L{i}" for i in range(40)]  # a complete digraph: astronomically many cycles
    rg = graph(
        factors=[latent(ref) for ref in refs],
        links=[link(u, v) for u in refs for v in refs if u != v],
    )
    start = time.perf_counter()
    cycles = [c for c in analyse(rg).checks if c.code == "cycle"]
    assert time.perf_counter() - start < 5
    assert len(cycles) == 1 and len(cycles[0].refs) == 2  # the shortest loop through L0
    assert "tangle of 40 linked items" in cycles[0].message


def test_a_factor_resting_on_one_kind_of_source_is_flagged() -> None:
    records = (EvidenceFacts("agency_record", event="E1"), EvidenceFacts("agency_record"))
    mixed = (EvidenceFacts("agency_record"), EvidenceFacts("family_account"))
    rg = graph(
        events=[event("E1")],
        factors=[active("A1", evidence=records), active("A2", evidence=mixed), active("A3")],
        links=[link("A1", "E1"), link("A2", "E1"), link("A3", "E1")],
    )
    checks = analyse(rg).checks
    single = [c for c in checks if c.code == "single_source"]
    assert [c.refs for c in single] == [("A1",)]
    assert "agency record" in single[0].message


@pytest.mark.parametrize(
    ("levels", "flagged"),
    [
        (("practice", "practice", "practice", "team"), True),  # 25 %
        (("practice", "child_and_family", "organisation"), True),  # 33 %
        (("practice", "practice", "child_and_family", "team", "national"), False),  # 40 %
        (("organisation",), False),
    ],
)
def test_an_analysis_that_stops_at_the_front_line_is_flagged(
    levels: tuple[str, ...], flagged: bool
) -> None:
    factors = [
        FactorNode(f"F{i}", f"Factor {i}", "context", level) for i, level in enumerate(levels)
    ]
    checks = [c for c in analyse(graph(factors=factors)).checks if c.code == "stops_at_front_line"]
    assert bool(checks) is flagged
    if flagged:
        below = tuple(f"F{i}" for i, level in enumerate(levels) if level not in UPPER_LEVELS)
        assert checks[0].refs == below
        assert f"1 of {len(levels)} factors" in checks[0].message


def test_a_review_without_factors_is_not_said_to_stop_at_the_front_line() -> None:
    assert analyse(graph(events=[event("E1")])).checks == ()


def test_findings_without_factors_and_actions_without_findings_are_flagged() -> None:
    rg = graph(
        events=[event("E1")],
        factors=[latent("L1")],
        links=[link("L1", "E1")],
        findings=[
            FindingNode("FI1", "Thresholds", factors=("L1",)),
            FindingNode("FI2", "Information sharing", factors=("MISSING", "E1")),
        ],
        actions=[
            ActionNode("AC1", "Revise the threshold guidance", finding="FI1"),
            ActionNode("AC2", "Audit", finding=None),
            ActionNode("AC3", "Train", finding="GONE"),
        ],
    )
    checks = codes(analyse(rg))
    assert ("finding_without_factor", ("FI2",)) in checks
    assert ("finding_without_factor", ("FI1",)) not in checks
    assert ("orphan_action", ("AC2",)) in checks and ("orphan_action", ("AC3",)) in checks
    assert ("orphan_action", ("AC1",)) not in checks


def test_checks_come_in_the_order_of_their_codes() -> None:
    rg = graph(
        factors=[active("A1"), active("A2", evidence=(EvidenceFacts("audit"),)), latent("L1")],
        links=[link("L1", "L1")],
        findings=[FindingNode("FI1", "Empty")],
    )
    order = [CHECK_CODES.index(c.code) for c in analyse(rg).checks]
    assert order == sorted(order) and len(order) >= 4


# --- reach, alignment, leverage --------------------------------------------------------------


def layered() -> ReviewGraph:
    """N1 (national) -> O1 (organisation) -> T1, T2 (team) -> A1, A2 -> events; O1 also
    straight to E3; O2 reaches nothing; a protective factor mitigates E1."""
    return graph(
        events=[
            event("E1", "2024-01-01"),
            event("E2", "2024-02-01"),
            event("E3", "2024-03-01", appraisal="neutral"),
            event("E4", "2024-04-01"),
        ],
        factors=[
            latent("N1", level="national"),
            latent("O1", level="organisation"),
            latent("O2", level="organisation"),
            latent("T1", level="team"),
            latent("T2", level="team"),
            active("A1"),
            active("A2"),
            FactorNode("P1", "Good supervision", "protective", "team"),
        ],
        links=[
            link("N1", "O1", "enabled"),
            link("O1", "T1"),
            link("O1", "T2"),
            link("O1", "E3"),
            link("T1", "A1", "precondition_of"),
            link("T2", "A2"),
            link("A1", "E1"),
            link("A2", "E2"),
            link("A2", "E1"),
            link("P1", "E1", "mitigated"),
            link("O2", "P1"),  # only through a mitigation: not a way O2 acts
        ],
    )


def test_reach_lists_what_a_latent_condition_acts_on_and_one_shortest_path_to_each() -> None:
    a = analyse(layered())
    assert a.reach["O1"].events == ("E1", "E2", "E3")
    assert a.reach["O1"].active_failures == ("A1", "A2")
    assert a.reach["O1"].paths == (
        ("O1", "E3"),
        ("O1", "T1", "A1"),
        ("O1", "T2", "A2"),
        ("O1", "T1", "A1", "E1"),
        ("O1", "T2", "A2", "E2"),
    )
    assert a.reach["N1"].events == ("E1", "E2", "E3")
    assert a.reach["T2"].events == ("E1", "E2")
    assert a.reach["O2"].events == () and a.reach["O2"].active_failures == ()
    assert a.touches["O2"] == ("E1",)  # it does touch E1, through the mitigation


def test_alignment_lists_problematic_events_most_aligned_first() -> None:
    a = analyse(layered())
    rows = [(r.event, r.latent_conditions, r.levels) for r in a.alignment]
    assert rows == [
        ("E1", ("N1", "O1", "T1", "T2"), ("national", "organisation", "team")),
        ("E2", ("N1", "O1", "T2"), ("national", "organisation", "team")),
        ("E4", (), ()),  # problematic, nothing behind it yet; E3 is not problematic
    ]


def test_leverage_ranks_latent_conditions_by_reach_and_centrality() -> None:
    a = analyse(layered())
    # Reach counts most: N1 (reach 5, no centrality) ranks above T2 (reach 3, a conduit);
    # centrality puts O1 before N1, which reach alone cannot tell apart.
    assert [row.ref for row in a.leverage] == ["O1", "N1", "T2", "T1"]  # O2 reaches nothing
    o1, n1, t2, t1 = a.leverage
    assert (o1.reach, n1.reach, t2.reach, t1.reach) == (5, 5, 3, 2)
    assert n1.centrality == 0.0  # nothing upstream of it, so no path passes through it
    assert o1.centrality > t2.centrality > 0
    assert o1.score == pytest.approx(1.25)  # the largest reach and the largest centrality
    assert n1.score == pytest.approx(1.0)


def test_leverage_does_not_let_a_sliver_of_centrality_outrank_twice_the_reach() -> None:
    """A reviewer saw a latent condition reaching 6 ranked above one reaching 12 because of a
    betweenness of 0.001 scaled up to count as much as the whole reach."""
    wide = [event(f"E{i}", f"2024-01-{i:02d}") for i in range(1, 13)]
    rg = graph(
        events=wide,
        factors=[
            latent("W", level="organisation"),  # reaches all twelve events directly
            latent("U", level="national"),
            latent("M", level="team"),  # a conduit from U to six events
        ],
        links=[link("W", f"E{i}") for i in range(1, 13)]
        + [link("U", "M")]
        + [link("M", f"E{i}") for i in range(1, 7)],
    )
    a = analyse(rg)
    by_ref = {row.ref: row for row in a.leverage}
    assert by_ref["M"].centrality > by_ref["W"].centrality == 0.0
    assert a.leverage[0].ref == "W"


def test_sampled_betweenness_is_reproducible_and_keeps_the_hub_first() -> None:
    rg = layered()
    first = analyse(rg, betweenness_sample_threshold=3, seed=7)
    again = analyse(rg, betweenness_sample_threshold=3, seed=7)
    assert first.leverage == again.leverage
    exact = analyse(rg)
    assert {row.ref for row in first.leverage} == {row.ref for row in exact.leverage}


# --- themes ----------------------------------------------------------------------------------


def themed(ref: str, label: str, pattern: str, **kw: Any) -> FactorNode:
    return latent(ref, label=label, scie_pattern=pattern, **kw)


def test_themes_are_clusters_of_linked_factors_with_what_characterises_them() -> None:
    rg = graph(
        events=[event("E1")],
        factors=[
            themed("F1", "Caseloads above agreed levels", "human_management_system", level="team"),
            themed("F2", "Supervision squeezed by caseloads", "human_management_system"),
            themed(
                "F3",
                "Caseloads and vacancies",
                "human_management_system",
                level="team",
                contributory_category="conditions_of_work",
            ),
            themed("F4", "Records not shared between agencies", "multi_agency_longer_term"),
            themed("F5", "Health records not shared with police", "multi_agency_longer_term"),
            themed("F6", "A lone factor", "human_tool"),
        ],
        links=[
            link("F2", "F1"),
            link("F3", "F1"),
            link("F3", "F2"),
            link("F4", "F5"),
            link("F1", "E1"),
            link("F5", "E1"),
            link("F6", "E1"),
        ],
    )
    themes = [(t.refs, t.labels) for t in analyse(rg).themes]
    assert themes == [
        (
            ("F1", "F2", "F3"),
            (SCIE_PATTERNS["human_management_system"], "Team level", "caseloads"),
        ),
        (
            ("F4", "F5"),
            (
                SCIE_PATTERNS["multi_agency_longer_term"],
                "Organisation level",
                "records",
                "shared",
            ),
        ),
    ]


def test_large_factor_graphs_get_themes_by_label_propagation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(graph_analysis, "LOUVAIN_LIMIT", 2)
    rg = graph(
        factors=[latent(f"L{i}") for i in range(6)],
        links=[link("L0", "L1"), link("L1", "L2"), link("L3", "L4"), link("L4", "L5")],
    )
    themes = analyse(rg).themes
    assert {t.refs for t in themes} == {("L0", "L1", "L2"), ("L3", "L4", "L5")}


# --- the API's JSON and the helpers ----------------------------------------------------------


def test_analysis_json_has_exactly_the_api_shape() -> None:
    body = analysis_json(analyse(layered()))
    assert list(body) == [
        "active_failures",
        "latent_conditions",
        "protective",
        "context",
        "checks",
        "reach",
        "alignment",
        "leverage",
        "themes",
    ]
    assert body["reach"]["T1"] == {"events": ["E1"], "active_failures": ["A1"]}
    assert list(body["alignment"]) == ["E1", "E2", "E4"] and body["alignment"]["E4"] == []
    assert body["leverage"] == ["O1", "N1", "T2", "T1"]
    assert all(set(c) == {"code", "message", "refs"} for c in body["checks"])
    assert all(set(t) == {"refs", "labels"} for t in body["themes"])
    assert json.loads(json.dumps(body)) == body


def test_upstream_and_downstream_follow_the_review_links_only() -> None:
    rg = graph(
        events=[event("E1", kpe="K1"), event("E2")],
        kpes=[KpeNode("K1", "Episode")],
        factors=[latent("L1"), active("A1"), FactorNode("P1", "Help", "protective", "team")],
        links=[link("L1", "A1"), link("A1", "E1"), link("P1", "E1", "mitigated")],
        findings=[FindingNode("FI1", "Finding", factors=("L1",))],
    )
    assert downstream(rg, "L1") == {"A1", "E1"}  # not the KPE, not the finding
    assert upstream(rg, "E1") == {"A1", "L1", "P1"}
    assert upstream(rg, "L1") == frozenset() and downstream(rg, "E2") == frozenset()
    assert downstream(rg, "K1") == frozenset() and upstream(rg, "nowhere") == frozenset()


def test_a_node_on_a_loop_is_its_own_ancestor() -> None:
    rg = graph(factors=[latent("L1"), latent("L2")], links=[link("L1", "L2"), link("L2", "L1")])
    assert downstream(rg, "L1") == {"L1", "L2"} == upstream(rg, "L2")


# --- properties ------------------------------------------------------------------------------


def refs(prefix: str, count: int) -> list[str]:
    # "S0" is shared between every kind of item, so refs sometimes collide.
    return [f"{prefix}{i}" for i in range(count)] + ["S0"]


EVENT_REFS, FACTOR_REFS = refs("E", 6), refs("F", 8)
KPE_REFS, FINDING_REFS, ACTION_REFS = refs("K", 2), refs("FI", 2), refs("AC", 2)
# Links and other references may point anywhere, including at nothing.
REFS = st.sampled_from(
    sorted({*EVENT_REFS, *FACTOR_REFS, *KPE_REFS, *FINDING_REFS, *ACTION_REFS, "GONE"})
)
# Latent conditions first and mitigations first: the cases that matter most for reach (and
# Hypothesis favours early elements).
TYPES = st.sampled_from(["latent_condition", *FACTOR_TYPES, "unknown_type"])
RELATIONS = st.sampled_from(["mitigated", *LINK_RELATIONS])
LEVELS = st.sampled_from(list(SYSTEM_LEVELS))


@st.composite
def graph_inputs(draw: st.DrawFn) -> GraphInput:
    """Anything the bundle allows, and worse: refs shared between kinds, duplicate items and
    links, links to refs that do not exist, self-loops and cycles."""
    evidence = st.builds(
        EvidenceFacts, source=st.sampled_from(list(SOURCE_KINDS)), event=st.none() | REFS
    )
    factors = st.builds(
        FactorNode,
        ref=st.sampled_from(FACTOR_REFS),
        label=st.text(max_size=30),
        type=TYPES,
        level=LEVELS,
        scie_pattern=st.none() | st.sampled_from(list(SCIE_PATTERNS)),
        contributory_category=st.none() | st.sampled_from(list(CONTRIBUTORY_CATEGORIES)),
        evidence=st.lists(evidence, max_size=3).map(tuple),
    )
    events = st.builds(
        EventNode,
        ref=st.sampled_from(EVENT_REFS),
        title=st.text(max_size=10),
        date=st.none() | st.sampled_from(["2023", "2023-05", "2023-05-02", "2024-01-01"]),
        appraisal=st.sampled_from(["good_practice", "problematic", "neutral", "not_appraised"]),
        kpe=st.none() | REFS,
    )
    findings = st.builds(
        FindingNode,
        ref=st.sampled_from(FINDING_REFS),
        title=st.text(max_size=5),
        factors=st.lists(REFS).map(tuple),
    )
    actions = st.builds(
        ActionNode, ref=st.sampled_from(ACTION_REFS), title=st.just("x"), finding=st.none() | REFS
    )
    drawn_events = draw(st.lists(events, max_size=8))
    drawn_factors = draw(st.lists(factors, max_size=10))
    # Links mostly join items that exist, sometimes refs that do not.
    ends = (
        st.sampled_from(
            sorted({e.ref for e in drawn_events} | {f.ref for f in drawn_factors} | {"GONE"})
        )
        | REFS
    )
    links = st.builds(
        LinkEdge,
        source=ends,
        target=ends,
        relation=RELATIONS,
        confidence=st.none() | st.sampled_from(["low", "medium", "high"]),
    )
    kpes = st.builds(KpeNode, ref=st.sampled_from(KPE_REFS), title=st.just("K"))
    return GraphInput(
        events=tuple(drawn_events),
        kpes=tuple(draw(st.lists(kpes, max_size=2))),
        factors=tuple(drawn_factors),
        findings=tuple(draw(st.lists(findings, max_size=2))),
        actions=tuple(draw(st.lists(actions, max_size=2))),
        links=tuple(draw(st.lists(links, max_size=25))),
    )


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def acting_graph(rg: ReviewGraph) -> nx.DiGraph:
    causal = rg.causal()
    acting = nx.DiGraph()
    acting.add_nodes_from(causal)
    acting.add_edges_from(
        (u, v)
        for u, v, d in rg.graph.edges(data=True)
        if d["kind"] == "link" and d["relation"] != "mitigated" and u in causal and v in causal
    )
    return acting


@PROPERTY_SETTINGS
@given(graph_inputs(), st.integers(min_value=2, max_value=600), st.integers(0, 3))
def test_analyse_never_fails_and_its_json_serialises(
    data: GraphInput, threshold: int, seed: int
) -> None:
    a = analyse(build_graph(data), betweenness_sample_threshold=threshold, seed=seed)
    json.dumps(analysis_json(a))
    assert all(c.code in CHECK_CODES and c.message and c.refs for c in a.checks)


@PROPERTY_SETTINGS
@given(graph_inputs())
def test_the_separation_is_a_partition_of_the_factors(data: GraphInput) -> None:
    rg = build_graph(data)
    a = analyse(rg)
    factors = {n for n, d in rg.graph.nodes(data=True) if d["kind"] == "factor"}
    groups = [a.active_failures, a.latent_conditions, a.protective, a.context]
    assert sum(len(g) for g in groups) == len(factors)
    assert set().union(*map(set, groups)) == factors
    assert set(a.touches) == factors


@PROPERTY_SETTINGS
@given(graph_inputs())
def test_reach_follows_the_links(data: GraphInput) -> None:
    rg = build_graph(data)
    a = analyse(rg)
    acting = acting_graph(rg)
    for ref, found in a.reach.items():
        below = downstream(rg, ref)
        assert set(found.events) | set(found.active_failures) <= below
        targets = [path[-1] for path in found.paths]
        assert sorted(targets) == sorted(found.events + found.active_failures)
        for path in found.paths:
            assert path[0] == ref
            assert all(acting.has_edge(u, v) for u, v in itertools.pairwise(path))
            assert len(path) - 1 == nx.shortest_path_length(acting, ref, path[-1])
        for event_ref in found.events:
            assert rg.graph.nodes[event_ref]["kind"] == "event"
        expected = {
            n
            for n in nx.descendants(acting, ref)
            if rg.graph.nodes[n]["kind"] == "event"
            or rg.graph.nodes[n].get("type") == "active_failure"
        }
        assert set(found.events) | set(found.active_failures) == expected - {ref}
    for row in a.alignment:
        assert all(row.event in a.reach[latent_ref].events for latent_ref in row.latent_conditions)


def test_theme_labels_prefer_shared_phrases_to_words_every_factor_uses() -> None:
    """A reviewer found themes labelled "little", "seen", "care", "children's": words that
    tell nothing apart. A phrase two factors share says more than its words."""
    rg = graph(
        events=[event("E1")],
        factors=[
            themed("F1", "Children's social care had little time for GP calls", "x", level="team"),
            themed("F2", "Child F seen by children's social care only briefly", "x", level="team"),
            themed("F3", "Mother seen at home; social care vacancies, GP gaps", "x", level="team"),
        ],
        links=[link("F2", "F1"), link("F3", "F1"), link("F1", "E1")],
    )
    (theme,) = analyse(rg).themes
    words = theme.labels[2:]  # after the shared pattern and level
    assert theme.labels[1] == "Team level"
    assert words[0] == "social care"
    assert not {"care", "social", "little", "seen", "children's", "child"} & set(words)
    assert "GP" in words  # an acronym reads as the labels write it
