"""The partnership's view over all its reviews: statutory clocks, the action tracker and its
exports. Text that is the partnership's shared learning (finding titles, actions, factor
labels) leaves here pseudonymised with each review's own people register."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from analysis.chronology.importing.exports import export_csv, export_xlsx
from analysis.dates import uk_date, uk_today
from analysis.findings import ACTION_STATUSES, ACTION_STRENGTHS, is_overdue
from analysis.milestones import (
    DEFAULT_INTERVALS,
    MILESTONE_LABELS,
    Milestone,
    intervals_from,
    review_milestones,
)
from app.services.anonymity import Anonymiser, anonymiser_for
from app.services.errors import ServiceError
from app.services.findings import clean_text, not_in_future
from models import (
    Action,
    ActionDueChange,
    ActionProgressNote,
    Agency,
    Factor,
    Finding,
    Membership,
    Partnership,
    Review,
    ReviewMilestone,
    User,
)

RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}


class SharedLearning:
    """Pseudonymises each review's text with that review's register (the one mechanism in
    ``app.services.anonymity``); one anonymiser per review, built when first needed."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._anonymisers: dict[int, Anonymiser] = {}

    def text(self, review: Review, value: str | None) -> str:
        anonymiser = self._anonymisers.get(review.id)
        if anonymiser is None:
            anonymiser = anonymiser_for(self._session, review)
            self._anonymisers[review.id] = anonymiser
        return anonymiser.pseudonymise(value)


def partnership_review_list(session: Session, partnership_id: int) -> list[Review]:
    return list(
        session.scalars(
            select(Review).where(Review.partnership_id == partnership_id).order_by(Review.id)
        )
    )


# --- statutory clocks ---------------------------------------------------------------------


def milestones_of(
    session: Session, review: Review, today: date, intervals: Mapping[str, int] | None = None
) -> list[Milestone]:
    """The review's statutory milestones, as recorded and as due."""
    done = {
        m.key: m.done_on
        for m in session.scalars(
            select(ReviewMilestone).where(ReviewMilestone.review_id == review.id)
        )
    }
    if intervals is None:
        intervals = intervals_from(session.get_one(Partnership, review.partnership_id).settings)
    return review_milestones(review.incident_known_on, done, today, intervals)


def record_milestones(
    *,
    session: Session,
    review: Review,
    recorder: User | None,
    milestones: Mapping[str, date | None],
    today: date | None = None,
) -> None:
    """Record the day each milestone was met (None clears it). All or nothing: an unknown
    key or a date in the future changes nothing. Each change is in the audit log."""
    today = today or uk_today()
    for key, day in milestones.items():
        if key not in MILESTONE_LABELS:
            raise ServiceError(f"There is no milestone '{key}'", "milestones")
        not_in_future(day, f"milestones.{key}", today)
        if day is not None and review.incident_known_on and day < review.incident_known_on:
            raise ServiceError(
                f"{MILESTONE_LABELS[key]}: the date cannot be before the partnership became "
                f"aware of the incident ({uk_date(review.incident_known_on)})",
                f"milestones.{key}",
            )
    existing = {
        m.key: m
        for m in session.scalars(
            select(ReviewMilestone).where(ReviewMilestone.review_id == review.id)
        )
    }
    for key, day in milestones.items():
        row = existing.get(key)
        if day is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                ReviewMilestone(
                    review_id=review.id,
                    key=key,
                    done_on=day,
                    recorded_by_id=recorder.id if recorder else None,
                )
            )
        elif row.done_on != day:
            row.done_on = day
            row.recorded_by_id = recorder.id if recorder else None
    session.flush()


def update_intervals(*, session: Session, partnership_id: int, values: Mapping[str, int]) -> None:
    """Change the partnership's statutory clock intervals (whole numbers, audited)."""
    partnership = session.get_one(Partnership, partnership_id)
    settings = dict(partnership.settings or {})
    for key, value in values.items():
        if key not in DEFAULT_INTERVALS:
            raise ServiceError(f"There is no interval '{key}'", key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 366:
            raise ServiceError("An interval is a whole number from 0 to 366", key)
        settings[key] = value
    partnership.settings = settings
    session.flush()


@dataclass
class ReviewClock:
    review: Review
    milestones: list[Milestone]
    counts: dict[str, int]

    @property
    def overdue(self) -> list[Milestone]:
        return [m for m in self.milestones if m.status == "overdue"]

    @property
    def next_due(self) -> Milestone | None:
        due = [m for m in self.milestones if m.status == "due" and m.due_on]
        return min(due, key=lambda m: m.due_on or date.max) if due else None


def review_clocks(session: Session, partnership_id: int, today: date) -> list[ReviewClock]:
    """Every review of the partnership with its clocks and counts: reviews with an overdue
    milestone first (the longest overdue first), then by the next date due."""
    reviews = partnership_review_list(session, partnership_id)
    intervals = intervals_from(session.get_one(Partnership, partnership_id).settings)
    ids = [r.id for r in reviews]
    counts: dict[str, dict[int, int]] = {
        "factors": _counts(session, Factor, ids),
        "findings": _counts(session, Finding, ids),
        "actions": _counts(session, Action, ids),
    }
    overdue_actions: dict[int, int] = defaultdict(int)
    for action in session.scalars(select(Action).where(Action.review_id.in_(ids))):
        if is_overdue(action.due, action.status, today):
            overdue_actions[action.review_id] += 1
    clocks = [
        ReviewClock(
            review=r,
            milestones=milestones_of(session, r, today, intervals),
            counts={
                **{name: values.get(r.id, 0) for name, values in counts.items()},
                "overdue_actions": overdue_actions.get(r.id, 0),
            },
        )
        for r in reviews
    ]

    def order(clock: ReviewClock) -> tuple[int, date, int]:
        if clock.overdue:
            return (0, min(m.due_on or date.max for m in clock.overdue), clock.review.id)
        upcoming = clock.next_due
        return (1, upcoming.due_on if upcoming and upcoming.due_on else date.max, clock.review.id)

    return sorted(clocks, key=order)


def _counts(session: Session, model: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(model.review_id, func.count())
        .where(model.review_id.in_(ids))
        .group_by(model.review_id)
    )
    return {review_id: count for review_id, count in rows}


def milestone_item(milestone: Milestone) -> dict[str, Any]:
    return {
        "key": milestone.key,
        "label": milestone.label,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
        "done_on": milestone.done_on.isoformat() if milestone.done_on else None,
        "status": milestone.status,
    }


def clock_item(clock: ReviewClock) -> dict[str, Any]:
    review = clock.review
    return {
        "id": review.id,
        "title": review.title,
        "subject": review.subject,
        "review_type": review.review_type,
        "stage": review.stage,
        "incident_known_on": review.incident_known_on.isoformat()
        if review.incident_known_on
        else None,
        "milestones": [milestone_item(m) for m in clock.milestones],
        "counts": clock.counts,
    }


# --- the action tracker ---------------------------------------------------------------------

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


def update_tracking(
    *,
    session: Session,
    action: Action,
    partnership_id: int,
    lead: str | None = None,
    success_measure: str | None = None,
    owner: str | None = None,
) -> Action:
    """Set an action's named lead, success measure and owner. The owner is an agency of the
    review, or any agency of the partnership's directory (matched by name)."""
    if lead is not None:
        lead = " ".join(clean_text(lead).split())
        if len(lead) > 200:
            raise ServiceError("The lead's name must be 200 characters or fewer", "lead")
        action.lead = lead
    if success_measure is not None:
        action.success_measure = clean_text(success_measure).strip()
    if owner is not None:
        set_owner(session, action, partnership_id, owner)
    session.flush()
    return action


def set_owner(session: Session, action: Action, partnership_id: int, name: str) -> None:
    name = " ".join(name.split())
    if not name:
        action.owner_agency = None
        action.owner_directory_agency = None
        return
    key = name.casefold()
    review = session.get_one(Review, action.review_id)
    own = next((a for a in review.agencies if a.name.casefold() == key), None)
    if own is not None:
        action.owner_agency, action.owner_directory_agency = own, None
        return
    directory = session.scalar(
        select(Agency).where(
            Agency.partnership_id == partnership_id, func.lower(Agency.name) == key
        )
    )
    if directory is None:
        raise ServiceError(
            f"There is no agency '{name[:60]}' in the partnership's directory", "owner"
        )
    action.owner_agency, action.owner_directory_agency = None, directory


def add_progress_note(
    *,
    session: Session,
    action: Action,
    author: User | None,
    note: str,
    rag: str | None,
    noted_on: date | None = None,
    today: date | None = None,
) -> ActionProgressNote:
    """A dated progress note; its RAG status becomes the action's."""
    today = today or uk_today()
    text = clean_text(note).strip()
    if not text:
        raise ServiceError("Write what has happened", "note")
    if rag and rag not in RAG_LABELS:
        raise ServiceError("Choose red, amber or green", "rag")
    noted_on = not_in_future(noted_on, "noted_on", today) or today
    entry = ActionProgressNote(
        action_id=action.id,
        review_id=action.review_id,
        noted_on=noted_on,
        note=text,
        rag=rag or None,
        author_id=author.id if author else None,
    )
    session.add(entry)
    if rag:
        action.rag = rag
    session.flush()
    return entry


def move_due_date(
    *, session: Session, action: Action, user: User | None, due: date | None
) -> Action:
    """Change an action's due date, keeping the old one in its history. ``None`` removes it
    (an explicit choice). Raises ``ServiceError`` for a date before the review's incident."""
    if due == action.due:
        return action
    review = session.get_one(Review, action.review_id)
    if due is not None and review.incident_known_on is not None and due < review.incident_known_on:
        raise ServiceError(
            f"The due date cannot be before the incident ({uk_date(review.incident_known_on)})",
            "due",
        )
    session.add(
        ActionDueChange(
            action_id=action.id,
            review_id=action.review_id,
            old_due=action.due,
            new_due=due,
            changed_by_id=user.id if user else None,
        )
    )
    action.due = due
    session.flush()
    return action


def owner_choices(session: Session, review: Review) -> list[str]:
    """Who may own an action of ``review``: its agencies and every agency of the directory."""
    names = {a.name for a in review.agencies}
    names.update(tracker_agencies(session, review.partnership_id))
    return sorted(names, key=str.casefold)


def review_leads(session: Session, review_ids: list[int]) -> dict[int, str]:
    """Each review's lead: its lead reviewer, else its chair (names of users, not of people
    in the case)."""
    if not review_ids:
        return {}
    rows = session.execute(
        select(Membership.review_id, Membership.role, User.name)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.review_id.in_(review_ids),
            Membership.role.in_(("lead_reviewer", "chair")),
        )
        .order_by(Membership.id)
    )
    leads: dict[int, str] = {}
    for review_id, role, name in rows:
        if role == "lead_reviewer" or review_id not in leads:
            leads[review_id] = name
    return leads
