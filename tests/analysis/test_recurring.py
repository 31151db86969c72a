"""Grouping factors into recurring patterns: same thing said differently joins, unlike
things stay apart, curators' decisions are followed, and the chart escapes its labels."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from analysis.recurring import (
    ActionIn,
    DecisionIn,
    FactorIn,
    Pattern,
    concepts_of,
    group_factors,
    pairwise_scores,
)
from analysis.recurring_chart import timeline_svg

LABELLED = Path(__file__).resolve().parent.parent / "data" / "recurring" / "labelled.json"


def _factor(
    key: str,
    label: str,
    seen: date | None = None,
    type: str = "active_failure",
    level: str = "practice",
) -> FactorIn:
    review, ref = key.split(":")
    return FactorIn(
        key=key, review=review, ref=ref, label=label, type=type, level=level, seen_on=seen
    )


def _together(patterns: list[Pattern], a: str, b: str) -> bool:
    return any({a, b} <= set(p.factor_keys) for p in patterns)


def test_labelled_set_pairwise_quality() -> None:
    items = json.loads(LABELLED.read_text(encoding="utf-8"))["items"]
    factors = [_factor(f"{it['review']}:{i}", it["label"]) for i, it in enumerate(items)]
    patterns = group_factors(factors)
    predicted = {f.key: p.key for p in patterns for f in p.factors}
    truth = {f"{it['review']}:{i}": it["group"] for i, it in enumerate(items)}
    precision, recall = pairwise_scores(predicted, truth)
    assert precision >= 0.9
    assert recall >= 0.8


def test_pairwise_scores() -> None:
    assert pairwise_scores({"a": "1", "b": "1", "c": "2"}, {"a": "x", "b": "x", "c": "x"}) == (
        1.0,
        1 / 3,
    )
    assert pairwise_scores({"a": "1", "b": "1"}, {"a": "x", "b": "y"}) == (0.0, 1.0)


def test_face_value_and_workforce_pressure_stay_apart() -> None:
    factors = [
        _factor("1:F1", "Parental explanations accepted at face value"),
        _factor("2:F1", "Carers' explanations accepted too readily under workload pressure"),
        _factor("3:F1", "Workload pressure on the duty team"),
        _factor(
            "4:F1",
            "Heavy workload pressure on the duty team",
            type="latent_condition",
            level="team",
        ),
    ]
    patterns = group_factors(factors)
    assert _together(patterns, "3:F1", "4:F1")
    assert not _together(patterns, "1:F1", "3:F1")


def test_protective_factors_and_context_are_not_grouped() -> None:
    patterns = group_factors(
        [
            _factor("1:F1", "Parents' accounts taken at face value"),
            _factor("2:F1", "Parents' accounts taken at face value", type="protective"),
        ]
    )
    assert [p.factor_keys for p in patterns] == [["1:F1"]]


def test_split_decision_keeps_factors_apart_and_rename_labels() -> None:
    factors = [
        _factor("1:F1", "Mother's account accepted at face value"),
        _factor("2:F1", "Father's account accepted at face value"),
        _factor("3:F1", "Carer's account accepted at face value"),
    ]
    assert _together(group_factors(factors), "1:F1", "2:F1")
    decisions = [
        DecisionIn("split", ("2:F1",), ("1:F1", "3:F1")),
        DecisionIn("rename", ("1:F1", "3:F1"), label="Accounts of mothers and carers"),
    ]
    patterns = group_factors(factors, decisions=decisions)
    assert not _together(patterns, "1:F1", "2:F1")
    renamed = next(p for p in patterns if "1:F1" in p.factor_keys)
    assert renamed.label == "Accounts of mothers and carers" and renamed.curated


def test_stubborn_when_seen_again_after_an_action() -> None:
    factors = [
        _factor("1:F1", "Explanations accepted at face value", date(2023, 1, 1)),
        _factor("2:F1", "Explanations taken at face value", date(2025, 1, 1)),
    ]
    action = ActionIn("1", "A1", ("1:F1",), date(2023, 1, 1), "agreed")
    [pattern] = group_factors(factors, [action])
    assert pattern.stubborn and pattern.first_seen == date(2023, 1, 1)
    proposed = ActionIn("1", "A1", ("1:F1",), date(2023, 1, 1), "proposed")
    [pattern] = group_factors(factors, [proposed])
    assert not pattern.stubborn and not pattern.actions


def test_concepts_of_variants() -> None:
    assert "face_value" in concepts_of("Took the carers at their word")
    assert "daily_life" in concepts_of("Nobody asked about the child's day-to-day routine")
    assert "workforce" in concepts_of("Vacancies and agency staff")
    assert "face_value" not in concepts_of("Vacancies and agency staff")


def test_chart_escapes_labels() -> None:
    factors = [
        _factor("1:F1", "<script>alert(1)</script> accepted at face value", date(2023, 1, 1)),
        _factor("2:F1", "<script>alert(1)</script> taken at face value", date(2024, 1, 1)),
    ]
    svg = timeline_svg(group_factors(factors))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith("<svg") and "<title" in svg
