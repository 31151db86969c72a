"""What a chronology import is made of: the columns and their aliases, the limits on a file,
and the rows, errors and preview as frozen dataclasses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.chronology.dates.when import When
from analysis.chronology.people import RegisterEntry

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DATA_ROWS = 50_000
# A chronology's header may sit under a title: the rows looked at to find it.
HEADER_SEARCH_ROWS = 10
# Zip-bomb guards, checked on the zip's directory before any part is unpacked.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 5_000

COLUMNS = (
    "date", "date_precision", "end_date", "agency", "description", "source", "source_detail",
    "people", "appraisal", "kpe", "ref", "time", "outcome",
)  # fmt: skip
# Every field a column can feed, in the order the mapping dropdown offers them.
FIELDS = (
    "date", "time", "end_date", "end_time", "date_precision", "agency", "description",
    "outcome", "source", "source_detail", "people", "appraisal", "kpe", "ref", "sequence",
)  # fmt: skip
FIELD_LABELS = {
    "date": "Date",
    "time": "Time of day",
    "end_date": "End date",
    "end_time": "End time",
    "date_precision": "Date precision",
    "agency": "Agency",
    "description": "What happened",
    "outcome": "Outcome (action or decision)",
    "source": "Source",
    "source_detail": "Source detail (record, team or worker)",
    "people": "People",
    "appraisal": "Appraisal",
    "kpe": "Key practice episode",
    "ref": "Ref",
    "sequence": "Sequence (orders a day's entries)",
}
_ALIASES = {
    "date": (
        "when", "date/time", "date time", "start date", "event date", "contact date",
        "date of contact", "incident date", "date of incident", "date of event", "entry date",
        "record date", "date recorded", "date of entry", "start",
    ),
    "time": (
        "time", "start time", "time of contact", "time of incident", "time of event",
        "time of entry",
    ),
    "end_date": ("to", "until", "end", "end date", "finish date", "date to"),
    "end_time": ("end time", "finish time", "time to"),
    "date_precision": ("precision",),
    "agency": (
        "organisation", "organization", "source agency", "agency name", "organisation name",
    ),
    "description": (
        "event", "details", "detail", "what happened", "narrative", "incident details",
        "contact details", "summary", "event details", "event description", "entry",
        "chronology entry", "event summary", "description of event", "information",
        "significant event", "what happened and who was involved",
    ),
    "outcome": (
        "action/outcome", "actions/outcome", "action / outcome", "outcome", "outcomes",
        "action", "actions", "action taken", "actions taken", "decision", "decisions",
        "plan", "result", "outcome/action", "next steps", "decision/outcome",
        "response", "agency response", "action/decision",
    ),
    "source": ("source", "source kind", "source type", "kind of source"),
    "source_detail": (
        "source of information", "information source", "record", "team", "service",
        "worker", "officer", "practitioner", "professional", "recorded by", "author",
        "staff member", "clinician", "source detail", "reference", "record ref",
    ),
    "people": (
        "persons", "involved", "people involved", "persons involved", "names", "person",
        "subject", "subjects",
    ),
    "appraisal": ("rating",),
    "kpe": ("episode", "key practice episode"),
    "ref": ("id",),
    "sequence": ("sequence", "seq", "event ref", "event no", "event number", "sequence no",
                 "entry no", "entry number", "no"),
}  # fmt: skip
APPRAISALS = ("good_practice", "problematic", "neutral", "not_appraised")
_APPRAISAL_ALIASES = {"missed_opportunity": "problematic", "not_yet_appraised": "not_appraised"}
REF_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
# The template's example row starts with this, so a forgotten example is caught, not stored.
EXAMPLE_MARKER = "EXAMPLE ROW, delete before sending:"


class ImportRefusedError(ValueError):
    """The whole file is refused; the message tells the user why and what to do."""


@dataclass(frozen=True)
class RowError:
    """A problem with one row (``number`` as the user sees it) or one of its cells."""

    number: int
    column: str | None
    message: str


@dataclass(frozen=True)
class RawRow:
    """A data row: ``number`` as the user sees it (the header is row 1), cells as read.

    ``problem`` says why the row cannot be read at all (for example merged Word table cells).
    """

    number: int
    cells: list[object]
    problem: str | None = None


@dataclass(frozen=True)
class RawTable:
    """A file's header and non-empty data rows, plus warnings about rows that were skipped."""

    headers: list[str]
    rows: list[RawRow]
    warnings: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class ColumnMapping:
    """Which column feeds which field (by 0-based index), and what was dropped or is missing.

    ``columns`` lists every header with the field it feeds (None: left out), in file order.
    """

    fields: dict[int, str]
    unknown: list[str]
    missing: list[str]
    repeated: list[str] = field(default_factory=list)
    columns: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class ExistingEvent:
    """An event already in the review, for finding likely duplicates (``agency`` is a ref)."""

    ref: str
    when: When
    agency: str | None
    description: str


@dataclass(frozen=True)
class ImportContext:
    """What the review already holds. Keys of the dicts are ``fold``-ed names or refs.

    ``register`` lists the people register, whose names found in an entry's text are linked;
    ``latest_year`` (the review's last year) lets two-digit years be read.
    """

    default_agency: str | None = None
    agencies: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    kpes: dict[str, str] = field(default_factory=dict)
    used_refs: frozenset[str] = frozenset()
    existing_events: tuple[ExistingEvent, ...] = ()
    register: tuple[RegisterEntry, ...] = ()
    latest_year: int | None = None


@dataclass(frozen=True)
class RowFix:
    """What the user typed in the preview for one row: each given cell replaces the file's."""

    date: str | None = None
    time: str | None = None
    agency: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ImportRow:
    """A valid row as it will be stored. ``agency_ref`` is None for a new or blank agency."""

    number: int
    ref: str | None
    when: When
    agency_name: str | None
    agency_ref: str | None
    description: str
    source: str
    source_detail: str | None
    people: list[str]
    unknown_people: list[str]
    appraisal: str
    kpe: str | None
    outcome: str = ""
    # Orders the file's entries of the same day: the Sequence column, else the file's order
    # (reversed for a file written newest first).
    order: int = 0
    written_date: str = ""
    ambiguous_people: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Duplicate:
    """Row ``number`` looks like ``event_ref``, already in the review, for ``reason``."""

    number: int
    event_ref: str
    reason: str


@dataclass(frozen=True)
class ImportPreview:
    """Everything the user checks before confirming an import."""

    rows: list[ImportRow]
    errors: list[RowError]
    mapping: ColumnMapping
    unknown_agencies: list[str]
    unknown_people: list[str]
    duplicates: list[Duplicate]
    row_count: int
    warnings: list[RowError] = field(default_factory=list)
    # Register people the rows will be linked to (ref: how many rows), names that several
    # people share (name: their refs), and titled names matching nobody.
    linked_people: dict[str, int] = field(default_factory=dict)
    ambiguous_people: dict[str, list[str]] = field(default_factory=dict)
    descending: bool = False
    left_out: list[int] = field(default_factory=list)


def fold(text: str) -> str:
    """``text`` case-folded with runs of whitespace made one space: the key names match on."""
    return " ".join(text.split()).casefold()
