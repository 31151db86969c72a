"""Reading uploaded chronology files (CSV, XLSX or a Word table).

``read_table`` turns the bytes of an uploaded file into rows of cells, refusing files that are
too big, carry macros, are encrypted or malformed, or try zip-bomb or XML-entity tricks.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as safe_xml  # type: ignore[import-untyped]
import docx
import openpyxl  # type: ignore[import-untyped]
from docx.opc.exceptions import PackageNotFoundError
from docx.table import _Cell, _Row
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from analysis.chronology.importing.model import (
    HEADER_SEARCH_ROWS,
    MAX_COMPRESSION_RATIO,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    ImportRefusedError,
    RawRow,
    RawTable,
    RowError,
)
from analysis.chronology.importing.preview import _text, map_columns

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_SUFFIXES = frozenset({".xlsm", ".xltm", ".xlam", ".docm", ".dotm"})
_OLD_SUFFIXES = frozenset({".xls", ".doc"})


# What a broken workbook or document makes the readers raise; all mean "malformed file".
_MALFORMED = (
    zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, LookupError, ValueError,
    TypeError, AttributeError, OSError, SyntaxError, InvalidFileException, PackageNotFoundError,
)  # fmt: skip


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
