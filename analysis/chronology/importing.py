"""Agency chronologies (CSV, XLSX or a Word table) read into a preview; templates and exports.

``read_table`` turns the bytes of an uploaded file into rows of cells, refusing files that are
too big, carry macros, are encrypted or malformed, or try zip-bomb or XML-entity tricks.
``build_preview`` maps the columns and checks every row against the review, so the user sees
what will be stored, every row error with its row number, and likely duplicates, before
anything is stored. ``template_bytes`` makes the blank file sent to agencies;
``export_csv`` and ``export_xlsx`` write tables whose cells cannot run as formulas.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from difflib import SequenceMatcher
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as safe_xml  # type: ignore[import-untyped]
import docx
import openpyxl  # type: ignore[import-untyped]
from docx.opc.exceptions import PackageNotFoundError
from docx.table import _Cell, _Row
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from analysis.chronology.dates import PRECISIONS, DateParseError, When, parse_cell
from analysis.chronology.people import PeopleMatcher, RegisterEntry
from analysis.taxonomy import SOURCE_KINDS

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
DUPLICATE_SIMILARITY = 0.6
# Bounds on the duplicate search, which would otherwise grow with rows x events per day.
_COMPARED_CHARS = 2000
_WORDS_WORTH_DIFFING = 0.3
_MAX_DIFFS = 20_000
_MAX_COMPARED_PER_ROW = 50

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_SUFFIXES = frozenset({".xlsm", ".xltm", ".xlam", ".docm", ".dotm"})
_OLD_SUFFIXES = frozenset({".xls", ".doc"})
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_NOISE = re.compile(r"[\s._/-]+")
_HEADER_HINT = re.compile(r"\(.*?\)|\[.*?\]")
# What a broken workbook or document makes the readers raise; all mean "malformed file".
_MALFORMED = (
    zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, LookupError, ValueError,
    TypeError, AttributeError, OSError, SyntaxError, InvalidFileException, PackageNotFoundError,
)  # fmt: skip


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


# --- Reading files -------------------------------------------------------------------------


def read_table(filename: str, data: bytes, sheet: str | None = None) -> RawTable:
    """Read an uploaded chronology into a header and rows of cells.

    Takes the upload's ``filename`` (its suffix picks the reader: ``.csv``, ``.xlsx`` or
    ``.docx``), its bytes, and for a workbook an optional ``sheet`` name (else the first
    sheet). Returns a ``RawTable``; empty rows are skipped. Raises ``ImportRefusedError`` for
    files over 10 MB or 50,000 data rows, other file types, macro-enabled, encrypted or
    malformed files, zip bombs, XML with a DOCTYPE or entities, and files with no header row.
    """
    suffix = PurePath(filename).suffix.lower()
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefusedError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if suffix in _MACRO_SUFFIXES:
        raise ImportRefusedError(
            f"{suffix} files can carry macros, which are never opened here. "
            "Save the file as .xlsx (Excel Workbook) or .docx (Word Document) and upload that."
        )
    if suffix in _OLD_SUFFIXES:
        raise ImportRefusedError(
            f"Old-style {suffix} files are not read here: save it as .xlsx or .docx and upload "
            "that."
        )
    if suffix == ".csv":
        return _table_from_rows(_csv_rows(data))
    if suffix == ".xlsx":
        return _table_from_rows(_xlsx_rows(data, sheet))
    if suffix == ".docx":
        return _docx_table(data)
    raise ImportRefusedError(
        f"Files of type {suffix or '(none)'!r} are not read here: upload a .csv, .xlsx or .docx."
    )


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object], str | None]]:
    if b"\x00" in data:
        raise ImportRefusedError(
            "The file is not plain CSV text (it contains NUL bytes). "
            "In Excel, choose Save As > CSV UTF-8 and upload that."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; undefined bytes mean neither.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ImportRefusedError(
                "The file's characters could not be read as UTF-8 or Windows-1252. "
                "In Excel, choose Save As > CSV UTF-8 and upload that."
            ) from error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, list(cells), None
    except csv.Error as error:
        raise ImportRefusedError(
            f"The CSV file is malformed near line {reader.line_num}: {error}."
        ) from error


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the first line into the most known columns."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            return 0, 0
        return len(map_columns(cells).fields), len(cells)

    return max((",", ";", "\t"), key=score)


def _checked_zip(data: bytes, kind: str) -> None:
    """Refuse a workbook or document before a library unpacks it, on its zip directory alone."""
    if data.startswith(_OLE_MAGIC):
        raise ImportRefusedError(
            f"The file is password-protected (encrypted) or in the old {kind} 97-2003 format. "
            f"Remove the password, save it as a normal {kind} file and upload that."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _MALFORMED as error:  # a newer zip version is NotImplementedError, not BadZipFile
        raise ImportRefusedError(f"The file is damaged or is not really a {kind} file.") from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ImportRefusedError(f"The file has too many parts ({len(members)}) to be read.")
        if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
            raise ImportRefusedError(
                "The file would unpack to more than 100 MB, far more than a chronology needs; "
                "it is refused as a possible zip bomb."
            )
        for member in members:
            if member.flag_bits & 0x1:
                raise ImportRefusedError("Part of the file is encrypted: remove the password.")
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
                raise ImportRefusedError(
                    "Part of the file is compressed far more than real data can be; "
                    "it is refused as a possible zip bomb."
                )
            if member.filename.lower().endswith("vbaproject.bin"):
                raise ImportRefusedError("The file contains macros: save it without them.")
        if "[Content_Types].xml" not in archive.namelist():
            raise ImportRefusedError(f"The file is damaged or is not really a {kind} file.")
        try:
            for member in members:
                if _looks_like_xml(archive, member):
                    _check_xml_prolog(archive, member)
            content_types = archive.read("[Content_Types].xml")
        except ImportRefusedError:
            raise
        except _MALFORMED as error:
            raise ImportRefusedError(
                f"The file is damaged and cannot be read as {kind}."
            ) from error
        if b"macroenabled" in content_types.lower():
            raise ImportRefusedError("The file is macro-enabled: save it as a plain file.")


def _looks_like_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Named as XML, or starting like XML: a part's name need not say what it holds."""
    if member.filename.lower().endswith((".xml", ".rels")):
        return True
    with archive.open(member) as stream:
        start = stream.read(64)
    return start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or start[:2] in (
        b"\xff\xfe",
        b"\xfe\xff",
    )


def _check_xml_prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Parse a part up to its root element: that is where a DOCTYPE or entities would be."""
    try:
        with archive.open(member) as stream:
            for _event, _element in safe_xml.iterparse(stream, events=("start",), forbid_dtd=True):
                break
    except defusedxml.DefusedXmlException as error:
        raise ImportRefusedError(
            "The file's XML declares a DOCTYPE or entities, which real workbooks and documents "
            "never do; it is refused."
        ) from error
    except ParseError as error:
        raise ImportRefusedError(
            "The file is damaged: part of it is not well-formed XML."
        ) from error


def _xlsx_rows(data: bytes, sheet: str | None) -> Iterator[tuple[int, list[object], str | None]]:
    _checked_zip(data, "Excel")
    try:
        # openpyxl warns about workbook features it drops (styles, extensions) we never use.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except _MALFORMED as error:
        raise ImportRefusedError("The workbook is damaged and cannot be read.") from error
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise ImportRefusedError(f"The workbook has no sheet {sheet!r}; it has: {names}.")
        # "The first sheet" is the first one the user can see, as Excel opens it.
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        worksheet = workbook[sheet] if sheet is not None else (visible or workbook.worksheets)[0]
        rows = worksheet.iter_rows(min_row=1, values_only=True)
        for number, values in enumerate(rows, start=1):
            yield number, list(values), None
    except ImportRefusedError:
        raise
    except _MALFORMED as error:
        raise ImportRefusedError("The workbook is damaged and cannot be read.") from error
    finally:
        workbook.close()


def _docx_table(data: bytes) -> RawTable:
    _checked_zip(data, "Word")
    try:
        document = docx.Document(io.BytesIO(data))
        for table in document.tables:
            rows = list(table.rows)
            # The header may sit under a title row or two (often merged across the table).
            for start, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
                mapping = map_columns([cell.text for cell in row.cells], has_default_agency=True)
                if not mapping.missing and len(mapping.fields) >= 2:
                    return _table_from_rows(_docx_rows(rows[start:], first=start + 1))
    except ImportRefusedError:
        raise
    except _MALFORMED as error:
        raise ImportRefusedError("The Word document is damaged and cannot be read.") from error
    raise ImportRefusedError(
        "No table in the document has a row naming its columns, with one for the date and one "
        "for what happened (for example 'Date' and 'Event'), in its first "
        f"{HEADER_SEARCH_ROWS} rows. Add such a row above the entries, or use the template."
    )


def _docx_rows(
    rows: Sequence[_Row], first: int = 1
) -> Iterator[tuple[int, list[object], str | None]]:
    """Each row's cell texts (numbered from ``first``), with why a row with merged cells
    cannot be read."""
    above: list[object] = []
    for number, row in enumerate(rows, start=first):
        cells: list[_Cell | None] = [None] * row.grid_cols_before + list(row.cells)
        problem = None
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            if index and cells[index - 1] is cell:
                problem = (
                    "Cells in this row are merged across columns: split them, or delete the row."
                )
            # A vertically merged cell repeats the cell above it (the same <w:tc> element).
            elif index < len(above) and above[index] is cell._tc:
                problem = "A cell in this row is merged with the row above: split it."
        above = [cell._tc if cell is not None else None for cell in cells]
        yield number, [cell.text if cell is not None else None for cell in cells], problem


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_first(
    rows: Iterable[tuple[int, list[object], str | None]], skipped: list[RowError]
) -> Iterator[tuple[int, list[object], str | None]]:
    """``rows`` from the header on: the first of the first HEADER_SEARCH_ROWS non-empty rows
    naming at least two known columns (a title or a note above it is skipped and reported),
    else the first non-empty row as before."""
    iterator = iter(rows)
    looked: list[tuple[int, list[object], str | None]] = []
    for row in iterator:
        if all(_is_blank(cell) for cell in row[1]):
            continue
        looked.append(row)
        if len(map_columns([_text(c) for c in row[1]]).fields) >= 2:
            skipped.extend(
                RowError(n, None, "Above the row naming the columns: skipped.")
                for n, _cells, _problem in looked[:-1]
            )
            yield row
            yield from iterator
            return
        if len(looked) >= HEADER_SEARCH_ROWS:
            break
    yield from looked
    yield from iterator


def _table_from_rows(rows: Iterable[tuple[int, list[object], str | None]]) -> RawTable:
    """The row naming the columns is the header (see ``_header_first``); later empty rows are
    skipped and reported."""
    headers: list[str] | None = None
    data_rows: list[RawRow] = []
    skipped: list[RowError] = []
    pending_blank: list[int] = []
    for number, cells, problem in _header_first(rows, skipped):
        if all(_is_blank(cell) for cell in cells):
            if headers is not None:
                pending_blank.append(number)
            continue
        if headers is None:
            headers = [_text(cell) for cell in cells]
            while headers and not headers[-1]:
                headers.pop()
            continue
        # Only empty rows between data are worth a word; trailing ones are just the sheet's end.
        skipped.extend(RowError(n, None, "Empty row, skipped.") for n in pending_blank)
        pending_blank.clear()
        if len(data_rows) >= MAX_DATA_ROWS:
            raise ImportRefusedError(
                f"The file has more than {MAX_DATA_ROWS:,} rows; split it into smaller files."
            )
        if any(not _is_blank(cell) for cell in cells[len(headers) :]):
            skipped.append(
                RowError(number, None, "Cells beyond the last named column were ignored.")
            )
        cells = (cells + [None] * len(headers))[: len(headers)]
        data_rows.append(RawRow(number, cells, problem))
    if not headers:
        raise ImportRefusedError("The file is empty: it has no header row naming the columns.")
    return RawTable(headers, data_rows, skipped)


# --- Columns and the preview ----------------------------------------------------------------


def _header_key(name: str) -> str:
    # "Date (dd/mm/yyyy)": a hint in brackets is for the person filling the sheet in.
    return _HEADER_NOISE.sub("", _HEADER_HINT.sub("", name)).casefold()


_FIELD_BY_KEY = {_header_key(name): name for name in FIELDS} | {
    _header_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases
}
COLUMN_ALIASES = {key: name for key, name in _FIELD_BY_KEY.items() if key != name}


def guess_field(header: str) -> str | None:
    """The field a header names (``"Action/Outcome"`` is ``outcome``), or None."""
    return _FIELD_BY_KEY.get(_header_key(header))


def map_columns(
    headers: Sequence[str],
    *,
    has_default_agency: bool = False,
    chosen: dict[str, str | None] | None = None,
) -> ColumnMapping:
    """Match header names to fields, ignoring case, spaces and ``._-/``, and hints in brackets.

    Takes the header cells, whether the import names one agency for the whole file (then an
    ``agency`` column is not required) and the user's ``chosen`` fields by header text (None
    leaves a column out; a header not named keeps its guess). Returns the ``ColumnMapping``:
    a later column with the same meaning as an earlier one is listed in ``repeated`` and left
    out, like unknown columns. Raises ``ValueError`` for a chosen field that does not exist.
    """
    chosen = chosen or {}
    for wanted in chosen.values():
        if wanted is not None and wanted not in FIELDS:
            raise ValueError(
                f"There is no field {wanted!r}: choose one of {', '.join(FIELDS)}, or none."
            )
    fields: dict[int, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    columns: list[tuple[str, str | None]] = []
    for index, name in enumerate(headers):
        field_name = chosen[name] if name in chosen else guess_field(name)
        if field_name is None:
            if name.strip():
                unknown.append(name)
        elif field_name in fields.values():
            repeated.append(name)
            field_name = None
        else:
            fields[index] = field_name
        columns.append((name, field_name))
    required = ["date", "description"] if has_default_agency else ["date", "agency", "description"]
    missing = [name for name in required if name not in fields.values()]
    return ColumnMapping(fields, unknown, missing, repeated, columns)


def _text(value: object) -> str:
    """A cell as text, stripped: numbers without a spurious ``.0``, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time.min:
        value = value.date()
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _choice_key(text: str) -> str:
    """``"Child's voice"`` and ``"childs-voice"`` both become ``childs_voice``."""
    without_apostrophes = re.sub("['\u2019]", "", text.casefold())
    return re.sub(r"[^a-z0-9]+", "_", without_apostrophes).strip("_")


_SOURCE_BY_KEY = {_choice_key(key): key for key in SOURCE_KINDS} | {
    _choice_key(label): key for key, label in SOURCE_KINDS.items()
}
_APPRAISAL_BY_KEY = {key: key for key in APPRAISALS} | _APPRAISAL_ALIASES


@dataclass
class _Preview:
    """The preview being built, one row at a time."""

    context: ImportContext
    headers: list[str]
    column_of: dict[str, int]
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_agencies: dict[str, str] = field(default_factory=dict)
    unknown_people: dict[str, str] = field(default_factory=dict)
    refs_seen: dict[str, int] = field(default_factory=dict)
    fixes: dict[int, RowFix] = field(default_factory=dict)
    matcher: PeopleMatcher | None = None
    linked_people: dict[str, int] = field(default_factory=dict)
    ambiguous_people: dict[str, list[str]] = field(default_factory=dict)

    def cell(self, row: RawRow, name: str) -> object:
        fix = self.fixes.get(row.number)
        if fix is not None and name in ("date", "time", "agency", "description"):
            fixed = getattr(fix, name)
            if fixed is not None:
                return fixed
        index = self.column_of.get(name)
        return row.cells[index] if index is not None else None

    def add(self, row: RawRow) -> None:
        problems: list[tuple[str, str]] = []
        when = self._when(row, problems)
        description = _text(self.cell(row, "description"))
        if not description:
            problems.append(("description", "The description is empty: say what happened."))
        elif description.startswith(EXAMPLE_MARKER):
            problems.append(("description", "This is the template's example row: delete it."))
        source, source_detail = self._source(row)
        appraisal = self._choice(row, "appraisal", _APPRAISAL_BY_KEY, "not_appraised", problems)
        kpe = self._kpe(row, problems)
        ref = self._ref(row, problems)
        if problems or when is None:
            self.errors.extend(
                RowError(row.number, self._header(name), message) for name, message in problems
            )
            return
        agency_name = self._agency_name(row)
        agency_ref = self.context.agencies.get(fold(agency_name)) if agency_name else None
        if agency_name and agency_ref is None:
            self.unknown_agencies.setdefault(fold(agency_name), agency_name)
        people, unknown_people = self._people(row)
        # Names in the file's people column that match nobody are kept in the text (as the
        # preview says), so nothing the agency wrote is lost.
        unwritten = [n for n in unknown_people if fold(n) not in fold(description)]
        if unwritten:
            description = f"{description}\n\n{self._header('people')}: {'; '.join(unwritten)}"
        ambiguous: list[str] = []
        outcome = _text(self.cell(row, "outcome"))
        if self.matcher is not None:
            found = self.matcher.find(f"{description}\n{outcome}")
            people.extend(linked for linked in found.refs if linked not in people)
            for question in found.ambiguous:
                ambiguous.append(question.name)
                self.ambiguous_people.setdefault(question.name, list(question.candidates))
            for name in found.unmatched:
                if name not in unknown_people:
                    unknown_people.append(name)
                    self.unknown_people.setdefault(fold(name), name)
        for person in people:
            self.linked_people[person] = self.linked_people.get(person, 0) + 1
        self.rows.append(
            ImportRow(
                number=row.number,
                ref=ref,
                when=when,
                agency_name=agency_name,
                agency_ref=agency_ref,
                description=description,
                source=source,
                source_detail=source_detail,
                people=people,
                unknown_people=unknown_people,
                appraisal=appraisal,
                kpe=kpe,
                outcome=outcome,
                order=self._sequence(row),
                written_date=_text(self.cell(row, "date")),
                ambiguous_people=ambiguous,
            )
        )

    def _source(self, row: RawRow) -> tuple[str, str | None]:
        """The source kind, and the detail: a Source value that is no kind is the agency's own
        label ("MASH", "Early Help"), kept as the detail, never an error."""
        detail = _text(self.cell(row, "source_detail"))
        written = _text(self.cell(row, "source"))
        if not written:
            return "agency_record", detail or None
        kind = _SOURCE_BY_KEY.get(_choice_key(written))
        if kind is not None:
            return kind, detail or None
        joined = f"{written} \u00b7 {detail}" if detail and detail != written else written
        return "agency_record", joined[:300]

    def _sequence(self, row: RawRow) -> int:
        written = _text(self.cell(row, "sequence"))
        digits = re.search(r"\d+", written)
        return int(digits.group(0)) if digits else 0

    def _header(self, name: str) -> str:
        index = self.column_of.get(name)
        return self.headers[index] if index is not None else name

    def _when(self, row: RawRow, problems: list[tuple[str, str]]) -> When | None:
        precision = _text(self.cell(row, "date_precision")) or None
        try:
            return parse_cell(
                self.cell(row, "date"),
                precision,
                self.cell(row, "end_date"),
                time_value=self.cell(row, "time"),
                end_time_value=self.cell(row, "end_time"),
                latest_year=self.context.latest_year,
            )
        except DateParseError as error:
            problems.append(("date", str(error)))
            return None

    def _choice(
        self,
        row: RawRow,
        name: str,
        allowed: dict[str, str],
        default: str,
        problems: list[tuple[str, str]],
    ) -> str:
        written = _text(self.cell(row, name))
        if not written:
            return default
        value = allowed.get(_choice_key(written))
        if value is None:
            choices = ", ".join(
                sorted({key.replace("_", " ").capitalize() for key in allowed.values()})
            )
            problems.append((name, f"Unknown {name} {written!r}: use one of {choices}."))
            return default
        return value

    def _kpe(self, row: RawRow, problems: list[tuple[str, str]]) -> str | None:
        written = _text(self.cell(row, "kpe"))
        if not written:
            return None
        kpe = self.context.kpes.get(fold(written))
        if kpe is None:
            problems.append(
                ("kpe", f"No key practice episode {written!r} in this review: add it first.")
            )
        return kpe

    def _ref(self, row: RawRow, problems: list[tuple[str, str]]) -> str | None:
        ref = _text(self.cell(row, "ref"))
        if not ref:
            return None
        if REF_PATTERN.fullmatch(ref) is None:
            problems.append(
                (
                    "ref",
                    f"The ref {ref!r} may only use letters, digits and _ . : - (at most 64).",
                )
            )
        elif ref in self.context.used_refs:
            problems.append(("ref", f"The ref {ref!r} is already used in this review."))
        elif ref in self.refs_seen:
            problems.append(("ref", f"The ref {ref!r} is also used on row {self.refs_seen[ref]}."))
        else:
            self.refs_seen[ref] = row.number
        return ref

    def _agency_name(self, row: RawRow) -> str | None:
        # With no agency column, the agency named for the whole file applies to every row;
        # with one, a blank cell means no agency (a birth, family context).
        fix = self.fixes.get(row.number)
        if fix is not None and fix.agency is not None:
            return fix.agency.strip() or None
        if "agency" not in self.column_of:
            return self.context.default_agency
        return _text(self.cell(row, "agency")) or None

    def _people(self, row: RawRow) -> tuple[list[str], list[str]]:
        known: list[str] = []
        unknown: list[str] = []
        for written in re.split(r"[;,\n]", _text(self.cell(row, "people"))):
            name = " ".join(written.split())
            ref = self.context.people.get(fold(name))
            if ref is not None and ref not in known:
                known.append(ref)
            elif ref is None and name and name not in unknown:
                unknown.append(name)
                self.unknown_people.setdefault(fold(name), name)
        return known, unknown


@dataclass(frozen=True)
class _Comparable:
    """A text ready to compare: normalised words, cut to a length difflib can afford."""

    text: str
    words: frozenset[str]

    @classmethod
    def of(cls, description: str) -> _Comparable:
        text = " ".join(re.findall(r"\w+", description.casefold()))[:_COMPARED_CHARS]
        return cls(text, frozenset(text.split()))

    def word_overlap(self, other: _Comparable) -> float:
        """The Jaccard index of the two texts' words."""
        union = self.words | other.words
        return len(self.words & other.words) / len(union) if union else 1.0

    def text_ratio(self, other: _Comparable) -> float:
        """difflib's ratio of the two texts, which forgives typos (and costs more)."""
        matcher = SequenceMatcher(None, self.text, other.text, autojunk=False)
        if matcher.real_quick_ratio() < DUPLICATE_SIMILARITY:
            return 0.0
        return matcher.ratio()


def _find_duplicates(
    rows: Sequence[ImportRow], existing: Iterable[ExistingEvent]
) -> list[Duplicate]:
    """For each row, the existing event on the same day most like it, from any agency (the
    same happening is often recorded by others); the same agency wins a tie."""
    by_day: dict[str, list[tuple[ExistingEvent, _Comparable]]] = {}
    for event in existing:
        by_day.setdefault(event.when.date[:10], []).append(
            (event, _Comparable.of(event.description))
        )
    found: list[Duplicate] = []
    diffs_left = _MAX_DIFFS
    for row in rows:
        text = _Comparable.of(row.description)
        best: tuple[float, bool, ExistingEvent] | None = None
        for event, other in by_day.get(row.when.date[:10], [])[:_MAX_COMPARED_PER_ROW]:
            similarity = text.word_overlap(other)
            # difflib is quadratic: it weighs in (for typos) only when many words are shared,
            # and only so often per file.
            if _WORDS_WORTH_DIFFING <= similarity < DUPLICATE_SIMILARITY and diffs_left > 0:
                diffs_left -= 1
                similarity = max(similarity, text.text_ratio(other))
            same_agency = row.agency_ref is not None and event.agency == row.agency_ref
            if similarity >= DUPLICATE_SIMILARITY and (
                best is None or (similarity, same_agency) > best[:2]
            ):
                best = (similarity, same_agency, event)
        if best is not None:
            similarity, same_agency, event = best
            whose = "same agency" if same_agency else "another agency"
            reason = (
                f"Same day ({row.when.display()}), {whose} and "
                f"{similarity:.0%} similar text to {event.ref}."
            )
            found.append(Duplicate(row.number, event.ref, reason))
    return found


def build_preview(
    table: RawTable,
    context: ImportContext,
    *,
    chosen: dict[str, str | None] | None = None,
    fixes: dict[int, RowFix] | None = None,
    left_out: Iterable[int] = (),
) -> ImportPreview:
    """Check every row of ``table`` against the review described by ``context``.

    Takes the ``RawTable`` from ``read_table``, the ``ImportContext``, the user's ``chosen``
    column fields (see ``map_columns``), ``fixes`` typed into the preview by row number, and
    the row numbers the user ``left_out``. Returns the ``ImportPreview``: valid rows as they
    will be stored (in the order to store them), one ``RowError`` per problem (bad date, empty
    description, unknown appraisal or KPE, a ref that is malformed, used in the review or
    repeated in the file, merged cells), the column mapping, unknown agencies and people,
    people linked from the text, and likely duplicates of existing events. When a required
    column is missing no row is checked; ``mapping.missing`` says which. Raises ``ValueError``
    for a chosen field that does not exist, nothing for bad content.
    """
    mapping = map_columns(
        table.headers, has_default_agency=context.default_agency is not None, chosen=chosen
    )
    preview = _Preview(
        context,
        table.headers,
        {name: i for i, name in mapping.fields.items()},
        fixes=dict(fixes or {}),
        matcher=PeopleMatcher(context.register) if context.register else None,
    )
    skipped = set(left_out)
    if not mapping.missing:
        for row in table.rows:
            if row.number in skipped:
                continue
            if row.problem is not None:
                preview.errors.append(RowError(row.number, None, row.problem))
            else:
                preview.add(row)
    rows, descending = _with_order(preview.rows)
    return ImportPreview(
        rows=rows,
        errors=preview.errors,
        mapping=mapping,
        unknown_agencies=list(preview.unknown_agencies.values()),
        unknown_people=list(preview.unknown_people.values()),
        duplicates=_find_duplicates(rows, context.existing_events),
        row_count=len(table.rows),
        warnings=list(table.warnings),
        linked_people=preview.linked_people,
        ambiguous_people=preview.ambiguous_people,
        descending=descending,
        left_out=sorted(skipped & {row.number for row in table.rows}),
    )


def _with_order(rows: Sequence[ImportRow]) -> tuple[list[ImportRow], bool]:
    """The rows, each with its ``order`` within a day (its Sequence, else its place in the
    file, reversed when the file is written newest first); and whether it is."""
    starts = [row.when.sort_key()[0] for row in rows]
    pairs = list(itertools.pairwise(starts))
    descending = sum(b < a for a, b in pairs) > sum(b > a for a, b in pairs)
    count = len(rows)
    placed = [
        replace(row, order=row.order or (count - index if descending else index + 1))
        for index, row in enumerate(rows)
    ]
    return placed, descending


# --- Templates and exports ------------------------------------------------------------------


def neutralise(value: str) -> str:
    """``value`` with a leading apostrophe if a spreadsheet could run it as a formula.

    Follows OWASP's CSV-injection advice: text starting with ``= + - @``, a tab or a carriage
    return is prefixed with ``'``. Takes and returns a string; raises nothing.
    """
    return f"'{value}" if value.startswith(_FORMULA_TRIGGERS) else value


def export_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file of ``header`` and ``rows``, every cell neutralised against formulas.

    Returns UTF-8 bytes with a BOM, so Excel reads the characters right. Raises nothing.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for cells in (header, *rows):
        writer.writerow([neutralise(str(cell)) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell_text(value: str) -> str:
    # openpyxl refuses control characters that XML 1.0 cannot carry.
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _workbook(header: Sequence[str], rows: Iterable[Sequence[str]]) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    for cells in (header, *rows):
        worksheet.append([_xlsx_cell_text(neutralise(str(cell))) for cell in cells])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    return workbook


def _saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """An Excel workbook of ``header`` (bold) and ``rows``, every cell neutralised.

    Cells are written as text, never as formulas. Returns the .xlsx bytes. Raises nothing.
    """
    return _saved(_workbook(header, rows))


def _example_row(agencies: Sequence[str]) -> list[str]:
    example = {
        "date": "14/01/2011",
        "date_precision": "day",
        "agency": agencies[0] if agencies else "Example Agency",
        "description": f"{EXAMPLE_MARKER} Health visitor saw Child A at home; weight recorded.",
        "source": "agency_record",
        "source_detail": "HV1 diary",
        "people": "Child A",
        "appraisal": "not_appraised",
    }
    return [example.get(name, "") for name in COLUMNS]


def template_bytes(kind: str, agencies: list[str]) -> bytes:
    """A blank chronology for agencies to fill in: the columns and one example row.

    Takes ``kind`` (``"csv"``, ``"xlsx"`` or ``"docx"``) and the review's agency names (the
    workbook offers them, the sources, appraisals and precisions as drop-down lists; the
    document lists them). Returns the file's bytes. Raises ``ValueError`` for another kind.
    """
    if kind == "csv":
        return export_csv(COLUMNS, [_example_row(agencies)])
    if kind == "xlsx":
        return _xlsx_template(agencies)
    if kind == "docx":
        return _docx_template(agencies)
    raise ValueError(f"unknown template kind {kind!r}: use csv, xlsx or docx")


def _xlsx_template(agencies: Sequence[str]) -> bytes:
    workbook = _workbook(COLUMNS, [_example_row(agencies)])
    chronology = workbook.active
    chronology.title = "Chronology"
    lists = workbook.create_sheet("Lists")
    lists.sheet_state = "hidden"
    choices = {
        "agency": [_xlsx_cell_text(name) for name in agencies],
        "source": list(SOURCE_KINDS),
        "appraisal": list(APPRAISALS),
        "date_precision": list(PRECISIONS),
    }
    for list_column, (name, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(list_column)
        lists.cell(row=1, column=list_column, value=name)
        for row, value in enumerate(values, start=2):
            # Names are data, never formulas, whatever they start with.
            cell = lists.cell(row=row, column=list_column, value=value)
            cell.data_type = "s"
        if values:
            target = get_column_letter(COLUMNS.index(name) + 1)
            validation = DataValidation(
                type="list",
                formula1=f"Lists!${letter}$2:${letter}${len(values) + 1}",  # no "=" in OOXML
                allow_blank=True,
                showErrorMessage=name != "agency",  # a new agency may still be typed
            )
            validation.add(f"{target}2:{target}{MAX_DATA_ROWS + 1}")
            chronology.add_data_validation(validation)
    for index, name in enumerate(COLUMNS, start=1):
        width = 60 if name == "description" else 18
        chronology.column_dimensions[get_column_letter(index)].width = width
    return _saved(workbook)


def _docx_template(agencies: Sequence[str]) -> bytes:
    document = docx.Document()
    document.add_heading("Chronology for a learning review", level=1)
    document.add_paragraph(
        "One row per entry. Dates day first (14/01/2011, Jan 2011, c. 2007). Replace the "
        "example row, keep the first row's column names, and do not merge cells."
    )
    if agencies:
        document.add_paragraph("Agencies in this review: " + "; ".join(agencies) + ".")
    table = document.add_table(rows=2, cols=len(COLUMNS))
    table.style = "Table Grid"
    for row, values in zip(table.rows, (COLUMNS, _example_row(agencies)), strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
