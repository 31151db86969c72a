"""The action tracker: every action of the partnership's reviews in one list, filtered and
sorted, as the API's item, and exported as CSV or XLSX. Its text (finding titles, actions,
leads, progress) is the shared learning, pseudonymised with each review's register."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.chronology.importing.exports import export_csv, export_xlsx
from analysis.dates import uk_date
from analysis.findings import ACTION_STATUSES, ACTION_STRENGTHS, is_overdue
from app.services.partnership.reviews import SharedLearning, partnership_review_list
from models import Action, ActionDueChange, ActionProgressNote, Agency, Review

RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}

TRACKER_SORTS = {
    "due": "Due date",
    "review": "Review",
    "agency": "Agency",
    "status": "Status",
    "rag": "RAG status",
    "strength": "Strength",
}


@dataclass
class TrackerFilters:
    review: int | None = None
    agency: str = ""
    status: str = ""
    strength: str = ""
    overdue: bool = False
    sort: str = "due"


@dataclass
class TrackerRow:
    review: Review
    action: Action
    finding_title: str
    description: str
    owner: str
    lead: str
    success_measure: str
    is_overdue: bool
    due_history: list[ActionDueChange] = field(default_factory=list)
    # Each progress note with its text as the reader may see it.
    notes: list[tuple[ActionProgressNote, str]] = field(default_factory=list)

    @property
    def earlier_due_dates(self) -> list[date]:
        """The due dates the action had before its present one, most recent first."""
        return [c.old_due for c in reversed(self.due_history) if c.old_due is not None]


def owner_name(action: Action) -> str:
    if action.owner_agency is not None:
        return action.owner_agency.name
    if action.owner_directory_agency is not None:
        return action.owner_directory_agency.name
    return ""


def tracker_rows(
    session: Session, partnership_id: int, filters: TrackerFilters, today: date
) -> list[TrackerRow]:
    """Every action of the partnership's reviews that passes ``filters``, sorted."""
    reviews = {r.id: r for r in partnership_review_list(session, partnership_id)}
    if not reviews:
        return []
    statement = (
        select(Action)
        .where(Action.review_id.in_(list(reviews)))
        .options(selectinload(Action.finding))
        .order_by(Action.id)
    )
    if filters.review is not None:
        statement = statement.where(Action.review_id == filters.review)
    if filters.status:
        statement = statement.where(Action.status == filters.status)
    if filters.strength:
        statement = statement.where(Action.strength == filters.strength)
    actions = list(session.scalars(statement))
    ids = [a.id for a in actions]
    history: dict[int, list[ActionDueChange]] = defaultdict(list)
    notes: dict[int, list[ActionProgressNote]] = defaultdict(list)
    if ids:
        for change in session.scalars(
            select(ActionDueChange)
            .where(ActionDueChange.action_id.in_(ids))
            .order_by(ActionDueChange.changed_at, ActionDueChange.id)
        ):
            history[change.action_id].append(change)
        for note in session.scalars(
            select(ActionProgressNote)
            .where(ActionProgressNote.action_id.in_(ids))
            .order_by(ActionProgressNote.noted_on, ActionProgressNote.id)
        ):
            notes[note.action_id].append(note)
    shared = SharedLearning(session)
    rows = []
    for action in actions:
        review = reviews[action.review_id]
        overdue = is_overdue(action.due, action.status, today)
        owner = owner_name(action)
        if filters.overdue and not overdue:
            continue
        if filters.agency and owner.casefold() != filters.agency.casefold():
            continue
        rows.append(
            TrackerRow(
                review=review,
                action=action,
                finding_title=shared.text(review, action.finding.title),
                description=shared.text(review, action.description),
                owner=owner,
                lead=shared.text(review, action.lead),
                success_measure=shared.text(review, action.success_measure),
                is_overdue=overdue,
                due_history=history.get(action.id, []),
                notes=[(n, shared.text(review, n.note)) for n in notes.get(action.id, [])],
            )
        )
    return sorted(rows, key=_sort_key(filters.sort))


def _sort_key(sort: str) -> Any:
    rag_order = {"red": 0, "amber": 1, "green": 2}
    strength_order = {"strong": 0, "medium": 1, "weak": 2}
    status_order = {key: index for index, key in enumerate(ACTION_STATUSES)}
    keys = {
        "review": lambda r: (r.review.title.casefold(), r.action.ref),
        "agency": lambda r: (r.owner.casefold() or "~", r.action.due or date.max),
        "status": lambda r: (status_order.get(r.action.status, 99), r.action.due or date.max),
        "rag": lambda r: (rag_order.get(r.action.rag or "", 3), r.action.due or date.max),
        "strength": lambda r: (strength_order.get(r.action.strength or "", 3), r.action.id),
    }
    return keys.get(sort, lambda r: (not r.is_overdue, r.action.due or date.max, r.action.id))


def tracker_agencies(session: Session, partnership_id: int) -> list[str]:
    """Names of the agencies in the partnership's directory, for the owner filter."""
    return list(
        session.scalars(
            select(Agency.name).where(Agency.partnership_id == partnership_id).order_by(Agency.name)
        )
    )


def tracker_item(row: TrackerRow) -> dict[str, Any]:
    action = row.action
    return {
        "review": row.review.id,
        "review_title": row.review.title,
        "ref": action.ref,
        "finding": action.finding.ref,
        "finding_title": row.finding_title,
        "description": row.description,
        "owner": row.owner or None,
        "lead": row.lead or None,
        "success_measure": row.success_measure or None,
        "due": action.due.isoformat() if action.due else None,
        "earlier_due_dates": [d.isoformat() for d in row.earlier_due_dates],
        "status": action.status,
        "rag": action.rag,
        "strength": action.strength,
        "overdue": row.is_overdue,
        "progress": [
            {"noted_on": n.noted_on.isoformat(), "note": text, "rag": n.rag}
            for n, text in row.notes
        ],
    }


EXPORT_HEADER = (
    "Review",
    "Action",
    "Finding",
    "Description",
    "Owner",
    "Lead",
    "Success measure",
    "Due",
    "Earlier due dates",
    "Status",
    "RAG",
    "Strength",
    "Overdue",
    "Latest progress",
)


def export_rows(rows: Iterable[TrackerRow]) -> list[list[str]]:
    out = []
    for row in rows:
        action = row.action
        latest = row.notes[-1] if row.notes else None
        out.append(
            [
                row.review.title,
                action.ref,
                row.finding_title,
                row.description,
                row.owner,
                row.lead,
                row.success_measure,
                uk_date(action.due),
                "; ".join(uk_date(d) for d in row.earlier_due_dates),
                ACTION_STATUSES.get(action.status, action.status),
                RAG_LABELS.get(action.rag or "", ""),
                (ACTION_STRENGTHS.get(action.strength or "", "").split(":")[0]),
                "Yes" if row.is_overdue else "",
                f"{uk_date(latest[0].noted_on)}: {latest[1]}" if latest else "",
            ]
        )
    return out


def tracker_export(
    rows: list[TrackerRow], fmt: str, text: Callable[[str], str] = lambda value: value
) -> bytes:
    """The tracker as CSV or XLSX; no cell can run as a formula in a spreadsheet. ``text``
    is the reader's view of each text cell (pseudonyms for a reader who may not read names)."""
    table = [
        [text(cell) if isinstance(cell, str) else cell for cell in row] for row in export_rows(rows)
    ]
    if fmt == "xlsx":
        return _with_due_dates(export_xlsx(EXPORT_HEADER, table), rows)
    return export_csv(EXPORT_HEADER, table)


def _with_due_dates(workbook_bytes: bytes, rows: list[TrackerRow]) -> bytes:
    """The workbook with its due dates as real date cells (shown "4 Nov 2026"), so a
    spreadsheet sorts and filters them as dates."""
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    sheet = workbook.worksheets[0]
    column = EXPORT_HEADER.index("Due") + 1
    for number, row in enumerate(rows, start=2):
        cell = sheet.cell(row=number, column=column)
        cell.value = row.action.due
        if row.action.due is not None:
            cell.number_format = "d mmm yyyy"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
