"""Findings and actions as plain rules: action statuses and strengths, when an action is
overdue, when a finding's actions are all weak, and comparing two report versions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

#: The life of an action, in order; ``dropped`` may end it at any point, with a reason.
ACTION_STATUSES: dict[str, str] = {
    "proposed": "Proposed",
    "agreed": "Agreed",
    "in_progress": "In progress",
    "done": "Done",
    "evidenced": "Evidenced (impact shown)",
    "dropped": "Dropped",
}
ACTION_FLOW = ("proposed", "agreed", "in_progress", "done", "evidenced")
#: Statuses where nothing more is owed, so the due date no longer matters.
CLOSED_STATUSES = frozenset({"done", "evidenced", "dropped"})

#: The hierarchy of intervention effectiveness, as safeguarding and patient-safety work uses it.
ACTION_STRENGTHS: dict[str, str] = {
    "weak": "Weak: training, reminders, a new policy",
    "medium": "Medium: checklists, extra staff, changes to supervision",
    "strong": "Strong: changes to design, systems or structure",
}

FEEDBACK_AUDIENCES: dict[str, str] = {
    "family": "Family",
    "child": "The child",
    "practitioners": "Practitioners",
    "managers": "Managers and leaders",
    "board": "Safeguarding board",
}


def status_change_problem(current: str, new: str) -> str | None:
    """Why an action cannot move from ``current`` to ``new``, or None when it can.

    Actions move forward through ``ACTION_FLOW`` (steps may be skipped) or are dropped; a
    dropped or evidenced action is finished.
    """
    if new == current:
        return None
    if new not in ACTION_STATUSES:
        return "Choose a status from the list"
    if current == "dropped":
        return "A dropped action cannot be reopened: add a new action instead"
    if new == "dropped":
        return None
    if ACTION_FLOW.index(new) < ACTION_FLOW.index(current):
        return f"An action moves forward: it cannot go back from {ACTION_STATUSES[current]}"
    return None


def is_overdue(due: date | None, status: str, today: date) -> bool:
    """An open action whose due date has passed."""
    return due is not None and due < today and status not in CLOSED_STATUSES


def all_weak(strengths: Iterable[str | None]) -> bool:
    """True when a finding has live actions and every one is weak (the strength warning):
    training and reminders alone rarely change what happens in practice."""
    live = list(strengths)
    return bool(live) and all(strength == "weak" for strength in live)


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side comparison: ``kind`` is equal, insert, delete or replace."""

    kind: str
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    """The lines of a unified diff from ``old`` to ``new`` (plain text; escape to show it)."""
    return list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2
        )
    )


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """The two texts aligned line by line, for a two-column comparison."""
    left: Sequence[str] = old.splitlines()
    right: Sequence[str] = new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            rows.append(
                DiffRow(
                    kind=tag,
                    left_number=i + 1 if i < i2 else None,
                    left=left[i] if i < i2 else "",
                    right_number=j + 1 if j < j2 else None,
                    right=right[j] if j < j2 else "",
                )
            )
    return rows
