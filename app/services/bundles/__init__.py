"""The review bundle: a whole review as JSON, imported and exported.

Export writes only what is stored; import validates first (schema, refs, unsupported sections)
and then stores everything in the caller's transaction, so a bad bundle changes nothing. One
module a concern, its functions and classes re-exported here:

- ``checks``: what is wrong with a bundle, found without the database (``bundle_problems``,
  ``BundleError``, ``SUPPORTED_SECTIONS``).
- ``export``: each row as its bundle item, and ``export_bundle``.
- ``importing``: ``import_bundle`` (in parts for a big bundle) and ``discard_review``.

The limits are not re-exported, so that a test changes them where they are read:
``checks.MAX_BUNDLE_ITEMS`` and the part sizes in ``importing`` (``EVENTS_PER_PART``, …).
"""

from __future__ import annotations

from app.services.bundles.checks import (
    SUPPORTED_SECTIONS,
    BundleError,
    bundle_event_rows,
    bundle_problems,
    bundle_size_problems,
)
from app.services.bundles.export import (
    agency_item,
    export_bundle,
    feedback_item,
    good_practice_item,
    partnership_entries,
    person_item,
    report_narrative_item,
    review_events,
    review_item,
    review_kpes,
)
from app.services.bundles.importing import discard_review, import_bundle

__all__ = [
    "SUPPORTED_SECTIONS",
    "BundleError",
    "agency_item",
    "bundle_event_rows",
    "bundle_problems",
    "bundle_size_problems",
    "discard_review",
    "export_bundle",
    "feedback_item",
    "good_practice_item",
    "import_bundle",
    "partnership_entries",
    "person_item",
    "report_narrative_item",
    "review_events",
    "review_item",
    "review_kpes",
]
