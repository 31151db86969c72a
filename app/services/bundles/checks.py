"""What is wrong with a bundle, found without the database: its size, its schema, its refs
and its events' dates. ``import_bundle`` checks all of it before it writes anything."""

from __future__ import annotations

from typing import Any

from analysis.bundle import BundleProblem, validate_bundle
from analysis.chronology.dates import DateParseError, when_from_bundle

# The optional sections of the bundle that this version stores.
SUPPORTED_SECTIONS = (
    "agencies",
    "people",
    "kpes",
    "events",
    "accounts",
    "factors",
    "links",
    "findings",
    "actions",
    "good_practice",
    "feedback",
    "partnership_good_practice",
)


class BundleError(ValueError):
    """A bundle refused: ``problems`` says where and why."""

    def __init__(self, problems: list[BundleProblem]) -> None:
        super().__init__(f"{len(problems)} problems in the bundle")
        self.problems = problems


# A bundle larger than this is refused (422), so an import stays bounded: 100,000 events (and
# as many items in any other section); the byte limit is BUNDLE_MAX_BYTES in the config.
MAX_BUNDLE_ITEMS = 100_000


def bundle_size_problems(data: Any) -> list[BundleProblem]:
    """The sections of ``data`` over MAX_BUNDLE_ITEMS items (checked before anything else)."""
    if not isinstance(data, dict):
        return []
    return [
        BundleProblem(
            f"$.{section}",
            f"the bundle has {len(items):,} {section.replace('_', ' ')}; at most "
            f"{MAX_BUNDLE_ITEMS:,} can be imported at once: split the review or import it "
            "in smaller parts",
        )
        for section, items in data.items()
        if isinstance(items, list) and len(items) > MAX_BUNDLE_ITEMS
    ]


def bundle_event_rows(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[BundleProblem]]:
    """Each bundle event as a row for ``create_events``, checked against the bundle's own
    agencies, people and KPEs by dictionary, before anything is stored."""
    agencies = {item["ref"] for item in data.get("agencies", [])}
    people = {item["ref"] for item in data.get("people", [])}
    kpes = {item["ref"] for item in data.get("kpes", [])}
    rows: list[dict[str, Any]] = []
    problems: list[BundleProblem] = []
    for index, item in enumerate(data.get("events", [])):
        where = f"$.events[{index}]"
        try:
            when = when_from_bundle(item["date"], item["date_precision"], item.get("end_date"))
        except DateParseError as error:
            problems.append(BundleProblem(f"{where}.date", str(error)))
            continue
        missing = [
            f"There is no {kind} '{ref}' in this review"
            for kind, refs, known in (
                ("agency", [item.get("agency")], agencies),
                ("person", item.get("people", []), people),
                ("key practice episode", [item.get("kpe")], kpes),
            )
            for ref in refs
            if ref and ref not in known
        ]
        if not item["description"].strip():
            missing.append("Describe what happened")
        if missing:
            problems.append(BundleProblem(where, missing[0]))
            continue
        rows.append(
            {
                "ref": item["ref"],
                "when": when,
                "agency": item.get("agency"),
                "source": item.get("source"),
                "source_detail": item.get("source_detail", ""),
                "description": item["description"],
                "outcome": item.get("outcome", ""),
                "people": item.get("people", []),
                "appraisal": item.get("appraisal"),
                "kpe": item.get("kpe"),
            }
        )
    return rows, problems


def bundle_problems(data: Any) -> list[BundleProblem]:
    """Everything wrong with ``data`` that can be found without the database (size, schema,
    refs, dates): what ``import_bundle`` checks before it writes anything."""
    problems = bundle_size_problems(data) or validate_bundle(data, SUPPORTED_SECTIONS)
    if problems:
        return problems
    return bundle_event_rows(data)[1]
