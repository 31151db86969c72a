"""Agency chronology files: CSV, XLSX and Word tables read into a preview; hostile files refused.

Every file here is built in memory; every name, agency and event is fictional.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime

import docx
import openpyxl  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.chronology.dates.when import When
from analysis.chronology.importing import (
    COLUMNS,
    MAX_DATA_ROWS,
    ExistingEvent,
    ImportContext,
    ImportPreview,
    ImportRefusedError,
    RawTable,
    build_preview,
    export_csv,
    export_xlsx,
    fold,
    map_columns,
    neutralise,
    read_table,
    template_bytes,
)

CONTEXT = ImportContext(
    agencies={fold("Northshire Police"): "AG-POL", fold("Northshire Health Visiting"): "AG-HV"},
    people={fold("Child A"): "P1", fold("Mother"): "P2", fold("P3"): "P3"},
    kpes={fold("Missed health review"): "KPE1", fold("KPE1"): "KPE1"},
    used_refs=frozenset({"E1", "KPE1"}),
)
HEADER = ["date", "agency", "description", "source", "people", "appraisal", "kpe", "ref"]
GOOD_ROWS = [
    ["14/01/2011", "Northshire Police", "Call to the home; Mother reported a fall.",
     "", "", "", "", ""],
    ["Jan 2011", "Northshire Health Visiting", "Health review not held.", "agency record",
     "Child A; Mother", "missed opportunity", "Missed health review", "HV-7"],
    ["c. 2007", "", "Child A's older sibling born.", "Family account", "Child A; Uncle B",
     "", "", ""],
    ["2011-02-03 09:30", "Northshire Housing", "Tenancy warning letter.", "document", "", "neutral",
     "", "H-1"],
]  # fmt: skip


def csv_bytes(
    rows: Sequence[Sequence[str]], delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes(*tables: Sequence[Sequence[str]]) -> bytes:
    document = docx.Document()
    for rows in tables:
        document.add_paragraph("A table follows.")
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezipped(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The same zip with each member passed through ``change(name, content)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)), 8)
    return out.getvalue()


def preview_of(filename: str, data: bytes, context: ImportContext = CONTEXT) -> ImportPreview:
    return build_preview(read_table(filename, data), context)


# --- CSV ------------------------------------------------------------------------------------


def test_a_good_csv_becomes_rows_as_they_will_be_stored() -> None:
    preview = preview_of("police.csv", csv_bytes([HEADER, *GOOD_ROWS]))
    assert preview.errors == [] and preview.warnings == []
    assert preview.row_count == 4
    assert [row.number for row in preview.rows] == [2, 3, 4, 5]
    call, review, birth, letter = preview.rows
    assert (call.when, call.agency_ref, call.source, call.appraisal) == (
        When("2011-01-14", "day"),
        "AG-POL",
        "agency_record",
        "not_appraised",
    )
    assert (review.ref, review.people, review.appraisal, review.kpe) == (
        "HV-7",
        ["P1", "P2"],
        "problematic",
        "KPE1",
    )
    assert (birth.agency_name, birth.agency_ref, birth.source) == (None, None, "family_account")
    assert birth.unknown_people == ["Uncle B"] and birth.when.display() == "c. 2007"
    assert (letter.agency_name, letter.agency_ref) == ("Northshire Housing", None)
    assert letter.when.precision == "exact"
    assert preview.unknown_agencies == ["Northshire Housing"]
    assert preview.unknown_people == ["Uncle B"]


def test_aliases_and_loose_header_spelling_are_understood() -> None:
    headers = ["Event Date", "Date precision", "Until", "Organisation", "What happened",
               "Source kind", "Source of information", "Persons", "Appraisal", "KPE",
               "ID", "Time of contact", "Action/Outcome"]  # fmt: skip
    mapping = map_columns(headers)
    assert list(mapping.fields.values()) == list(COLUMNS)
    assert mapping.unknown == [] and mapping.missing == []
    for alias, field in [("Date/Time", "date"), ("when", "date"), ("Source agency", "agency"),
                         ("organization", "agency"), ("DETAILS", "description"), ("to", "end_date"),
                         ("involved", "people"), ("date_precision", "date_precision"),
                         ("Date (dd/mm/yyyy)", "date"), ("Ref [optional]", "ref")]:  # fmt: skip
        assert map_columns([alias]).fields == {0: field}


def test_unknown_and_missing_columns_are_reported() -> None:
    rows = [
        ["Date", "Description", "Worker's mood", "Agency"],
        ["14/01/2011", "Visit.", "fine", ""],
    ]
    preview = preview_of("x.csv", csv_bytes(rows))
    assert preview.mapping.unknown == ["Worker's mood"]
    assert preview.rows[0].description == "Visit."
    missing = preview_of("x.csv", csv_bytes([["Date", "Notes"], ["2011", "x"]]))
    assert missing.mapping.missing == ["agency", "description"] and missing.rows == []
    assert map_columns(["date", "description"], has_default_agency=True).missing == []


def test_a_default_agency_names_the_agency_of_every_row() -> None:
    rows = [["date", "description"], ["14/01/2011", "Visit."]]
    context = ImportContext(default_agency="Northshire police", agencies=CONTEXT.agencies)
    preview = preview_of("x.csv", csv_bytes(rows), context)
    assert (preview.rows[0].agency_name, preview.rows[0].agency_ref) == (
        "Northshire police",
        "AG-POL",
    )


def test_one_bad_row_is_an_error_for_that_row_only() -> None:
    us_date = ["01/31/2011", "Northshire Police", "Visit.", "", "", "", "", ""]
    rows = [HEADER, *GOOD_ROWS[:2], us_date, GOOD_ROWS[2]]
    preview = preview_of("x.csv", csv_bytes(rows))
    assert [(e.number, e.column) for e in preview.errors] == [(4, "date")]
    assert "day first" in preview.errors[0].message
    assert [row.number for row in preview.rows] == [2, 3, 5]
    assert preview.row_count == 4


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"date": "31/02/2011"}, "date", "not a real date"),
        ({"date": "14/01/11"}, "date", "two-digit year"),
        ({"description": "  "}, "description", "empty"),
        ({"appraisal": "dreadful"}, "appraisal", "Unknown appraisal"),
        ({"kpe": "No such episode"}, "kpe", "No key practice episode"),
        ({"ref": "E1"}, "ref", "already used"),
        ({"ref": "has space"}, "ref", "may only use"),
        ({"ref": "x" * 65}, "ref", "may only use"),
    ],
)
def test_row_errors_name_the_column_and_reason(
    cells: dict[str, str], column: str, reason: str
) -> None:
    row = dict(zip(HEADER, GOOD_ROWS[0], strict=True)) | cells
    preview = preview_of("x.csv", csv_bytes([HEADER, list(row.values())]))
    assert [(e.number, e.column) for e in preview.errors] == [(2, column)]
    assert reason in preview.errors[0].message
    assert preview.rows == []


def test_a_ref_twice_in_the_file_is_an_error_on_the_second() -> None:
    first = [*GOOD_ROWS[0][:-1], "R-1"]
    preview = preview_of("x.csv", csv_bytes([HEADER, first, first]))
    assert [(e.number, e.column) for e in preview.errors] == [(3, "ref")]
    assert "row 2" in preview.errors[0].message


def test_windows_1252_csv_is_converted() -> None:
    note = "Paid £20 for \u201cemergency\u201d food \u2013 Mother\u2019s note"
    rows = [["date", "agency", "description"], ["14/01/2011", "Café Northshire", note]]
    data = csv_bytes(rows, encoding="cp1252")
    assert b"Caf\xe9" in data and b"\x93emergency\x94" in data
    preview = preview_of("x.csv", data)
    assert preview.rows[0].agency_name == "Café Northshire"
    assert preview.rows[0].description == note


def test_a_byte_order_mark_is_not_part_of_the_first_header() -> None:
    table = read_table("x.csv", b"\xef\xbb\xbf" + csv_bytes([HEADER, GOOD_ROWS[0]]))
    assert table.headers[0] == "date"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolons_and_tabs_are_sniffed(delimiter: str) -> None:
    preview = preview_of("x.csv", csv_bytes([HEADER, *GOOD_ROWS], delimiter=delimiter))
    assert len(preview.rows) == 4 and preview.errors == []


def test_formula_text_in_a_csv_is_stored_as_typed() -> None:
    rows = [HEADER, ["14/01/2011", "", "=SUM(A1)", "", "", "", "", ""],
            ["15/01/2011", "", "- a Markdown bullet", "", "", "", "", ""],
            ["16/01/2011", "", "@mention +1 -5", "", "", "", "", ""]]  # fmt: skip
    preview = preview_of("x.csv", csv_bytes(rows))
    assert [row.description for row in preview.rows] == [
        "=SUM(A1)",
        "- a Markdown bullet",
        "@mention +1 -5",
    ]


def test_empty_rows_are_skipped_with_a_warning_and_extra_cells_noted() -> None:
    rows = [["date", "agency", "description"], ["2011", "", "One."], ["", "", ""],
            ["2012", "", "Two.", "stray"], ["", "", ""]]  # fmt: skip
    preview = preview_of("x.csv", csv_bytes(rows))
    assert [row.number for row in preview.rows] == [2, 4]
    assert [(w.number, w.message[:5]) for w in preview.warnings] == [(3, "Empty"), (4, "Cells")]


def test_likely_duplicates_of_existing_events_are_listed() -> None:
    day = When("2011-01-14", "day")
    existing = (
        ExistingEvent("E1", day, "AG-POL", "Call to the home: Mother reported a fall"),
        ExistingEvent("E2", day, "AG-HV", "Call to the home; Mother reported a fall."),
        ExistingEvent("E3", day, "AG-POL", "School attendance letter sent."),
        ExistingEvent("E4", When("2011-01", "month"), "AG-POL", "Call to the home."),
    )
    context = ImportContext(agencies=CONTEXT.agencies, existing_events=existing)
    preview = preview_of("x.csv", csv_bytes([HEADER, GOOD_ROWS[0]]), context)
    assert [(d.number, d.event_ref) for d in preview.duplicates] == [(2, "E1")]
    assert "Same day (14 Jan 2011)" in preview.duplicates[0].reason
    assert "100% similar" in preview.duplicates[0].reason


def test_duplicates_survive_typos() -> None:
    typos = ExistingEvent(
        "E9", When("2011-01-14", "day"), "AG-POL", "Call to teh home; Mothr reportd a fall."
    )
    context = ImportContext(agencies=CONTEXT.agencies, existing_events=(typos,))
    preview = preview_of("x.csv", csv_bytes([HEADER, GOOD_ROWS[0]]), context)
    assert [d.event_ref for d in preview.duplicates] == ["E9"]


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_dates_are_real_excel_dates() -> None:
    data = xlsx_bytes([["Date", "Agency", "Description", "End date"],
                       [datetime(2011, 1, 14), "Northshire Police", "Visit.", None],
                       [datetime(2011, 1, 14, 9, 30), "", "Call.", None],
                       [datetime(2011, 1, 1), "", "Stay.", datetime(2011, 3, 1)],
                       [2011, "", "Moved area.", None]])  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<v>40557</v>" in archive.read("xl/worksheets/sheet1.xml")  # a serial number
    preview = preview_of("x.xlsx", data)
    assert preview.errors == []
    assert [row.when for row in preview.rows] == [
        When("2011-01-14", "day"),
        When("2011-01-14T09:30", "exact"),
        When("2011-01-01", "day", "2011-03-01"),
        When("2011", "year"),
    ]


def test_xlsx_formulas_are_read_as_cached_values_never_evaluated() -> None:
    data = xlsx_bytes([["date", "agency", "description"], ["2011", "", "=1+1"]])

    def add_cached_value(name: str, content: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return content
        cached = b'<c r="C2" t="str"><f>1+1</f><v>Cached: home visit</v></c>'
        return content.replace(b'<c r="C2"><f>1+1</f><v></v></c>', cached)

    preview = preview_of("x.xlsx", rezipped(data, add_cached_value))
    assert preview.rows[0].description == "Cached: home visit"


def test_a_named_sheet_is_read_and_a_missing_one_refused() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Notes"])
    workbook.create_sheet("Hidden", 0).sheet_state = "hidden"
    workbook.create_sheet("Health").append(["date", "description"])
    workbook["Health"].append([2011, "Visit."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table("x.xlsx", buffer.getvalue(), sheet="Health").rows[0].cells == [2011, "Visit."]
    assert read_table("x.xlsx", buffer.getvalue()).headers == ["Notes"]  # first visible sheet
    with pytest.raises(ImportRefusedError, match="no sheet 'Police'"):
        read_table("x.xlsx", buffer.getvalue(), sheet="Police")


# --- DOCX -----------------------------------------------------------------------------------


def test_the_first_matching_word_table_is_read_past_an_unrelated_one() -> None:
    unrelated = [["Name", "Role"], ["Ms Example", "Author"]]
    chronology = [["Date", "Agency", "What happened"],
                  ["14/01/2011", "Northshire Police", "Call to the home."],
                  ["", "", ""],
                  ["2011", "", "Moved area."]]  # fmt: skip
    preview = preview_of("x.docx", docx_bytes(unrelated, chronology))
    assert [(row.number, row.description) for row in preview.rows] == [
        (2, "Call to the home."),
        (4, "Moved area."),
    ]
    assert [w.number for w in preview.warnings] == [3]


def test_merged_word_rows_are_row_errors() -> None:
    document = docx.Document()
    table = document.add_table(rows=5, cols=3)
    for row, values in zip(table.rows, [["Date", "Agency", "Description"], ["2011", "", "One."],
                                        ["", "", ""], ["2012", "", "Two."], ["2013", "", "Three."]],
                           strict=True):  # fmt: skip
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    table.cell(2, 0).merge(table.cell(2, 2)).text = "2012 (a heading row)"
    table.cell(3, 1).merge(table.cell(4, 1))
    buffer = io.BytesIO()
    document.save(buffer)
    preview = preview_of("x.docx", buffer.getvalue())
    assert [(e.number, e.message.split(" ")[0]) for e in preview.errors] == [(3, "Cells"), (5, "A")]
    assert [row.number for row in preview.rows] == [2, 4]


def test_a_document_without_a_chronology_table_is_refused() -> None:
    with pytest.raises(ImportRefusedError, match="No table"):
        read_table("x.docx", docx_bytes([["Name", "Role"], ["Ms Example", "Author"]]))


# --- Templates and exports ------------------------------------------------------------------

NEW_ROWS = [
    ["14/01/2011", "day", "", "Northshire Police", "Call to the home.", "agency_record", "Log 7",
     "Mother", "neutral", "", "T-1", "", ""],
    ["Jan 2011", "", "Mar 2011", "", "Stayed with grandparents.", "family_account", "", "Child A",
     "", "", "", "", ""],
]  # fmt: skip


def filled_in(kind: str, data: bytes) -> bytes:
    """The template as an agency returns it: example row replaced by real rows."""
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        return csv_bytes([rows[0], *NEW_ROWS])
    buffer = io.BytesIO()
    if kind == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        sheet = workbook["Chronology"]
        sheet.delete_rows(2)
        for row in NEW_ROWS:
            sheet.append(row)
        workbook.save(buffer)
    else:
        table = docx.Document(io.BytesIO(data))
        grid = table.tables[0]
        for row_cells, values in zip(
            [grid.rows[1].cells, grid.add_row().cells], NEW_ROWS, strict=True
        ):
            for cell, value in zip(row_cells, values, strict=True):
                cell.text = value
        table.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx", "docx"])
def test_templates_round_trip(kind: str) -> None:
    template = template_bytes(kind, ["Northshire Police", "Northshire Health Visiting"])
    blank = preview_of(f"t.{kind}", template)
    assert blank.mapping.unknown == [] and list(blank.mapping.fields.values()) == list(COLUMNS)
    assert [(e.number, e.column) for e in blank.errors] == [(2, "description")]  # the example
    preview = preview_of(f"t.{kind}", filled_in(kind, template))
    assert preview.errors == []
    assert [(row.when.display(), row.agency_ref, row.people, row.ref) for row in preview.rows] == [
        ("14 Jan 2011", "AG-POL", ["P2"], "T-1"),
        ("Jan\u2013Mar 2011", None, ["P1"], None),
    ]


def test_the_workbook_template_offers_drop_down_lists() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes("xlsx", ["Northshire Police"])))
    assert workbook.sheetnames == ["Chronology", "Lists"]
    assert workbook["Lists"].sheet_state == "hidden"
    ranges = {
        str(v.sqref): v.formula1 for v in workbook["Chronology"].data_validations.dataValidation
    }
    assert ranges["D2:D50001"] == "Lists!$A$2:$A$2"
    assert ranges["F2:F50001"].startswith("Lists!$B$2")


def test_unknown_template_kind() -> None:
    with pytest.raises(ValueError, match="unknown template kind"):
        template_bytes("pdf", [])


DANGEROUS = ['=HYPERLINK("http://example.invalid")', "+1", "-5", "@SUM(A1)", "\tx", "\rx", "safe"]


def test_neutralise_follows_owasp() -> None:
    assert [neutralise(value) for value in DANGEROUS] == [
        "'=HYPERLINK(\"http://example.invalid\")", "'+1", "'-5", "'@SUM(A1)", "'\tx", "'\rx",
        "safe",
    ]  # fmt: skip


def test_csv_export_neutralises_formulas_and_has_a_bom() -> None:
    data = export_csv(["=ref", "description"], [["E1", value] for value in DANGEROUS])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["'=ref", "description"]
    assert [row[1] for row in rows[1:]] == [neutralise(value) for value in DANGEROUS]


def test_xlsx_export_neutralises_formulas_and_writes_text() -> None:
    data = export_xlsx(["ref", "description"], [["E1", value] for value in DANGEROUS])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=n, column=2) for n in range(2, len(DANGEROUS) + 2)]
    assert [cell.value for cell in cells][:4] == [
        '\'=HYPERLINK("http://example.invalid")',
        "'+1",
        "'-5",
        "'@SUM(A1)",
    ]
    assert {cell.data_type for cell in cells} == {"s"}


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x.xlsm", "X.XLSM", "x.docm"])
def test_macro_enabled_files_are_refused(name: str) -> None:
    with pytest.raises(ImportRefusedError, match="macros"):
        read_table(name, xlsx_bytes([["date", "description"]]))


def test_a_workbook_declaring_macro_content_is_refused() -> None:
    def macro_type(name: str, content: bytes) -> bytes:
        if name != "[Content_Types].xml":
            return content
        return content.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")

    with pytest.raises(ImportRefusedError, match="macro"):
        read_table("x.xlsx", rezipped(xlsx_bytes([["date"]]), macro_type))


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_xml_entity_tricks_are_refused(kind: str) -> None:
    data = (
        xlsx_bytes([["date", "description"]]) if kind == "xlsx" else docx_bytes([["date", "event"]])
    )
    part = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "word/document.xml"
    doctype = b'<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'

    def with_doctype(name: str, content: bytes) -> bytes:
        if name != part:
            return content
        body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
        return b'<?xml version="1.0" encoding="UTF-8"?>' + doctype + body

    with pytest.raises(ImportRefusedError, match="DOCTYPE or entities"):
        read_table(f"x.{kind}", rezipped(data, with_doctype))


def zip_with(member: str, size: int, base: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", 8) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        with target.open(member, "w") as stream:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                stream.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_refused_on_its_total_size() -> None:
    bomb = zip_with("xl/media/padding.bin", 101 * 1024 * 1024, xlsx_bytes([["date"]]))
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ImportRefusedError, match="more than 100 MB"):
        read_table("x.xlsx", bomb)


def test_a_zip_bomb_is_refused_on_its_compression_ratio() -> None:
    bomb = zip_with("word/media/padding.bin", 20 * 1024 * 1024, docx_bytes([["date", "event"]]))
    with pytest.raises(ImportRefusedError, match="zip bomb"):
        read_table("x.docx", bomb)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("x.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password-protected"),
        ("x.xlsx", b"PK\x03\x04 not really a zip", "damaged"),
        ("x.xlsx", b"date,description\n2011,x\n", "damaged"),
        ("x.docx", xlsx_bytes([["date", "description"]]), "damaged"),
        ("x.xls", b"anything", "Old-style"),
        ("x.pdf", b"%PDF-1.4", "not read here"),
        ("x.csv", b"date,description\x00\n", "NUL"),
        ("x.csv", b"", "empty"),
        ("x.csv", b"\n\n  \n", "empty"),
        ("x.csv", b"\x81\x8d\x8f", "UTF-8 or Windows-1252"),
        ("x.csv", b'date,description\n2011,"' + b"x" * 200_000 + b'"\n', "malformed"),
        ("x.csv", b"x" * (10 * 1024 * 1024 + 1), "limit is 10 MB"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ImportRefusedError, match=reason):
        read_table(name, data)


def test_50000_rows_are_read_and_50001_refused() -> None:
    def rows(count: int) -> bytes:
        return b"date,description\n" + b"2011,Visit.\n" * count

    assert len(read_table("x.csv", rows(MAX_DATA_ROWS)).rows) == MAX_DATA_ROWS
    with pytest.raises(ImportRefusedError, match="more than 50,000 rows"):
        read_table("x.csv", rows(MAX_DATA_ROWS + 1))


@pytest.mark.parametrize("header", ["", "date,agency,description,people,ref,end_date\n"])
@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_any_text_is_previewed_or_refused_never_crashes(header: str, text: str) -> None:
    try:
        table = read_table("x.csv", (header + text).encode())
    except ImportRefusedError:
        return
    assert isinstance(table, RawTable)
    preview = build_preview(table, CONTEXT)
    assert preview.row_count == len(table.rows)
    assert len(preview.rows) + len({e.number for e in preview.errors}) <= preview.row_count


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes_named_csv_are_previewed_or_refused(data: bytes) -> None:
    with contextlib.suppress(ImportRefusedError):
        build_preview(read_table("x.csv", data), CONTEXT)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["", "2011", "14/01/2011", "=1", "x;y", "Mother", "E1", "\u00e9"]),
                 min_size=3, max_size=3),
        max_size=6,
    )
)  # fmt: skip
def test_csv_tables_with_the_real_header_never_crash(rows: list[list[str]]) -> None:
    preview = preview_of("x.csv", csv_bytes([["date", "agency", "description"], *rows]))
    assert preview.row_count == len(preview.rows) + len({e.number for e in preview.errors})


# Built once: the files carry a timestamp, and hypothesis needs the same bytes every time.
GOOD_FILES = {kind: template_bytes(kind, ["Northshire Police"]) for kind in ("xlsx", "docx")}


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_damaged_files_are_refused_never_crash(kind: str, data: st.DataObject) -> None:
    good = GOOD_FILES[kind]
    position = data.draw(st.integers(0, len(good) - 1))
    damaged = bytearray(good)
    damaged[position : position + 4] = data.draw(st.binary(min_size=4, max_size=4))
    with contextlib.suppress(ImportRefusedError):
        build_preview(read_table(f"x.{kind}", bytes(damaged)), CONTEXT)


def test_a_zip_of_an_unsupported_version_is_refused_not_a_crash() -> None:
    """Regression (found by the fuzz test): zipfile raises NotImplementedError for a zip whose
    central directory claims a version it cannot read; that is a damaged file, not a 500."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    data = bytearray(buffer.getvalue())
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 6] = 64  # "version needed to extract": 6.4
    with pytest.raises(ImportRefusedError, match="damaged"):
        read_table("broken.xlsx", bytes(data))
