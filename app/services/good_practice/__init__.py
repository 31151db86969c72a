"""The good-practice register. One module a concern, every public name re-exported here:

- ``entries``: a review's entries, creating, changing and deleting entries, and an entry as a
  bundle item (:func:`entry_item`) and as the API's resource (:func:`entry_resource`).
- ``sources``: what an entry from an event, an account or a protective factor starts with.
- ``sharing``: approval and sharing behind the anonymisation gate (:func:`scan_entry`).
- ``register``: the partnership-wide register's queries (its filters, the API's list, the
  chosen entries of a briefing, the themes) and the directory agencies and reviews it offers.
- ``briefings``: the 7-minute briefing and the bulletin.
- ``balance``: good practice beside problems on a review's overview.
"""

from __future__ import annotations

from app.services.good_practice.balance import Balance, appraisal_counts, review_balance
from app.services.good_practice.briefings import (
    briefing_checked,
    briefing_output,
    bulletin,
    newly_shared,
    pseudonymised_entries,
    review_brief,
    review_briefing,
)
from app.services.good_practice.entries import (
    CONTENT_FIELDS,
    ENTRY_FIELDS,
    MAX_THEME,
    STATUS_FIELDS,
    create_entry,
    delete_entry,
    entry_item,
    entry_resource,
    review_good_practice,
    update_entry,
)
from app.services.good_practice.register import (
    RegisterFilters,
    agency_ids_named,
    chosen_entries,
    directory_agencies,
    entries_by_id,
    known_themes,
    member_reviews_in_partnership,
    register_entries,
    shared_entries,
    theme_counts,
    theme_key,
    with_theme,
)
from app.services.good_practice.sharing import (
    SharingBlockedError,
    approve_entry,
    briefing_entry,
    people_register,
    refuse_while_identifying,
    scan_entry,
    share_entry,
)
from app.services.good_practice.sources import (
    prefill_from_account,
    prefill_from_event,
    prefill_from_factor,
)

__all__ = [
    "CONTENT_FIELDS",
    "ENTRY_FIELDS",
    "MAX_THEME",
    "STATUS_FIELDS",
    "Balance",
    "RegisterFilters",
    "SharingBlockedError",
    "agency_ids_named",
    "appraisal_counts",
    "approve_entry",
    "briefing_checked",
    "briefing_entry",
    "briefing_output",
    "bulletin",
    "chosen_entries",
    "create_entry",
    "delete_entry",
    "directory_agencies",
    "entries_by_id",
    "entry_item",
    "entry_resource",
    "known_themes",
    "member_reviews_in_partnership",
    "newly_shared",
    "people_register",
    "prefill_from_account",
    "prefill_from_event",
    "prefill_from_factor",
    "pseudonymised_entries",
    "refuse_while_identifying",
    "register_entries",
    "review_balance",
    "review_brief",
    "review_briefing",
    "review_good_practice",
    "scan_entry",
    "share_entry",
    "shared_entries",
    "theme_counts",
    "theme_key",
    "update_entry",
    "with_theme",
]
