"""The chronology: events and key practice episodes, their history, comments and merges.

One module a concern, every name re-exported here (``from app.services.chronology import
create_event`` and ``from app.services.chronology.events import create_event`` both work):
``refs`` (the review's shared namespace of refs), ``kpes`` (key practice episodes),
``events`` (an event's values, changes, comments and merges), ``bulk`` (many events stored at
once, for imports) and ``reading`` (an event's history, comments, accounts and factors; the
deleted events).
"""

from app.services.chronology.bulk import insert_events
from app.services.chronology.events import (
    APPRAISALS,
    EVENT_FIELDS,
    add_comment,
    assign_kpe,
    count_events,
    create_event,
    create_events,
    delete_event,
    delete_events,
    event_by_ref,
    event_item,
    merge_events,
    restore_event,
    restore_events,
    to_when,
    unmerge_event,
    update_event,
    when_of,
    when_of_entry,
)
from app.services.chronology.kpes import (
    create_kpe,
    delete_kpe,
    kpe_by_ref,
    kpes_of,
    live_events_per_kpe,
    update_kpe,
)
from app.services.chronology.reading import (
    accounts_about,
    comments_on,
    deleted_events,
    events_by_ref,
    factor_labels,
    has_factors,
    versions_of,
)
from app.services.chronology.refs import claim_ref, claim_refs, release_ref, used_refs

__all__ = [
    "APPRAISALS",
    "EVENT_FIELDS",
    "accounts_about",
    "add_comment",
    "assign_kpe",
    "claim_ref",
    "claim_refs",
    "comments_on",
    "count_events",
    "create_event",
    "create_events",
    "create_kpe",
    "delete_event",
    "delete_events",
    "delete_kpe",
    "deleted_events",
    "event_by_ref",
    "event_item",
    "events_by_ref",
    "factor_labels",
    "has_factors",
    "insert_events",
    "kpe_by_ref",
    "kpes_of",
    "live_events_per_kpe",
    "merge_events",
    "release_ref",
    "restore_event",
    "restore_events",
    "to_when",
    "unmerge_event",
    "update_event",
    "update_kpe",
    "used_refs",
    "versions_of",
    "when_of",
    "when_of_entry",
]
