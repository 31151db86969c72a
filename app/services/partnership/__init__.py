"""The partnership's view over all its reviews. One module a concern, every public name
re-exported here:

- ``reviews``: the partnership's reviews, each one's lead, and :class:`SharedLearning` (their
  text pseudonymised with each review's own people register).
- ``clocks``: the statutory milestones of each review, recorded and due, and the intervals.
- ``tracker``: the action tracker across reviews, its filters, sorts and CSV/XLSX export.
- ``actions``: tracking one action (lead, owner, progress notes, due date).
"""

from __future__ import annotations

from app.services.partnership.actions import (
    add_progress_note,
    move_due_date,
    owner_choices,
    set_owner,
    update_tracking,
)
from app.services.partnership.clocks import (
    ReviewClock,
    clock_item,
    milestone_item,
    milestones_of,
    record_milestones,
    review_clocks,
    update_intervals,
)
from app.services.partnership.reviews import (
    SharedLearning,
    partnership_review_list,
    review_leads,
)
from app.services.partnership.tracker import (
    EXPORT_HEADER,
    RAG_LABELS,
    TRACKER_SORTS,
    TrackerFilters,
    TrackerRow,
    export_rows,
    owner_name,
    tracker_agencies,
    tracker_export,
    tracker_item,
    tracker_rows,
)

__all__ = [
    "EXPORT_HEADER",
    "RAG_LABELS",
    "TRACKER_SORTS",
    "ReviewClock",
    "SharedLearning",
    "TrackerFilters",
    "TrackerRow",
    "add_progress_note",
    "clock_item",
    "export_rows",
    "milestone_item",
    "milestones_of",
    "move_due_date",
    "owner_choices",
    "owner_name",
    "partnership_review_list",
    "record_milestones",
    "review_clocks",
    "review_leads",
    "set_owner",
    "tracker_agencies",
    "tracker_export",
    "tracker_item",
    "tracker_rows",
    "update_intervals",
    "update_tracking",
]
