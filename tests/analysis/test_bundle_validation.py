"""Bundle validation reports every problem, with a path a person can find."""

from __future__ import annotations

from typing import Any

from analysis.bundle import validate_bundle

GOOD: dict[str, Any] = {
    "format": "learning-review/1",
    "review": {"title": "T", "subject": "Child Q", "review_type": "rapid_review"},
    "agencies": [{"ref": "A1", "name": "Police"}],
    "people": [{"ref": "P1", "pseudonym": "Mother", "role": "parent", "agency": "A1"}],
}


def test_a_good_bundle_has_no_problems() -> None:
    assert validate_bundle(GOOD, ["agencies", "people"]) == []


def test_schema_problems_come_with_paths() -> None:
    bad = {**GOOD, "review": {"title": "", "subject": "x", "review_type": "nope", "extra": 1}}
    paths = {p.path for p in validate_bundle(bad, ["agencies", "people"])}
    assert {"$.review", "$.review.title", "$.review.review_type"} <= paths


def test_unsupported_sections_are_refused_not_dropped() -> None:
    bundle = {**GOOD, "kpes": [{"ref": "K1", "title": "Episode"}]}
    problems = validate_bundle(bundle, ["agencies", "people"])
    assert [p.path for p in problems] == ["$.kpes"]
    assert validate_bundle({**GOOD, "kpes": []}, ["agencies", "people"]) == []


def test_refs_share_a_namespace_across_item_sections() -> None:
    bundle = {
        **GOOD,
        "kpes": [{"ref": "X1", "title": "Episode"}],
        "findings": [{"ref": "X1", "title": "Finding"}],
    }
    problems = validate_bundle(bundle, ["agencies", "people", "kpes", "findings"])
    assert [(p.path, p.message) for p in problems] == [
        ("$.findings[0].ref", "ref 'X1' is already used at $.kpes[0]")
    ]


def test_dangling_agency_and_reversed_period() -> None:
    bundle = {
        **GOOD,
        "review": {**GOOD["review"], "period_start": "2024-01-01", "period_end": "2023-01-01"},
        "people": [{"ref": "P1", "pseudonym": "Mother", "role": "parent", "agency": "A9"}],
    }
    paths = [p.path for p in validate_bundle(bundle, ["agencies", "people"])]
    assert paths == ["$.people[0].agency", "$.review.period_end"]
