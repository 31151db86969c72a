"""Templates and exports.

``template_bytes`` makes the blank file sent to agencies; ``export_csv`` and ``export_xlsx``
write tables whose cells cannot run as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import docx
import openpyxl  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from analysis.chronology.dates.when import PRECISIONS
from analysis.chronology.importing.model import APPRAISALS, COLUMNS, EXAMPLE_MARKER, MAX_DATA_ROWS
from analysis.taxonomy import SOURCE_KINDS

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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
