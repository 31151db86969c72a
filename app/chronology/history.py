"""An event's history in words: each version's action, and what changed from the version
before it, with dates shown the UK way and refs as agency names, pseudonyms and KPE titles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analysis.chronology.dates.when import when_from_bundle
from analysis.taxonomy import SOURCE_KINDS
from app.services import chronology as chrono
from models import EventVersion

HISTORY_ACTIONS = {
    "create": "Added",
    "update": "Changed",
    "delete": "Deleted",
    "restore": "Restored",
    "merge": "Merged",
    "unmerge": "Merge undone",
}
_FIELD_WORDS = {
    "agency": "Agency",
    "source": "Source",
    "source_detail": "Source detail",
    "description": "What happened",
    "outcome": "Outcome",
    "appraisal": "Appraisal",
    "kpe": "Key practice episode",
}


def _when_words(item: dict[str, Any]) -> str:
    if not item.get("date"):
        return "(none)"
    try:
        return when_from_bundle(
            item["date"], item.get("date_precision", "day"), item.get("end_date")
        ).display()
    except ValueError:
        return str(item["date"])


def _diff(
    before: dict[str, Any], after: dict[str, Any], names: dict[str, dict[str, str]]
) -> list[tuple[str, str, str]]:
    """What changed between two snapshots, in words: (field, before, after) with dates shown
    the UK way, and refs as agency names, pseudonyms, KPE titles and labels."""

    def shown(name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "(none)"
        if name == "people":
            return ", ".join(names["people"].get(ref, ref) for ref in value)
        # ``value`` is a snapshot's JSON value (Any): in these fields, a ref or a code.
        label: str
        if name in ("agency", "kpe"):
            label = names[name].get(value, value)
            return label
        if name == "source":
            label = SOURCE_KINDS.get(value, value)
            return label
        if name == "appraisal":
            label = chrono.APPRAISALS.get(value, value)
            return label
        if name == "merged_from":
            return ", ".join(
                f"{e.get('ref')} ({names['agency'].get(e.get('agency') or '', 'no agency')})"
                for e in value
            )
        return str(value)

    changes = []
    if _when_words(before) != _when_words(after):
        changes.append(("When", _when_words(before), _when_words(after)))
    labels = {**_FIELD_WORDS, "people": "People involved", "merged_from": "Merged accounts"}
    for key, label in labels.items():
        if before.get(key) != after.get(key):
            changes.append((label, shown(key, before.get(key)), shown(key, after.get(key))))
    return changes


def history_in_words(
    versions: Sequence[EventVersion], names: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """The event's ``versions`` (oldest first) as its history, the latest first: each version
    with its action and its changes in words (``names``: refs to words, by field)."""
    history = []
    previous: dict[str, Any] = {}
    for version in versions:
        history.append(
            {
                "version": version,
                "action": HISTORY_ACTIONS.get(version.action, version.action.capitalize()),
                "changes": _diff(previous, version.snapshot, names),
            }
        )
        previous = version.snapshot
    history.reverse()
    return history
