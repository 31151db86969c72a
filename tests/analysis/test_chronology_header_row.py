"""Agencies put a title above their chronology's column names: the row naming the columns is
found within the first rows of a Word table, a workbook or a CSV file (all data fictional)."""

from __future__ import annotations

import io

import docx
import openpyxl  # type: ignore[import-untyped]

from analysis.chronology.importing import read_table


def _docx_with_merged_title() -> bytes:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    title = table.rows[0].cells[0].merge(table.rows[0].cells[2])
    title.text = "Eastmere Early Help: chronology for Child T (fictional)"
    for cell, text in zip(table.rows[1].cells, ("Date", "Worker", "Event"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[2].cells, ("02/02/2024", "EH1", "Visit"), strict=True):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx_with_title_rows() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Eastmere Homes: tenancy chronology (fictional)"])
    sheet.append([])
    sheet.append(["Date", "Officer", "Details"])
    sheet.append(["14/03/2024", "HO2", "Rent arrears letter sent"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_word_table_under_a_merged_title_row_is_read() -> None:
    table = read_table("early-help.docx", _docx_with_merged_title())
    assert table.headers == ["Date", "Worker", "Event"]
    assert [row.number for row in table.rows] == [3]
    assert table.rows[0].cells[2] == "Visit" and table.rows[0].problem is None


def test_a_workbook_with_a_title_above_the_header_is_read() -> None:
    table = read_table("homes.xlsx", _xlsx_with_title_rows())
    assert table.headers == ["Date", "Officer", "Details"]
    assert [row.number for row in table.rows] == [4]
    assert [(e.number, e.message) for e in table.warnings] == [
        (1, "Above the row naming the columns: skipped.")
    ]


def test_a_csv_whose_first_row_names_the_columns_is_read_as_before() -> None:
    table = read_table("p.csv", b"Date,Details\n01/01/2024,Call\n")
    assert table.headers == ["Date", "Details"] and len(table.rows) == 1
    assert table.warnings == []
