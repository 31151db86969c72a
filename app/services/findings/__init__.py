"""Findings and what follows from them: the board's responses, actions, "you said, we did"
feedback and the report's narrative sections.

One module a concern, every name re-exported here:

- ``values``: text, dates and field names as a form, the API or a bundle sends them, cleaned
  and checked (:func:`clean_text`, :func:`parse_date`, :func:`not_in_future`).
- ``findings``: findings, the board's responses to their questions, a finding as a bundle item.
- ``suggestions``: suggested findings from the analysis' themes, and accepting one.
- ``actions``: actions, their due dates and strength, the overdue ones across reviews.
- ``feedback``: "you said, we did" records.
- ``narrative``: the report's narrative sections.
"""

from __future__ import annotations

from app.services.findings.actions import (
    ACTION_FIELDS,
    action_by_ref,
    action_item,
    create_action,
    delete_action,
    has_only_weak_actions,
    overdue_actions,
    review_actions,
    update_action,
)
from app.services.findings.feedback import (
    create_feedback,
    delete_feedback,
    feedback_by_id,
    review_feedback,
)
from app.services.findings.findings import (
    FINDING_FIELDS,
    create_finding,
    delete_finding,
    factor_labels,
    finding_by_ref,
    finding_item,
    record_board_response,
    review_findings,
    update_finding,
)
from app.services.findings.narrative import NARRATIVE_FIELDS, narrative_of, update_narrative
from app.services.findings.suggestions import (
    Suggestion,
    accept_suggestion,
    suggested_findings,
    suggestion_summary,
    suggestion_title,
)
from app.services.findings.values import (
    clean_text,
    not_in_future,
    parse_date,
)

__all__ = [
    "ACTION_FIELDS",
    "FINDING_FIELDS",
    "NARRATIVE_FIELDS",
    "Suggestion",
    "accept_suggestion",
    "action_by_ref",
    "action_item",
    "clean_text",
    "create_action",
    "create_feedback",
    "create_finding",
    "delete_action",
    "delete_feedback",
    "delete_finding",
    "factor_labels",
    "feedback_by_id",
    "finding_by_ref",
    "finding_item",
    "has_only_weak_actions",
    "narrative_of",
    "not_in_future",
    "overdue_actions",
    "parse_date",
    "record_board_response",
    "review_actions",
    "review_feedback",
    "review_findings",
    "suggested_findings",
    "suggestion_summary",
    "suggestion_title",
    "update_action",
    "update_finding",
    "update_narrative",
]
