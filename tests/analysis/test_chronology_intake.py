"""Chronologies as agencies write them: Chronolator's date forms and columns, times of day,
the agency's own Source labels, people named in the text, rows fixed in the preview."""

from __future__ import annotations

from datetime import time

import pytest

from analysis.chronology.dates import DateParseError, When, day_first, parse_cell, parse_when
from analysis.chronology.importing import (
    ImportContext,
    RawRow,
    RawTable,
    RowFix,
    build_preview,
    fold,
    guess_field,
    map_columns,
)
from analysis.chronology.people import PeopleMatcher, RegisterEntry

REGISTER = (
    RegisterEntry("P1", "Child T", ("Child T", "P1", "Tamsin Holt", "Tam")),
    RegisterEntry("P2", "Mother", ("Mother", "P2", "Kerry Holt")),
    RegisterEntry("P3", "Police officer 1", ("Police officer 1", "P3", "Gemma Reid")),
)


@pytest.mark.parametrize(
    ("text", "latest_year", "expected"),
    [
        ("?/03/2024", None, When("2024-03", "month")),
        ("??/03/2024", None, When("2024-03", "month")),
        ("03/2024", None, When("2024-03", "month")),
        ("Mar 2024", None, When("2024-03", "month")),
        ("22.05.16", 2024, When("2016-05-22", "day")),
        ("22-may-16", 2024, When("2016-05-22", "day")),
        ("22/05/16", 2024, When("2016-05-22", "day")),
        ("22.05/16", 2024, When("2016-05-22", "day")),
        ("22/05/24", 2024, When("2024-05-22", "day")),
        ("22/05/25", 2024, When("1925-05-22", "day")),  # within the hundred years up to 2024
        ("?/03/98", 2024, When("1998-03", "month")),
    ],
)
def test_chronolator_date_forms(text: str, latest_year: int | None, expected: When) -> None:
    assert parse_when(text, latest_year=latest_year) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("22:15", When("2024-01-21T22:15", "exact")),
        ("22.15", When("2024-01-21T22:15", "exact")),
        ("2215", When("2024-01-21T22:15", "exact")),
        ("10:15pm", When("2024-01-21T22:15", "exact")),
        ("10pm", When("2024-01-21T22:00", "exact")),
        ("?22:15", When("2024-01-21T22:15", "approximate")),
        (time(22, 15), When("2024-01-21T22:15", "exact")),
        ("", When("2024-01-21", "day")),
    ],
)
def test_a_time_column_joins_the_date(written: object, expected: When) -> None:
    assert parse_cell("21/01/2024", time_value=written) == expected


def test_an_end_time_alone_ends_the_same_day() -> None:
    when = parse_cell("21/01/2024", time_value="22:15", end_time_value="23:40")
    assert when == When("2024-01-21T22:15", "exact", "2024-01-21T23:40")


@pytest.mark.parametrize(
    ("text", "kwargs", "quoted", "suggestion"),
    [
        ("14 Janaury 2011", {}, "'14 Janaury 2011'", "did you mean '14 Jan 2011'"),
        ("01/31/2011", {}, "'01/31/2011'", "write 31/01/2011"),
        ("?/13/2024", {}, "'?/13/2024'", "months run from 1 to 12"),
        ("22/05/16", {}, "'22/05/16'", "write all four digits"),
        ("Mar 2024", {"time_text": "22:15"}, "'Mar 2024'", "give the day"),
    ],
)
def test_messages_quote_the_cell_as_written_and_suggest(
    text: str, kwargs: dict[str, str], quoted: str, suggestion: str
) -> None:
    with pytest.raises(DateParseError) as raised:
        parse_when(text, **kwargs)
    assert quoted in str(raised.value) and suggestion in str(raised.value)


def test_edit_forms_show_dates_day_first() -> None:
    assert [day_first(d) for d in ("2023-10-16", "2024-02-02T16:20", "2022-09", "2022")] == [
        "16/10/2023",
        "02/02/2024 16:20",
        "Sep 2022",
        "2022",
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Time", "time"), ("Action/Outcome", "outcome"), ("Outcome", "outcome"),
        ("Decision", "outcome"), ("Plan", "outcome"), ("Narrative", "description"),
        ("Details", "description"), ("Incident details", "description"),
        ("Contact date", "date"), ("Worker", "source_detail"), ("Officer", "source_detail"),
        ("Practitioner", "source_detail"), ("Team", "source_detail"),
        ("Service", "source_detail"), ("Start Date", "date"), ("Start Time", "time"),
        ("End Date", "end_date"), ("End Time", "end_time"), ("Event Ref", "sequence"),
        ("Sequence", "sequence"), ("Source of Information", "source_detail"),
        ("Worker's mood", None),
    ],
)  # fmt: skip
def test_wide_aliases(header: str, field: str | None) -> None:
    assert guess_field(header) == field


def test_the_users_mapping_wins_and_a_repeated_field_is_left_out() -> None:
    mapping = map_columns(
        ["Date", "Clinical narrative", "Plan"],
        has_default_agency=True,
        chosen={"Clinical narrative": "description", "Plan": None},
    )
    assert mapping.columns == [
        ("Date", "date"),
        ("Clinical narrative", "description"),
        ("Plan", None),
    ]
    assert mapping.missing == []
    twice = map_columns(["Date", "Event", "Details"], has_default_agency=True)
    assert twice.columns[2] == ("Details", None) and twice.repeated == ["Details"]
    with pytest.raises(ValueError, match="no field 'mood'"):
        map_columns(["Date"], chosen={"Date": "mood"})


def table(headers: list[str], *rows: list[object]) -> RawTable:
    return RawTable(headers, [RawRow(n, list(r)) for n, r in enumerate(rows, start=2)])


CONTEXT = ImportContext(
    default_agency="Northshire Children's Social Care",
    agencies={fold("Northshire Children's Social Care"): "CSC"},
    register=REGISTER,
    latest_year=2024,
)


def test_an_agency_source_label_is_kept_as_the_detail_never_an_error() -> None:
    preview = build_preview(
        table(
            ["Date", "Source", "Event", "Team"],
            ["02/02/2024", "MASH", "Referral.", ""],
            ["03/02/2024", "Early Help", "Visit.", "Family support"],
            ["04/02/2024", "Child's voice", "Spoke alone.", ""],
        ),
        CONTEXT,
    )
    assert preview.errors == []
    assert [(r.source, r.source_detail) for r in preview.rows] == [
        ("agency_record", "MASH"),
        ("agency_record", "Early Help \u00b7 Family support"),
        ("childs_voice", None),
    ]


def test_people_named_in_the_text_are_linked_and_shared_surnames_ask() -> None:
    preview = build_preview(
        table(
            ["Date", "Event", "Outcome"],
            ["21/01/2024", "PC Gemma Reid spoke to kerry holt.", "Advice given."],
            ["22/01/2024", "Ms Holt rang; Tam was at school.", "Logged."],
            ["23/01/2024", "Seen by PC Sam Other.", "Reported to P3."],
        ),
        CONTEXT,
    )
    first, second, third = preview.rows
    assert first.people == ["P3", "P2"]
    assert second.people == ["P1"] and second.ambiguous_people == ["Holt"]
    assert third.people == ["P3"] and third.unknown_people == ["PC Sam Other"]
    assert preview.linked_people == {"P3": 2, "P2": 1, "P1": 1}
    assert preview.ambiguous_people == {"Holt": ["P1", "P2"]}


def test_a_register_matcher_ignores_everyday_words_and_pseudonym_words() -> None:
    register = (*REGISTER, RegisterEntry("P4", "Aunt", ("Aunt", "P4", "May Will")))
    found = PeopleMatcher(register).find("The police may call; we will see. Mother agreed.")
    assert found.refs == ["P2"]


def test_rows_fixed_in_place_or_left_out_are_read_again() -> None:
    raw = table(
        ["Date", "Event"],
        ["?/03/2024", "Month only."],
        ["31/02/2024", "Impossible."],
        ["01/31/2024", "US order."],
    )
    preview = build_preview(raw, CONTEXT)
    assert [e.number for e in preview.errors] == [3, 4]
    fixed = build_preview(
        raw, CONTEXT, fixes={3: RowFix(date="29/02/2024", description="Fixed.")}, left_out=[4]
    )
    assert fixed.errors == [] and fixed.left_out == [4]
    assert [(r.when.date, r.description) for r in fixed.rows] == [
        ("2024-03", "Month only."),
        ("2024-02-29", "Fixed."),
    ]


def test_a_descending_file_is_stored_oldest_first_and_sequence_orders_a_day() -> None:
    preview = build_preview(
        table(
            ["Date", "Event"],
            ["03/02/2024", "Third."],
            ["02/02/2024", "Second (later that day)."],
            ["02/02/2024", "Second (earlier that day)."],
            ["01/02/2024", "First."],
        ),
        CONTEXT,
    )
    assert preview.descending
    stored = sorted(preview.rows, key=lambda r: (*r.when.sort_key()[:2], r.order))
    assert [r.description[:6] for r in stored] == ["First.", "Second", "Second", "Third."]
    assert stored[1].description == "Second (earlier that day)."
    sequenced = build_preview(
        table(["Date", "Event", "Event Ref"], ["02/02/2024", "B", "2"], ["02/02/2024", "A", "1"]),
        CONTEXT,
    )
    ordered = sorted(sequenced.rows, key=lambda r: (*r.when.sort_key()[:2], r.order))
    assert [r.description for r in ordered] == ["A", "B"]


def test_the_preview_finds_the_same_happening_recorded_by_another_agency() -> None:
    from analysis.chronology.importing.model import ExistingEvent

    existing = (
        ExistingEvent(
            "E7", When("2024-01-21T22:15", "exact"), "POL", "Child T taken to the ED by police."
        ),
    )
    context = ImportContext(
        default_agency="Northshire Children's Social Care",
        agencies=CONTEXT.agencies,
        existing_events=existing,
    )
    preview = build_preview(
        table(["Date", "Event"], ["21/01/2024", "Child T taken to the ED by police"]), context
    )
    assert [(d.number, d.event_ref) for d in preview.duplicates] == [(2, "E7")]
    assert "another agency" in preview.duplicates[0].reason
