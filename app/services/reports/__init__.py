"""The systems-learning report: two editions assembled from the review as an
``analysis.documents.Document``, anonymised, rendered to HTML, PDF, DOCX and Markdown as a
numbered version, scanned for what could identify someone, approved by a second person and
published.

One module a concern, every name re-exported here:

- ``restricted``: the restricted edition, for the review's members (:func:`build_report`).
- ``public_edition``: the public edition, what a partnership publishes
  (:func:`build_public_report`), and the first draft of an episode's narrative analysis
  (:func:`suggested_narrative`).
- ``wording``: text for the public, without the app's refs (:func:`without_refs`), and its
  glossary (:func:`glossary_rows`).
- ``accimap``: both editions' AcciMap, drawn from pseudonymised data.
- ``logo``: the partnership's logo for the public edition's cover (:func:`checked_logo`).
- ``versions``: numbered versions, reserved atomically, listed and deleted.
- ``rendering``: a version's files, each rendered once per content (:func:`render_version`).
- ``publication``: approval, the anonymisation scan's gate, publication and withdrawal.
"""

from __future__ import annotations

from app.services.reports.accimap import (
    DRAWN_TEXT_PT,
    MIN_TEXT_PT,
    PAGE_HEIGHT_PT,
    PAGE_WIDTH_PT,
    accimap_figure,
    anonymous_graph_input,
    public_accimap,
    text_size_in_print,
)
from app.services.reports.logo import LOGO_BOX, LOGO_MAX_BYTES, LOGO_MAX_PIXELS, checked_logo
from app.services.reports.public_edition import (
    PUBLIC_METHOD,
    STATUTORY_CONTEXT,
    PublicEdition,
    build_public_report,
    suggested_narrative,
)
from app.services.reports.publication import (
    APPROVER_ROLES,
    WITHDRAWN_FOR_GOOD,
    ApprovalRequiredError,
    NotReadyError,
    PublicationBlockedError,
    VersionWithdrawnError,
    approve_report,
    hit_item,
    publication_hits,
    publish_report,
    published_reports,
    register_changed_since,
    withdraw_report,
)
from app.services.reports.rendering import (
    Generated,
    RenderSettings,
    generate_report,
    render_version,
    rendered_once,
)
from app.services.reports.restricted import DEFAULT_METHOD, GLOSSARY, build_report, plain_text
from app.services.reports.versions import (
    VersionTakenError,
    delete_version,
    report_versions,
    reserve_version,
    version_by_number,
)
from app.services.reports.wording import ACRONYMS, TERMS, glossary_rows, without_refs

__all__ = [
    "ACRONYMS",
    "APPROVER_ROLES",
    "DEFAULT_METHOD",
    "DRAWN_TEXT_PT",
    "GLOSSARY",
    "LOGO_BOX",
    "LOGO_MAX_BYTES",
    "LOGO_MAX_PIXELS",
    "MIN_TEXT_PT",
    "PAGE_HEIGHT_PT",
    "PAGE_WIDTH_PT",
    "PUBLIC_METHOD",
    "STATUTORY_CONTEXT",
    "TERMS",
    "WITHDRAWN_FOR_GOOD",
    "ApprovalRequiredError",
    "Generated",
    "NotReadyError",
    "PublicEdition",
    "PublicationBlockedError",
    "RenderSettings",
    "VersionTakenError",
    "VersionWithdrawnError",
    "accimap_figure",
    "anonymous_graph_input",
    "approve_report",
    "build_public_report",
    "build_report",
    "checked_logo",
    "delete_version",
    "generate_report",
    "glossary_rows",
    "hit_item",
    "plain_text",
    "public_accimap",
    "publication_hits",
    "publish_report",
    "published_reports",
    "register_changed_since",
    "render_version",
    "rendered_once",
    "report_versions",
    "reserve_version",
    "suggested_narrative",
    "text_size_in_print",
    "version_by_number",
    "withdraw_report",
    "without_refs",
]
