"""Findings (with the board's responses to their questions), actions, "you said, we did"
feedback and the report's narrative sections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from analysis.dates import uk_today
from analysis.findings import (
    ACTION_STRENGTHS,
    FEEDBACK_AUDIENCES,
    all_weak,
    is_overdue,
    status_change_problem,
)
from analysis.graph.analysis import analyse
from analysis.taxonomy import SCIE_PATTERNS, SYSTEM_LEVELS
from app.services import review_cache
from app.services.chronology import claim_ref, release_ref
from app.services.errors import ServiceError
from app.services.graph import review_graph
from app.services.reviews import agency_by_ref, check_version
from models import (
    Action,
    ActionDueChange,
    BoardResponse,
    Factor,
    FeedbackRecord,
    Finding,
    ReportNarrative,
    Review,
)

FINDING_FIELDS = (
    "title",
    "scie_pattern",
    "issue",
    "evidence",
    "how_widespread",
    "why_it_matters",
    "questions_for_board",
    "factors",
    "board_responses",
)
ACTION_FIELDS = (
    "finding",
    "description",
    "owner_agency",
    "due",
    "status",
    "strength",
    "impact_evidence",
    "dropped_reason",
)
NARRATIVE_FIELDS = (
    "executive_summary",
    "introduction",
    "systems_method",
    "childs_experience",
    "good_practice",
    "conclusion",
    "glossary",
)


def clean_text(value: Any) -> str:
    """Text as stored: NUL characters removed (PostgreSQL refuses them; no one types them)."""
    return str(value or "").replace("\x00", "")


def _drop_empty(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}


def parse_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError("Enter a real date, for example 2026-03-31", field) from None


def _unknown(values: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")


# --- findings -------------------------------------------------------------------------------


def finding_by_ref(session: Session, review: Review, ref: str) -> Finding | None:
    return session.scalar(select(Finding).where(Finding.review_id == review.id, Finding.ref == ref))


def review_findings(session: Session, review: Review) -> list[Finding]:
    """The review's findings in the order they were written (the report numbers them so)."""
    return list(
        session.scalars(
            select(Finding)
            .where(Finding.review_id == review.id)
            .order_by(Finding.id)
            .options(
                selectinload(Finding.factors),
                selectinload(Finding.board_responses),
                selectinload(Finding.actions),
            )
        )
    )


def _factors(session: Session, review: Review, refs: Iterable[str]) -> list[Factor]:
    wanted = list(dict.fromkeys(r for r in refs if r))
    found = {
        f.ref: f
        for f in session.scalars(
            select(Factor).where(Factor.review_id == review.id, Factor.ref.in_(wanted))
        )
    }
    missing = [r for r in wanted if r not in found]
    if missing:
        raise ServiceError(f"There is no factor '{missing[0]}' in this review", "factors")
    return [found[r] for r in wanted]


def not_in_future(day: date | None, field: str, today: date | None = None) -> date | None:
    """``day`` unchanged, or a clear error if it is after today: what has been done (a board's
    response, a milestone met, a progress note) cannot be dated in the future."""
    if day is not None and day > (today or uk_today()):
        raise ServiceError("The date cannot be in the future", field)
    return day


def _questions(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [" ".join(clean_text(q).split()) for q in values or [] if q and q.strip()]


def _responses(finding: Finding, items: Sequence[dict[str, Any]]) -> list[BoardResponse]:
    responses = []
    for index, item in enumerate(items, start=1):
        question = " ".join(clean_text(item.get("question")).split())
        text = clean_text(item.get("response")).strip()
        if question not in finding.questions_for_board:
            raise ServiceError(
                f"Response {index}: the finding asks no question '{question[:60]}'",
                "board_responses",
            )
        if not text:
            raise ServiceError(f"Response {index}: write the board's response", "board_responses")
        responses.append(
            BoardResponse(
                review_id=finding.review_id,
                question=question,
                response=text,
                responded_on=not_in_future(
                    parse_date(item.get("responded_on"), "board_responses"), "board_responses"
                ),
            )
        )
    return responses


def _apply_finding(
    session: Session, review: Review, finding: Finding, values: dict[str, Any]
) -> None:
    _unknown(values, FINDING_FIELDS)
    if "title" in values:
        title = " ".join(clean_text(values["title"]).split())
        if not title:
            raise ServiceError("Give the finding a title", "title")
        finding.title = title[:300]
    if "scie_pattern" in values:
        pattern = values["scie_pattern"] or None
        if pattern is not None and pattern not in SCIE_PATTERNS:
            raise ServiceError("Choose a SCIE pattern from the list", "scie_pattern")
        finding.scie_pattern = pattern
    for key in ("issue", "evidence", "how_widespread", "why_it_matters"):
        if key in values:
            setattr(finding, key, clean_text(values[key]))
    if "questions_for_board" in values:
        finding.questions_for_board = _questions(values["questions_for_board"])
    if "factors" in values:
        finding.factors = _factors(session, review, values["factors"] or [])
    if "board_responses" in values:
        finding.board_responses = _responses(finding, values["board_responses"] or [])


def create_finding(
    *, session: Session, review: Review, ref: str | None = None, **values: Any
) -> Finding:
    if not " ".join((values.get("title") or "").split()):
        raise ServiceError("Give the finding a title", "title")
    ref = claim_ref(session, review, "finding", ref, "FN")
    finding = Finding(review_id=review.id, ref=ref, title="", questions_for_board=[])
    with session.no_autoflush:  # the finding joins the session complete, or not at all
        _apply_finding(session, review, finding, values)
    session.add(finding)
    session.flush()
    return finding


def update_finding(
    *, session: Session, finding: Finding, expected_version: int | None, **values: Any
) -> Finding:
    check_version(finding, expected_version)
    review = session.get_one(Review, finding.review_id)
    with session.no_autoflush:  # one flush, so one new version
        _apply_finding(session, review, finding, values)
    # A changed question leaves its old answer unmatched: keep only answers to live questions.
    finding.board_responses = [
        r for r in finding.board_responses if r.question in finding.questions_for_board
    ]
    session.flush()
    return finding


def delete_finding(*, session: Session, review: Review, finding: Finding) -> None:
    """Remove a finding, its actions and the board's responses."""
    for action in finding.actions:
        release_ref(session, review, action.ref)
    release_ref(session, review, finding.ref)
    session.delete(finding)
    session.flush()


def record_board_response(
    *,
    session: Session,
    finding: Finding,
    question: str,
    response: str,
    responded_on: date | None = None,
) -> BoardResponse:
    """The board's response to one of the finding's questions (replacing an earlier one)."""
    question = " ".join(clean_text(question).split())
    response = clean_text(response)
    if question not in finding.questions_for_board:
        raise ServiceError("Choose one of the finding's questions", "question")
    if not (response or "").strip():
        raise ServiceError("Write the board's response", "response")
    existing = next((r for r in finding.board_responses if r.question == question), None)
    if existing is None:
        existing = BoardResponse(review_id=finding.review_id, question=question, response="")
        finding.board_responses.append(existing)
    existing.response = response.strip()
    existing.responded_on = not_in_future(responded_on, "responded_on") or uk_today()
    session.flush()
    return existing


def finding_item(finding: Finding) -> dict[str, Any]:
    """The finding as a bundle item (also the API resource)."""
    return _drop_empty(
        {
            "ref": finding.ref,
            "title": finding.title,
            "scie_pattern": finding.scie_pattern,
            "issue": finding.issue,
            "evidence": finding.evidence,
            "how_widespread": finding.how_widespread,
            "why_it_matters": finding.why_it_matters,
            "questions_for_board": list(finding.questions_for_board or []),
            "factors": [f.ref for f in finding.factors],
            "board_responses": [
                _drop_empty(
                    {
                        "question": r.question,
                        "response": r.response,
                        "responded_on": r.responded_on.isoformat() if r.responded_on else None,
                    }
                )
                for r in finding.board_responses
            ],
        }
    )


def has_only_weak_actions(finding: Finding) -> bool:
    """The strength warning: every live (not dropped) action on the finding is weak."""
    return all_weak(a.strength for a in finding.actions if a.status != "dropped")


@dataclass(frozen=True)
class Suggestion:
    """A candidate finding from the analysis' themes: the factors it rests on, the theme's
    labels (taxonomy and key words) and its factors' own labels, most central first."""

    refs: tuple[str, ...]
    labels: tuple[str, ...]
    scie_pattern: str | None
    factor_labels: tuple[str, ...] = ()
    level: str | None = None

    @property
    def title(self) -> str:
        return suggestion_title(self.factor_labels or self.labels)

    @property
    def summary(self) -> str:
        return suggestion_summary(len(self.refs), self.scie_pattern, self.level)


def suggestion_title(labels: Sequence[str]) -> str:
    """A working title in words, for the panel to rewrite: the theme's most central factor,
    as the sentence its label is (not a list of taxonomy labels)."""
    lead = next((" ".join(label.split()) for label in labels if label.strip()), "")
    if not lead:
        return "Suggested finding"
    lead = lead.rstrip(" .;:")
    return (lead[0].upper() + lead[1:])[:300]


def suggestion_summary(count: int, pattern: str | None, level: str | None) -> str:
    """One sentence on what a suggested finding rests on ("It links 3 factors, mostly about
    human reasoning at the team level.")."""
    about = []
    if pattern in SCIE_PATTERNS:
        about.append(f"about {SCIE_PATTERNS[pattern][0].lower()}{SCIE_PATTERNS[pattern][1:]}")
    if level in SYSTEM_LEVELS:
        about.append(f"at the {SYSTEM_LEVELS[level].lower()} level")
    tail = f", mostly {' '.join(about)}" if about else ""
    return f"It links {count} factor{'s' if count != 1 else ''}{tail}."


def suggested_findings(session: Session, review: Review) -> list[Suggestion]:
    """The analysis' themes not yet covered by a finding (one resting on all their factors)."""
    # The graph's themes are worked out once per change to the review.
    themes = review_cache.cached(
        session, review.id, "themes", lambda: analyse(review_graph(session, review)).themes
    )
    covered = [{f.ref for f in finding.factors} for finding in review_findings(session, review)]
    factors = {
        f.ref: f for f in session.scalars(select(Factor).where(Factor.review_id == review.id))
    }
    suggestions = []
    for theme in themes:
        refs = set(theme.refs)
        if any(refs <= done for done in covered):
            continue
        members = [factors[r] for r in theme.refs if r in factors]
        counts = Counter(f.scie_pattern for f in members if f.scie_pattern)
        levels = Counter(f.level for f in members if f.level)
        suggestions.append(
            Suggestion(
                refs=tuple(theme.refs),
                labels=tuple(theme.labels),
                scie_pattern=counts.most_common(1)[0][0] if counts else None,
                factor_labels=tuple(f.label for f in members),
                level=levels.most_common(1)[0][0] if levels else None,
            )
        )
    return suggestions


def accept_suggestion(*, session: Session, review: Review, refs: Sequence[str]) -> Finding:
    """Create a finding from a suggested theme, pre-filled with its factors and their labels,
    for the panel to edit."""
    factors = _factors(session, review, refs)
    if not factors:
        raise ServiceError("The suggestion names no factors", "factors")
    counts = Counter(f.scie_pattern for f in factors if f.scie_pattern)
    issue = "The factors behind this theme:\n\n" + "\n".join(f"- {f.label}" for f in factors)
    order = {ref: index for index, ref in enumerate(refs)}
    lead = sorted(factors, key=lambda f: order.get(f.ref, len(order)))
    return create_finding(
        session=session,
        review=review,
        title=suggestion_title([f.label for f in lead]),
        scie_pattern=counts.most_common(1)[0][0] if counts else None,
        issue=issue,
        factors=[f.ref for f in factors],
    )


# --- actions --------------------------------------------------------------------------------


def action_by_ref(session: Session, review: Review, ref: str) -> Action | None:
    return session.scalar(select(Action).where(Action.review_id == review.id, Action.ref == ref))


def review_actions(session: Session, review: Review) -> list[Action]:
    return list(
        session.scalars(
            select(Action)
            .where(Action.review_id == review.id)
            .order_by(Action.id)
            .options(selectinload(Action.finding))
        )
    )


def _apply_action(session: Session, review: Review, action: Action, values: dict[str, Any]) -> None:
    _unknown(values, ACTION_FIELDS)
    if "finding" in values:
        finding = finding_by_ref(session, review, values["finding"] or "")
        if finding is None:
            raise ServiceError(
                f"There is no finding '{values['finding']}' in this review", "finding"
            )
        action.finding = finding
    if "description" in values:
        description = clean_text(values["description"]).strip()
        if not description:
            raise ServiceError("Describe the action", "description")
        action.description = description
    if "owner_agency" in values:
        ref = values["owner_agency"]
        agency = agency_by_ref(session, review, ref) if ref else None
        if ref and agency is None:
            raise ServiceError(f"There is no agency '{ref}' in this review", "owner_agency")
        action.owner_agency = agency
    if "due" in values:
        due = parse_date(values["due"], "due")
        if action.id is not None and due != action.due:
            # A moved due date is kept, so an action never leaves the overdue list unseen.
            session.add(
                ActionDueChange(
                    action_id=action.id, review_id=review.id, old_due=action.due, new_due=due
                )
            )
        action.due = due
    if "strength" in values:
        strength = values["strength"] or None
        if strength is not None and strength not in ACTION_STRENGTHS:
            raise ServiceError("Choose a strength from the list", "strength")
        action.strength = strength
    if "impact_evidence" in values:
        action.impact_evidence = clean_text(values["impact_evidence"])
    if "dropped_reason" in values:
        action.dropped_reason = clean_text(values["dropped_reason"]).strip()
    if "status" in values:
        status = values["status"] or "proposed"
        problem = status_change_problem(action.status or "proposed", status)
        if problem:
            raise ServiceError(problem, "status")
        action.status = status
    if action.status == "dropped" and not action.dropped_reason:
        raise ServiceError("Say why the action was dropped", "dropped_reason")
    if action.status == "evidenced" and not action.impact_evidence.strip():
        raise ServiceError("Give the evidence that the action made a difference", "impact_evidence")


def create_action(
    *, session: Session, review: Review, ref: str | None = None, **values: Any
) -> Action:
    if not values.get("finding"):
        raise ServiceError("Choose the finding the action answers", "finding")
    if not (values.get("description") or "").strip():
        raise ServiceError("Describe the action", "description")
    ref = claim_ref(session, review, "action", ref, "A")
    action = Action(
        review_id=review.id,
        ref=ref,
        description="",
        status="proposed",
        impact_evidence="",
        dropped_reason="",
    )
    # A new action may start at any status (an imported one may be long finished).
    status = values.pop("status", None) or "proposed"
    values["status"] = status
    action.status = "proposed" if status == "dropped" else status
    with session.no_autoflush:  # the action joins the session complete, or not at all
        _apply_action(session, review, action, values)
    session.add(action)
    session.flush()
    return action


def update_action(
    *, session: Session, action: Action, expected_version: int | None, **values: Any
) -> Action:
    check_version(action, expected_version)
    review = session.get_one(Review, action.review_id)
    with session.no_autoflush:  # one flush, so one new version
        _apply_action(session, review, action, values)
    session.flush()
    return action


def delete_action(*, session: Session, review: Review, action: Action) -> None:
    release_ref(session, review, action.ref)
    session.delete(action)
    session.flush()


def action_item(action: Action) -> dict[str, Any]:
    """The action as a bundle item (also the API resource)."""
    return _drop_empty(
        {
            "ref": action.ref,
            "finding": action.finding.ref,
            "description": action.description,
            "owner_agency": action.owner_agency.ref if action.owner_agency else None,
            "due": action.due.isoformat() if action.due else None,
            "status": action.status,
            "strength": action.strength,
            "impact_evidence": action.impact_evidence,
            "dropped_reason": action.dropped_reason,
        }
    )


def overdue_actions(
    session: Session, review_ids: Iterable[int], today: date | None = None
) -> list[Action]:
    """Open actions past their due date in these reviews, the longest overdue first."""
    today = today or uk_today()
    ids = list(review_ids)
    if not ids:
        return []
    rows = session.scalars(
        select(Action)
        .where(Action.review_id.in_(ids), Action.due.is_not(None), Action.due < today)
        .order_by(Action.due, Action.id)
        .options(selectinload(Action.finding))
    )
    return [a for a in rows if is_overdue(a.due, a.status, today)]


# --- "you said, we did" ---------------------------------------------------------------------


def create_feedback(
    *,
    session: Session,
    review: Review,
    audience: str,
    recipients: str,
    you_said: str,
    we_did: str,
    fed_back_on: date | None,
    finding: str | None = None,
) -> FeedbackRecord:
    if audience not in FEEDBACK_AUDIENCES:
        raise ServiceError("Choose who the feedback went to", "audience")
    recipients = " ".join(clean_text(recipients).split())
    you_said, we_did = clean_text(you_said), clean_text(we_did)
    if not recipients:
        raise ServiceError("Say to whom it was fed back (by role or pseudonym)", "recipients")
    if not (you_said or "").strip():
        raise ServiceError("Write what they said", "you_said")
    if not (we_did or "").strip():
        raise ServiceError("Write what was done about it", "we_did")
    if fed_back_on is None:
        raise ServiceError("Enter the date it was fed back", "fed_back_on")
    linked = finding_by_ref(session, review, finding) if finding else None
    if finding and linked is None:
        raise ServiceError(f"There is no finding '{finding}' in this review", "finding")
    record = FeedbackRecord(
        review_id=review.id,
        audience=audience,
        recipients=recipients[:300],
        you_said=you_said.strip(),
        we_did=we_did.strip(),
        fed_back_on=fed_back_on,
        finding=linked,
    )
    session.add(record)
    session.flush()
    return record


def review_feedback(session: Session, review: Review) -> list[FeedbackRecord]:
    return list(
        session.scalars(
            select(FeedbackRecord)
            .where(FeedbackRecord.review_id == review.id)
            .order_by(FeedbackRecord.fed_back_on.desc(), FeedbackRecord.id.desc())
        )
    )


def delete_feedback(*, session: Session, record: FeedbackRecord) -> None:
    session.delete(record)
    session.flush()


# --- the report's narrative -----------------------------------------------------------------


def narrative_of(session: Session, review: Review) -> ReportNarrative:
    """The review's narrative sections (an empty set, added, when none were written yet)."""
    narrative = session.scalar(
        select(ReportNarrative).where(ReportNarrative.review_id == review.id)
    )
    if narrative is None:
        narrative = ReportNarrative(review_id=review.id, **dict.fromkeys(NARRATIVE_FIELDS, ""))
        session.add(narrative)
        session.flush()
    return narrative


def update_narrative(
    *, session: Session, review: Review, expected_version: int | None, **values: Any
) -> ReportNarrative:
    _unknown(values, NARRATIVE_FIELDS)
    narrative = narrative_of(session, review)
    check_version(narrative, expected_version)
    for key, value in values.items():
        setattr(narrative, key, clean_text(value))
    session.flush()
    return narrative
