"""The review bundle (``schemas/review-bundle.schema.json``, the format's home): validation
beyond the schema.

``validate_bundle`` returns every problem it finds, as (path, message) pairs a person can act
on, so an import is either stored whole or refused with the full list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

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


# Keywords that only describe: a quick check may ignore them.
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples"})


def _inline_refs(node: Any, definitions: Mapping[str, Any]) -> Any:
    """``node`` with every plain ``{"$ref": "#/$defs/name"}`` replaced by that definition.

    The same schema, checked about twice as fast: a bundle of 40,000 events would otherwise
    spend seconds resolving the same few references again and again."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        notes = {key: value for key, value in node.items() if key in _ANNOTATIONS}
        if (
            isinstance(ref, str)
            and ref.startswith("#/$defs/")
            and len(node) == len(notes) + 1  # beside the $ref, only words for people
        ):
            return {**_inline_refs(definitions[ref.removeprefix("#/$defs/")], definitions), **notes}
        return {key: _inline_refs(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_refs(value, definitions) for value in node]
    return node


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = bundle_schema()
    return Draft202012Validator(
        _inline_refs(schema, schema.get("$defs", {})), format_checker=FormatChecker()
    )


_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "array": list,
    "object": dict,
    "boolean": bool,
}


def _quick_check(schema: Mapping[str, Any]) -> Callable[[Any], bool] | None:
    """A predicate that is true only of instances valid under ``schema`` (False: look with
    the full validator), or None when ``schema`` uses a keyword it does not know.

    Knows the few keywords of the bundle's item schemas (type, enum, pattern, minLength,
    maxLength, required, properties, additionalProperties false, items). A valid item costs a
    few dictionary look-ups instead of the general validator's walk, which is what lets a
    bundle of 100,000 events be checked in seconds; the messages of an invalid bundle still
    come from jsonschema."""
    checks: list[Callable[[Any], bool]] = []
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        check = _keyword_check(keyword, value, schema)
        if check is None:
            return None
        checks.append(check)

    def all_hold(instance: Any) -> bool:
        return all(check(instance) for check in checks)

    return all_hold


def _keyword_check(
    keyword: str, value: Any, schema: Mapping[str, Any]
) -> Callable[[Any], bool] | None:
    """The quick check of one keyword of ``schema``, or None for a keyword it does not know."""
    if keyword == "type" and isinstance(value, str) and value in _TYPES:
        kind = _TYPES[value]

        def of_type(x: Any) -> bool:
            return isinstance(x, kind)

        return of_type
    if keyword == "enum" and all(isinstance(v, str) for v in value):
        allowed = frozenset(value)

        def in_enum(x: Any) -> bool:
            return isinstance(x, str) and x in allowed

        return in_enum
    if keyword == "pattern":
        regex = re.compile(value)

        def matches(x: Any) -> bool:
            return not isinstance(x, str) or bool(regex.search(x))

        return matches
    if keyword in ("minLength", "maxLength"):
        low, high = (value, None) if keyword == "minLength" else (0, value)

        def long_enough(x: Any) -> bool:
            return not isinstance(x, str) or (len(x) >= low and (high is None or len(x) <= high))

        return long_enough
    if keyword == "required":
        needed = tuple(value)

        def has_required(x: Any) -> bool:
            return not isinstance(x, dict) or all(k in x for k in needed)

        return has_required
    if keyword == "additionalProperties" and value is False:
        known = frozenset(schema.get("properties", {}))

        def no_others(x: Any) -> bool:
            return not isinstance(x, dict) or x.keys() <= known

        return no_others
    if keyword == "properties":
        inner = {name: _quick_check(sub) for name, sub in value.items()}
        known_checks = {name: c for name, c in inner.items() if c is not None}
        if len(known_checks) < len(inner):
            return None

        def properties_hold(x: Any) -> bool:
            return not isinstance(x, dict) or all(
                known_checks[k](v) for k, v in x.items() if k in known_checks
            )

        return properties_hold
    if keyword == "items" and isinstance(value, dict):
        item = _quick_check(value)
        if item is None:
            return None
        item_check = item

        def items_hold(x: Any) -> bool:
            return not isinstance(x, list) or all(map(item_check, x))

        return items_hold
    return None


@lru_cache(maxsize=1)
def _quick_sections() -> dict[str, Callable[[Any], bool]]:
    """The bundle's sections that a quick check covers, with their checks."""
    schema = bundle_schema()
    inlined = _inline_refs(schema, schema.get("$defs", {}))
    found = {}
    for section, sub in inlined.get("properties", {}).items():
        if sub.get("type") == "array":
            check = _quick_check(sub)
            if check is not None:
                found[section] = check
    return found


def _schema_errors(data: Any) -> list[ValidationError]:
    """jsonschema's errors for ``data``; sections that pass their quick check are left out of
    the (slow) full validation, since it would find nothing in them."""
    if isinstance(data, dict):
        quick = _quick_sections()
        data = {
            key: [] if key in quick and isinstance(value, list) and quick[key](value) else value
            for key, value in data.items()
        }
    return sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))


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
    errors = _schema_errors(data)
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
