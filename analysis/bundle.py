"""The review bundle (``formats/review-bundle.schema.json``): validation beyond the schema.

``validate_bundle`` returns every problem it finds, as (path, message) pairs a person can act
on, so an import is either stored whole or refused with the full list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

BUNDLE_FORMAT = "learning-review/1.1"
# Older formats this version still imports (1.1 added optional fields only).
READABLE_FORMATS = ("learning-review/1", BUNDLE_FORMAT)
# Sections whose items share one ref namespace in a review (links may join any two of them).
ITEM_SECTIONS = ("events", "kpes", "factors", "findings", "actions", "good_practice")
ALL_SECTIONS = ("agencies", "people", *ITEM_SECTIONS, "accounts", "links")


@dataclass(frozen=True)
class BundleProblem:
    path: str
    message: str


@lru_cache(maxsize=1)
def bundle_schema() -> dict[str, Any]:
    """The bundle's JSON Schema, as shipped with the package."""
    text = resources.files("analysis").joinpath("schemas/review-bundle.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(bundle_schema(), format_checker=FormatChecker())


def _path(parts: Iterable[Any]) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _duplicate_refs(data: Mapping[str, Any], sections: Iterable[str]) -> list[BundleProblem]:
    """Refs used twice within one namespace (the given sections share it)."""
    first_seen: dict[str, str] = {}
    problems = []
    for section in sections:
        for index, item in enumerate(data.get(section, [])):
            where, ref = f"$.{section}[{index}]", item.get("ref")
            if ref is None:
                continue
            if ref in first_seen:
                message = f"ref '{ref}' is already used at {first_seen[ref]}"
                problems.append(BundleProblem(f"{where}.ref", message))
            else:
                first_seen[ref] = where
    return problems


def validate_bundle(data: Any, supported_sections: Iterable[str]) -> list[BundleProblem]:
    """Every problem with ``data`` as a bundle this version can store; empty when it is fine.

    ``supported_sections`` names the optional sections this version stores; a non-empty
    section outside it is refused, never silently dropped.
    """
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [BundleProblem(_path(e.absolute_path), e.message) for e in errors]
    if problems or not isinstance(data, dict):
        return problems

    supported = set(supported_sections)
    for section in ALL_SECTIONS:
        if data.get(section) and section not in supported:
            problems.append(
                BundleProblem(
                    f"$.{section}",
                    f"this version of Learning Review cannot store '{section}' yet; "
                    "remove the section or import it into a newer version",
                )
            )

    problems += _duplicate_refs(data, ["agencies"])
    problems += _duplicate_refs(data, ["people"])
    problems += _duplicate_refs(data, ITEM_SECTIONS)

    agencies = data.get("agencies", [])
    people = data.get("people", [])
    agency_refs = {a["ref"] for a in agencies}
    for index, person in enumerate(people):
        if "agency" in person and person["agency"] not in agency_refs:
            problems.append(
                BundleProblem(
                    f"$.people[{index}].agency",
                    f"no agency with ref '{person['agency']}' in this bundle",
                )
            )

    review = data["review"]
    start, end = review.get("period_start"), review.get("period_end")
    if start and end and start > end:
        problems.append(
            BundleProblem("$.review.period_end", "the period under review ends before it starts")
        )
    return problems
