"""Chronologies as agencies really send them: a social-care Word table with the team's own
Source names, a police CSV with Time/Officer/Outcome, a health workbook whose narrative column
needs one mapping change. Every name, agency and event here is fictional."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time
from typing import Any

import docx
import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlalchemy import select

from app.services.reviews import directory_agency
from models import AuditEntry, Event, EventVersion, Person, Review, ReviewAgency
from models.audit.chain import verify_chain
from tests.conftest import World, csrf_token
from tests.helpers import BUNDLE

SOCIAL_CARE = [
    ["Date", "Time", "Source", "Event", "Action/Outcome"],
    ["02/02/2024", "16:20", "MASH", "Referral from school: Tamsin had a bruise on her arm.",
     "Strategy discussion to be held."],
    ["05/02/2024", "10:00", "Strategy discussion", "Police and health agree a section 47 "
     "enquiry; Kerry Holt not told yet.", "Section 47 enquiry opened."],
    ["?/03/2024", "", "Early Help", "Family support worker visits; Kerry Holt engages well.",
     "Early Help plan agreed."],
    ["22.05.24", "?09:30", "Social Worker", "Home visit; Tam seen alone and spoke of her dog.",
     "No further action."],
]  # fmt: skip
POLICE = [
    ["Date", "Time", "Officer", "Incident details", "Outcome"],
    ["21/01/2024", "22:15", "PC Gemma Reid", "Call from a neighbour: shouting at the home. "
     "PC Gemma Reid spoke to Kerry Holt at the door.", "Words of advice; no crime."],
    ["22/01/2024", "01:20", "PC 4471", "Second call; Kerry Holt says her partner has left.",
     "DASH risk assessment: standard."],
]  # fmt: skip
HEALTH = [
    ["Contact date", "Time", "Practitioner", "Clinical narrative", "Plan"],
    [datetime(2024, 1, 30), time(11, 45), "Health visitor",
     "Tamsin weighed; Kerry Holt asks about sleep.", "Review in 4 weeks."],
    [datetime(2024, 2, 27), time(14, 5), "Health visitor",
     "Missed appointment; card left for Kerry Holt.", "Rebook; tell the GP."],
]  # fmt: skip


def docx_bytes(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    document.add_paragraph("Children's social care chronology (fictional).")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def register(db_session: Any, world: World) -> dict[str, str]:
    """Kerry Holt (Mother) and PC Gemma Reid join Child T (Tamsin, "Tam") in the register;
    social care and health join the police as agencies."""
    review = db_session.get(Review, world.review_id)
    for ref, name, sector in (("CSC", "Northshire Children's Social Care", "Social care"),
                              ("HV", "Northshire Health Visiting", "Health")):  # fmt: skip
        agency = directory_agency(db_session, review.partnership_id, name, sector)
        db_session.add(ReviewAgency(review_id=review.id, agency=agency, ref=ref))
    db_session.add_all(
        [
            Person(
                review_id=review.id,
                ref="P2",
                pseudonym="Mother",
                role="parent",
                real_name="Kerry Holt",
                aliases=[],
            ),
            Person(
                review_id=review.id,
                ref="P3",
                pseudonym="Police officer 1",
                role="practitioner",
                real_name="Gemma Reid",
                aliases=[],
            ),
        ]
    )
    db_session.commit()
    return {"Child T": "P1", "Mother": "P2", "Police officer 1": "P3"}


def upload(client: Any, headers: dict[str, str], review_id: int, name: str, data: bytes,
           agency: str) -> Any:  # fmt: skip
    return client.post(
        f"/api/v1/reviews/{review_id}/chronology-imports",
        data={"file": (io.BytesIO(data), name), "agency": agency},
        headers=headers,
        content_type="multipart/form-data",
    )


def imported_events(client: Any, headers: dict[str, str], review_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        f"/api/v1/reviews/{review_id}/events?per_page=200", headers=headers
    ).json["items"]
    return [item for item in items if item["ref"] != "E1"]


def test_the_three_shapes_import_whole_with_times_outcomes_and_people(
    client: Any, api: Any, world: World, register: dict[str, str]
) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}/chronology-imports"

    social = upload(client, headers, world.review_id, "csc.docx", docx_bytes(SOCIAL_CARE), "CSC")
    assert social.status_code == 201, social.json
    assert social.json["errors"] == []
    assert {c["header"]: c["field"] for c in social.json["columns"]} == {
        "Date": "date", "Time": "time", "Source": "source", "Event": "description",
        "Action/Outcome": "outcome",
    }  # fmt: skip
    assert sorted(social.json["linked_people"]) == ["P1", "P2"]

    police = upload(client, headers, world.review_id, "police.csv", csv_bytes(POLICE), "POL")
    assert police.status_code == 201 and police.json["errors"] == []
    assert police.json["linked_people"] == {"P3": 1, "P2": 2}

    health = upload(client, headers, world.review_id, "hv.xlsx", xlsx_bytes(HEALTH), "HV")
    assert health.status_code == 201
    assert [e["column"] for e in health.json["errors"]] == ["description"]  # missing column
    assert {"header": "Clinical narrative", "field": None} in health.json["columns"]
    remapped = client.patch(
        f"{base}/{health.json['id']}",
        json={"mapping": {"Clinical narrative": "description"}},
        headers=headers,
    )
    assert remapped.status_code == 200, remapped.json
    assert remapped.json["errors"] == []
    assert {"header": "Plan", "field": "outcome"} in remapped.json["columns"]

    for preview in (social, police, remapped):
        confirmed = client.post(f"{base}/{preview.json['id']}/confirm", headers=headers)
        assert confirmed.status_code == 200, confirmed.json

    events = {e["description"][:20]: e for e in imported_events(client, headers, world.review_id)}
    assert len(events) == 8
    by_date = {(e["date"], e["date_precision"]) for e in events.values()}
    assert {
        ("2024-02-02T16:20", "exact"),
        ("2024-03", "month"),
        ("2024-01-21T22:15", "exact"),
        ("2024-01-22T01:20", "exact"),
        ("2024-01-30T11:45", "exact"),
        ("2024-02-27T14:05", "exact"),
        ("2024-05-22T09:30", "approximate"),
    } <= by_date
    assert all(e["outcome"] for e in events.values())
    referral = events["Referral from school"]
    assert referral["outcome"] == "Strategy discussion to be held."
    assert referral["source"] == "agency_record" and referral["source_detail"] == "MASH"
    assert referral["people"] == ["P1"]
    call = next(e for e in events.values() if e["date"] == "2024-01-21T22:15")
    assert call["source_detail"] == "PC Gemma Reid" and set(call["people"]) == {"P2", "P3"}
    # Every register person each file names is linked.
    named = {"Kerry Holt": "P2", "Gemma Reid": "P3", "Tamsin": "P1", "Tam ": "P1"}
    for event in events.values():
        for name, ref in named.items():
            if name in event["description"]:
                assert ref in event.get("people", []), (name, event)


def test_a_file_imported_before_is_named_and_an_import_undone_and_restored(
    client: Any, api: Any, world: World, register: dict[str, str], db_session: Any
) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}/chronology-imports"
    data = csv_bytes(POLICE)
    first = upload(client, headers, world.review_id, "police.csv", data, "POL")
    assert first.json["earlier_import"] is None
    client.post(f"{base}/{first.json['id']}/confirm", headers=headers)
    again = upload(client, headers, world.review_id, "police-again.csv", data, "POL")
    assert again.status_code == 201
    assert again.json["earlier_import"]["id"] == first.json["id"]
    assert again.json["earlier_import"]["filename"] == "police.csv"

    undone = client.delete(f"{base}/{first.json['id']}", headers=headers)
    assert undone.status_code == 200 and undone.json["removed"] == 2
    assert imported_events(client, headers, world.review_id) == []
    assert client.delete(f"{base}/{first.json['id']}", headers=headers).status_code == 422
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "undo_chronology_import")
    ).one()
    assert len(entry.after["events_removed"]) == 2
    # Undone, the file is no longer "already imported".
    third = upload(client, headers, world.review_id, "police.csv", data, "POL")
    assert third.json["earlier_import"] is None
    deleted = db_session.scalars(select(Event).where(Event.import_id == first.json["id"])).all()
    assert all(event.deleted_at is not None for event in deleted)


def test_columns_rows_and_undo_in_the_browser_pages(
    client: Any, login: Any, world: World, register: dict[str, str], db_session: Any
) -> None:
    login("panel_member")
    base = f"/reviews/{world.review_id}/chronology"
    token = csrf_token(client, "/account")
    rows = [*HEALTH[:1], ["31/02/2024", "", "HV", "Impossible date row.", ""], *HEALTH[1:]]
    uploaded = client.post(
        f"{base}/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(xlsx_bytes(rows)), "hv.xlsx"),
            "agency": "Northshire Health Visiting",
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    preview_url = uploaded.location
    page = client.get(preview_url).get_data(as_text=True)
    assert 'id="column-3"' in page and "Leave this column out" in page
    # One mapping change, remembered for the agency.
    changed = client.post(
        preview_url + "/columns",
        data={"csrf_token": token, "column-3": "description", "remember": "1"},
    )
    assert changed.status_code == 302
    page = client.get(preview_url).get_data(as_text=True)
    assert "Row 2" in page and "&#39;31/02/2024&#39; is not a real date" in page
    assert 'value="31/02/2024"' in page  # the cell as written, to fix in place
    assert 'value="Northshire Health Visiting"' in page
    fixed = client.post(
        preview_url + "/rows",
        data={
            "csrf_token": token,
            "row": "2",
            "action": "fix",
            "date": "28/02/2024",
            "agency": "Northshire Health Visiting",
            "description": "Impossible date row.",
        },
    )
    assert fixed.status_code == 302
    page = client.get(preview_url).get_data(as_text=True)
    assert "Rows with problems" not in page and "28 Feb 2024" in page
    assert "Mother (2 entries)" in page  # who will be linked, by pseudonym
    client.post(
        preview_url + "/rows", data={"csrf_token": token, "row": "4", "action": "leave_out"}
    )
    page = client.get(preview_url).get_data(as_text=True)
    assert "Put row 4 back" in page
    confirmed = client.post(preview_url + "/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 302
    stored = db_session.scalars(select(Event).where(Event.import_id.is_not(None))).all()
    assert sorted(e.date for e in stored) == ["2024-01-30T11:45", "2024-02-28"]
    # Next time, the saved columns are offered.
    again = client.post(
        f"{base}/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(xlsx_bytes(HEALTH)), "hv2.xlsx"),
            "agency": "Northshire Health Visiting",
        },
        content_type="multipart/form-data",
    )
    page = client.get(again.location).get_data(as_text=True)
    assert "Using the columns saved for Northshire Health Visiting" in page
    assert "Rows with problems" not in page
    # Undo the first import, then restore it.
    import_id = int(preview_url.rsplit("/", 1)[1])
    listing = client.get(f"{base}/imports").get_data(as_text=True)
    assert "hv.xlsx" in listing and "Undo import" in listing
    client.post(f"{base}/imports/{import_id}/undo", data={"csrf_token": token})
    db_session.expire_all()
    assert all(e.deleted_at is not None for e in stored)
    assert "Restore" in client.get(f"{base}/imports").get_data(as_text=True)
    client.post(f"{base}/imports/{import_id}/restore", data={"csrf_token": token})
    db_session.expire_all()
    assert all(e.deleted_at is None for e in stored)


def test_a_first_format_bundle_still_imports_and_exports_as_1_1(client: Any, api: Any) -> None:

    headers = api("chair")
    old = {**BUNDLE, "format": "learning-review/1"}
    imported = client.post("/api/v1/reviews/import", json=old, headers=headers)
    assert imported.status_code == 201, imported.json
    exported = client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers).json
    assert exported == {**old, "format": "learning-review/1.1"}


def test_outcome_is_shown_searchable_exported_and_edited_day_first(
    client: Any, api: Any, login: Any, world: World
) -> None:
    headers = api("panel_member")
    created = client.post(
        f"/api/v1/reviews/{world.review_id}/events",
        json={
            "date": "2024-02-02T16:20",
            "date_precision": "exact",
            "description": "Referral from school.",
            "outcome": "Strategy discussion arranged.",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    assert created.json["outcome"] == "Strategy discussion arranged."
    login("panel_member")
    base = f"/reviews/{world.review_id}"
    table = client.get(f"{base}/chronology?q=strategy", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Referral from school." in table and "Strategy discussion arranged." in table
    assert "Police attend" not in table  # the search found the event by its outcome alone
    page = client.get(f"{base}/events/{created.json['ref']}").get_data(as_text=True)
    assert "Outcome" in page and "Strategy discussion arranged." in page
    exported = client.get(f"{base}/chronology.csv").get_data(as_text=True)
    assert "outcome" in exported.splitlines()[0] and "Strategy discussion arranged." in exported
    form = client.get(f"{base}/events/{created.json['ref']}/edit").get_data(as_text=True)
    assert 'value="02/02/2024 16:20"' in form


def test_approximate_dates_in_the_table_who_knew_what_and_the_api(
    client: Any, api: Any, login: Any, world: World
) -> None:
    headers = api("panel_member")
    dates = [
        ("2025", "approximate", "Moved away, year uncertain."),
        ("2023-12-22", "day", "Christmas visit."),
        ("2024-01-08", "day", "School term starts."),
        ("2024-03", "approximate", "Started nursery, month uncertain."),
        ("2024-02-17", "day", "GP appointment."),
        ("2022-09", "month", "Mother first seen by police."),
    ]
    for value, precision, text in dates:
        body = {"date": value, "date_precision": precision, "description": text}
        if text.startswith("Mother"):
            body |= {"agency": world.agency_ref, "people": [world.person_ref]}
        response = client.post(
            f"/api/v1/reviews/{world.review_id}/events", json=body, headers=headers
        )
        assert response.status_code == 201, response.json
    login("panel_member")
    base = f"/reviews/{world.review_id}"
    table = client.get(f"{base}/chronology").get_data(as_text=True)
    order = ["Christmas visit", "School term", "GP appointment", "Started nursery", "Moved away"]
    positions = [table.index(text) for text in order]
    assert positions == sorted(positions)
    assert "between 2024\u20132026" in table and "between Feb\u2013Apr 2024" in table
    known = client.get(f"{base}/chronology?known_at=2024-01-01").get_data(as_text=True)
    assert "Moved away" not in known and "Christmas visit" in known
    assert "Started nursery" not in known
    straddling = client.get(f"{base}/chronology?known_at=2025-06-01").get_data(as_text=True)
    assert "Moved away" in straddling and "May be after 1 Jun 2025" in straddling
    api_known = client.get(
        f"/api/v1/reviews/{world.review_id}/events?known_at=2024-01-01", headers=headers
    ).json["items"]
    assert "Moved away, year uncertain." not in [e["description"] for e in api_known]
    who = client.get(f"{base}/who-knew-what").get_data(as_text=True)
    assert "Sep 2022" in who and "1 Sep 2022" not in who


def test_duplicates_api_merge_by_hand_and_dismissal(
    client: Any, api: Any, login: Any, world: World, register: dict[str, str], db_session: Any
) -> None:
    headers = api("chair")
    base = f"/api/v1/reviews/{world.review_id}"
    planted = [
        ("POL", "2024-01-21T22:15", "exact", "Officers took Child T to the emergency "
         "department after a call to the home.", ["P1", "P3"], "Crime report made."),
        ("HV", "2024-01-21T23:40", "exact", "ED attendance: Child T with a bruised arm, "
         "mother says she fell.", ["P1", "P2"], ""),
        ("CSC", "2024-01-22", "day", "Hospital rang about Child T seen in the emergency "
         "department overnight with bruising.", ["P1"], "Strategy discussion arranged."),
        ("CSC", "2023-06-02", "day", "Letter sent about the housing repairs.", [], ""),
    ]  # fmt: skip
    refs = []
    for agency, value, precision, text, people, outcome in planted:
        body = {"date": value, "date_precision": precision, "agency": agency,
                "description": text, "people": people, "outcome": outcome}  # fmt: skip
        created = client.post(f"{base}/events", json=body, headers=headers)
        assert created.status_code == 201, created.json
        refs.append(created.json["ref"])
    police, health, social, _letter = refs
    found = client.get(f"{base}/duplicates", headers=headers).json["items"]
    group = next(item for item in found if police in item["events"])
    assert sorted(group["events"]) == sorted([police, health, social])
    assert group["score"] > 0.5 and "3 agencies" in group["reasons"]

    kept = client.get(f"{base}/events/{social}", headers=headers)
    no_match = client.post(
        f"{base}/events/{social}/merge", json={"refs": [police, health]}, headers=headers
    )
    assert no_match.status_code == 428
    merged = client.post(
        f"{base}/events/{social}/merge",
        json={"refs": [police, health], "take": {"date": police}},
        headers={**headers, "If-Match": kept.headers["ETag"]},
    )
    assert merged.status_code == 200, merged.json
    event = merged.json
    assert (event["date"], event["date_precision"]) == ("2024-01-21T22:15", "exact")
    assert event["description"].startswith("Hospital rang")  # social care's text, kept
    assert event["agency"] == "CSC"
    assert sorted(event["people"]) == ["P1", "P2", "P3"]
    assert {entry["ref"] for entry in event["merged_from"]} == {police, health}
    remaining = client.get(f"{base}/duplicates", headers=headers).json["items"]
    assert all(not {police, health} & set(item["events"]) for item in remaining)
    listed = client.get(f"{base}/events", headers=headers).json["items"]
    assert police not in [e["ref"] for e in listed] and health not in [e["ref"] for e in listed]
    stale = client.post(
        f"{base}/events/{social}/merge",
        json={"refs": ["E1"]},
        headers={**headers, "If-Match": kept.headers["ETag"]},
    )
    assert stale.status_code == 412

    # A dismissed suggestion stays dismissed, in the API and on the page.
    twin = client.post(
        f"{base}/events",
        json={"date": "2023-01-14", "date_precision": "day", "agency": "HV",
              "description": "Police attend the family home after a call from a neighbour.",
              "people": ["P1"]},
        headers=headers,
    ).json["ref"]  # fmt: skip
    pair = sorted(["E1", twin])
    before = client.get(f"{base}/duplicates", headers=headers).json["items"]
    assert pair in [sorted(i["events"]) for i in before]
    login("chair")
    page = client.get(f"/reviews/{world.review_id}/merges").get_data(as_text=True)
    assert "Not the same happening" in page and twin in page
    token = csrf_token(client, "/account")
    dismissed = client.post(
        f"/reviews/{world.review_id}/merges/dismissals",
        data={"csrf_token": token, "refs": pair},
    )
    assert dismissed.status_code == 302
    after = client.get(f"{base}/duplicates", headers=headers).json["items"]
    assert pair not in [sorted(i["events"]) for i in after]
    page = client.get(f"/reviews/{world.review_id}/merges").get_data(as_text=True)
    assert f'refs" value="{twin}"' not in page
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "dismiss_duplicates")
    ).one()
    assert entry.after == {"refs": pair}


def test_chronology_returns_per_agency_and_outstanding_on_the_overview(
    client: Any, login: Any, world: World, register: dict[str, str]
) -> None:
    login("chair")
    base = f"/reviews/{world.review_id}"
    overview = client.get(base).get_data(as_text=True)
    assert "Chronologies outstanding: Northshire Police (not requested)" in overview
    token = csrf_token(client, "/account")
    page = client.get(f"{base}/chronology/returns?agency=POL").get_data(as_text=True)
    assert 'name="requested-day"' in page and "govuk-date-input" in page

    def post(**values: str) -> Any:
        return client.post(
            f"{base}/chronology/returns",
            data={"csrf_token": token, "agency": "POL", **values},
        )

    bad = post(**{"requested-day": "31", "requested-month": "2", "requested-year": "2026"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Requested on must be a real date" in text and 'value="31"' in text
    unsigned = post(
        **{"received-day": "3", "received-month": "3", "received-year": "2026",
           "signed_off-day": "4", "signed_off-month": "3", "signed_off-year": "2026"}
    )  # fmt: skip
    assert unsigned.status_code == 422
    assert "Enter who signed it off" in unsigned.get_data(as_text=True)
    saved = post(
        **{"requested-day": "2", "requested-month": "2", "requested-year": "2026",
           "due-day": "2", "due-month": "3", "due-year": "2026",
           "received-day": "3", "received-month": "3", "received-year": "2026",
           "signed_off-day": "4", "signed_off-month": "3", "signed_off-year": "2026",
           "signed_off_by": "Head of Public Protection"}
    )  # fmt: skip
    assert saved.status_code == 302
    page = client.get(f"{base}/chronology/returns").get_data(as_text=True)
    assert "Signed off" in page and "4 Mar 2026 by Head of Public Protection" in page
    overview = client.get(base).get_data(as_text=True)
    assert "Northshire Police (" not in overview
    assert "Northshire Children&#39;s Social Care (not requested)" in overview


def test_date_of_birth_is_restricted_and_the_table_gives_the_childs_age(
    client: Any, login: Any, api: Any, world: World, db_session: Any
) -> None:
    login("chair")
    base = f"/reviews/{world.review_id}"
    token = csrf_token(client, "/account")
    bad = client.post(
        f"{base}/people/P1/edit",
        data={"csrf_token": token, "pseudonym": "Child T", "role": "child", "agency": "",
              "real_name": "Tamsin Testcase", "aliases": "Tam", "date_of_birth": "Jan 2021",
              "version": "1"},
    )  # fmt: skip
    assert bad.status_code == 422 and "to the day" in bad.get_data(as_text=True)
    saved = client.post(
        f"{base}/people/P1/edit",
        data={"csrf_token": token, "pseudonym": "Child T", "role": "child", "agency": "",
              "real_name": "Tamsin Testcase", "aliases": "Tam", "date_of_birth": "14/05/2021",
              "version": "1"},
    )  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)
    form = client.get(f"{base}/people/P1/edit").get_data(as_text=True)
    assert 'value="14/05/2021"' in form
    table = client.get(f"{base}/chronology").get_data(as_text=True)
    assert "Child T\u2019s age" in table and "20 months" in table  # E1: 14 Jan 2023
    people = f"/api/v1/reviews/{world.review_id}/people"
    hidden = client.get(people, headers=api("chair")).json
    assert all("date_of_birth" not in p for p in hidden["items"])  # like real names
    shown = client.get(f"{people}?reveal=real_names", headers=api("chair")).json
    assert any(p.get("date_of_birth") == "2021-05-14" for p in shown["items"])
    observer = client.get(f"/api/v1/reviews/{world.review_id}/people", headers=api("observer")).json
    assert all("date_of_birth" not in p for p in observer["items"])
    login("observer")
    form = client.get(f"{base}/people/P1/edit")
    assert "14/05/2021" not in form.get_data(as_text=True)


def test_event_history_reads_as_words(client: Any, api: Any, login: Any, world: World) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}"
    current = client.get(f"{base}/events/E1", headers=headers)
    changed = client.patch(
        f"{base}/events/E1",
        json={"date": "2023-01-14T22:15", "date_precision": "exact", "appraisal": "problematic",
              "people": [], "outcome": "Words of advice."},
        headers={**headers, "If-Match": current.headers["ETag"]},
    )  # fmt: skip
    assert changed.status_code == 200, changed.json
    login("panel_member")
    page = client.get(f"/reviews/{world.review_id}/events/E1").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "Changed by" in history and "Added by" in history
    assert "14 Jan 2023</del> → <ins>14 Jan 2023 22:15" in history
    assert "Not appraised</del> → <ins>Problematic" in history
    assert "Child T</del> → <ins>(none)" in history
    assert "not_appraised" not in history and "date_precision" not in history


def test_a_kpe_with_a_childs_voice_event_is_heard_and_filters_take_day_first_dates(
    client: Any, api: Any, login: Any, world: World
) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}"
    kpe = client.post(f"{base}/kpes", json={"title": "The child speaks"}, headers=headers).json
    login("panel_member")
    page = client.get(f"/reviews/{world.review_id}/kpes/{kpe['ref']}").get_data(as_text=True)
    assert 'id="no-voice"' in page
    client.post(
        f"{base}/events",
        json={"date": "2023-02-01", "date_precision": "day", "source": "childs_voice",
              "description": "Child T said she was scared at night.", "kpe": kpe["ref"]},
        headers=headers,
    )  # fmt: skip
    page = client.get(f"/reviews/{world.review_id}/kpes/{kpe['ref']}").get_data(as_text=True)
    assert 'id="no-voice"' not in page and "Not appraised" in page
    table = client.get(f"/reviews/{world.review_id}/chronology?known_at=20/01/2023")
    text = table.get_data(as_text=True)
    assert "Child T said she was scared" not in text and "Police attend" in text
    assert 'value="20/01/2023"' in text
    bad = client.get(f"/reviews/{world.review_id}/chronology?known_at=01/31/2023")
    assert "write it day first" in bad.get_data(as_text=True)


def test_the_chronology_table_offers_the_full_width(client: Any, login: Any, world: World) -> None:
    login("observer")
    base = f"/reviews/{world.review_id}/chronology"
    standard = client.get(f"{base}?q=police", follow_redirects=True).get_data(as_text=True)
    assert "lr-full-width" not in standard and "Use the full width of the window" in standard
    # The toggle keeps the search, by its saved token: the words stay out of the URL.
    toggle = standard[standard.index('id="width-toggle"') :][:200]
    assert "search=" in toggle and "police" not in toggle
    wide = client.get(f"{base}?width=full").get_data(as_text=True)
    assert "govuk-width-container lr-full-width" in wide and "Use the standard width" in wide


def test_the_graph_event_picker_shows_dates_at_their_precision(
    client: Any, api: Any, login: Any, world: World
) -> None:
    created = client.post(
        f"/api/v1/reviews/{world.review_id}/events",
        json={"date": "2022", "date_precision": "approximate", "description": "Moved in."},
        headers=api("panel_member"),
    ).json
    login("panel_member")
    # The graph's event picker lists what its search finds (the events are too many to list).
    page = client.get(
        f"/reviews/{world.review_id}/graph", query_string={"picker": "ref", "ref-q": "Moved in"}
    ).get_data(as_text=True)
    assert f"{created['ref']} · c. 2022 · " in page


def _box(html: str, name: str) -> str | None:
    """What one box of a GOV.UK date input shows."""
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return found[1] if found else None


def _box_in_error(html: str, name: str) -> bool:
    found = re.search(rf'<input class="([^"]*)"[^>]*name="{re.escape(name)}"', html)
    return found is not None and "govuk-input--error" in found[1]


def test_review_dates_are_typed_day_month_year_and_nothing_typed_is_lost(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    review.incident_known_on = date(2024, 3, 27)
    db_session.commit()
    login("chair")
    url = f"/reviews/{world.review_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'type="date"' not in page and "govuk-date-input" in page
    shown = [_box(page, f"incident_known_on-{part}") for part in ("day", "month", "year")]
    assert shown == ["27", "3", "2024"]  # the stored date, day first
    typed = {
        "title": "Renamed review",
        "subject": "Child T",
        "review_type": review.review_type,
        "stage": review.stage,
        "version": str(review.version),
        "incident_known_on-day": "27",
        "incident_known_on-month": "3",
        "incident_known_on-year": "2024",
        "period_start-day": "31",
        "period_start-month": "6",
        "period_start-year": "2019",
        "period_end-day": "5",
        "period_end-month": "",
        "period_end-year": "2025",
    }
    refused = client.post(url, data={"csrf_token": csrf_token(client, url), **typed})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Period under review: from must be a real date: June 2019 has no day 31" in text
    assert "“31 6 2019”" in text  # the message quotes what was typed
    assert "Period under review: to must include a month: you typed “5 … 2025”" in text
    assert _box(text, "period_start-day") == "31" and _box(text, "period_end-year") == "2025"
    assert _box_in_error(text, "period_start-day")
    assert not _box_in_error(text, "period_start-month")
    assert _box_in_error(text, "period_end-month") and not _box_in_error(text, "period_end-day")
    assert 'href="#period_start-day"' in text and 'href="#period_end-month"' in text
    fixed = {**typed, "period_start-day": "30", "period_end-month": "1"}
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), **fixed})
    assert saved.status_code == 302
    db_session.expire_all()
    stored = db_session.get(Review, world.review_id)
    assert (stored.period_start, stored.period_end) == (date(2019, 6, 30), date(2025, 1, 5))


def test_the_event_form_speaks_of_precision_in_words(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    url = f"/reviews/{world.review_id}/events/new"
    page = client.get(url).get_data(as_text=True)
    for label in ("Exact (a day and a time)", "Approximate (circa)", ">Day<", ">Month<"):
        assert label in page
    assert "for example 14/01/2011 16:20" in page
    refused = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "date": "14/01/2011",
            "date_precision": "exact",
            "agency": "POL",
            "source": "agency_record",
            "appraisal": "neutral",
            "description": "Kept text",
        },
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert (
        "“14/01/2011” has no time: Exact (a day and a time) needs a day and a time, so write "
        "the time after the date, for example 14/01/2011 16:20"
    ) in text
    assert "'exact'" not in text and "2011-01-14" not in text and "Kept text" in text
    saved = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "date": "14/01/2011 16:20",
            "date_precision": "exact",
            "agency": "POL",
            "source": "agency_record",
            "appraisal": "neutral",
            "description": "Kept text",
        },
    )
    assert saved.status_code == 302
    assert "14 Jan 2011 16:20" in client.get(saved.location).get_data(as_text=True)


def test_a_confirmed_import_is_audited_event_by_event_and_its_history_reads(
    client: Any, api: Any, login: Any, world: World, register: dict[str, str], db_session: Any
) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}/chronology-imports"
    police = upload(client, headers, world.review_id, "police.csv", csv_bytes(POLICE), "POL")
    assert police.status_code == 201 and police.json["errors"] == []
    confirmed = client.post(f"{base}/{police.json['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.json
    stored = db_session.scalars(
        select(Event).where(Event.import_id == police.json["id"]).order_by(Event.id)
    ).all()
    assert [e.date for e in stored] == ["2024-01-21T22:15", "2024-01-22T01:20"]  # date order
    created = set(
        db_session.scalars(
            select(AuditEntry.entity_id).where(
                AuditEntry.entity_type == "events", AuditEntry.action == "create"
            )
        )
    )
    assert {str(e.id) for e in stored} <= created  # one audit entry per imported event
    assert db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "import_chronology",
            AuditEntry.entity_id == str(police.json["id"]),
        )
    )
    assert verify_chain(db_session)[1] is None  # the audit chain still holds
    versions = db_session.scalars(
        select(EventVersion).where(EventVersion.event_id.in_([e.id for e in stored]))
    ).all()
    assert sorted((v.event_id, v.version, v.action) for v in versions) == [
        (e.id, 1, "create") for e in stored
    ]
    assert [p.ref for p in stored[1].people] == ["P2"]  # Kerry Holt, named in the text
