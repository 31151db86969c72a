"""The bundle's quick check (which lets big bundles be validated in seconds) finds exactly what
the full JSON Schema validation finds: valid sections pass, and every problem is reported
with the schema's own path and message."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from analysis.bundle import bundle_schema, validate_bundle

SECTIONS = ("agencies", "people", "kpes", "events", "accounts", "factors", "links")

VALID: dict[str, Any] = {
    "format": "learning-review/1",
    "review": {"title": "Child W", "subject": "Child W", "review_type": "rapid_review"},
    "agencies": [{"ref": "A1", "name": "Westby Police"}],
    "people": [{"ref": "P1", "pseudonym": "Child W", "role": "child"}],
    "kpes": [{"ref": "K1", "title": "The first visit"}],
    "events": [
        {
            "ref": "E1",
            "date": "2022-01-04",
            "date_precision": "day",
            "agency": "A1",
            "description": "Officers visit.",
            "people": ["P1"],
            "kpe": "K1",
            "merged_from": [{"agency": "A1", "description": "Visit", "date_precision": "day"}],
        }
    ],
    "factors": [{"ref": "F1", "label": "Caseloads", "type": "latent_condition", "level": "team"}],
    "links": [{"source": "F1", "target": "E1", "relation": "contributed_to", "ref": "L1"}],
}


def _full(data: Any) -> set[tuple[str, str]]:
    validator = Draft202012Validator(bundle_schema(), format_checker=FormatChecker())
    found = set()
    for error in validator.iter_errors(data):
        path = "$" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
        )
        found.add((path, error.message))
    return found


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("events", 0, "date_precision"), "weekly"),
        (("events", 0, "ref"), "has space"),
        (("events", 0, "description"), ""),
        (("events", 0, "people"), ["P1", 7]),
        (("events", 0, "people"), "P1"),
        (("events", 0, "appraisal"), True),
        (("events", 0, "extra"), 1),
        (("events", 0, "merged_from", 0, "date_precision"), "soon"),
        (("events", 0, "merged_from", 0, "surprise"), "x"),
        (("events", 0), "not an object"),
        (("factors", 0, "level"), "galaxy"),
        (("links", 0, "ref"), "bad ref!"),
        (("agencies", 0, "ref"), ""),
        (("kpes",), {"ref": "K1"}),
    ],
)
def test_the_quick_check_reports_what_the_schema_reports(path: tuple[Any, ...], value: Any) -> None:
    bad = copy.deepcopy(VALID)
    _set(bad, path, value)
    expected = _full(bad)
    assert expected, "the mutation must be invalid under the schema"
    problems = {(p.path, p.message) for p in validate_bundle(bad, SECTIONS)}
    assert problems == expected


def test_a_valid_bundle_passes() -> None:
    assert _full(VALID) == set()
    assert validate_bundle(copy.deepcopy(VALID), SECTIONS) == []
