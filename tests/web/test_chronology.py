"""The chronology: events with fuzzy dates, filters, editing together, history, comments,
merging, KPEs, imports, exports and the change feed."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from models import AuditEntry, Event
from tests.conftest import World
from tests.helpers import BUNDLE, post_form


def _event_form(**overrides: str) -> dict[str, Any]:
    values = {
        "date": "14/01/2011",
        "date_precision": "",
        "end_date": "",
        "agency": "POL",
        "source": "agency_record",
        "source_detail": "Custody record",
        "appraisal": "problematic",
        "description": "Officers attend; **nobody** answers the door.",
        "kpe": "",
        "people": ["P1"],
    }
    values.update(overrides)
    return values


def test_add_an_event_from_the_form_and_see_it_the_uk_way(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    base = f"/reviews/{world.review_id}"
    response = post_form(client, f"{base}/events/new", _event_form())
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "14 Jan 2011" in page and "<strong>nobody</strong>" in page and "Child T" in page
    table = client.get(f"{base}/chronology").get_data(as_text=True)
    assert table.index("14 Jan 2011") < table.index("14 Jan 2023")  # in date order


def test_a_bad_date_is_explained_and_nothing_typed_is_lost(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/events/new",
        _event_form(date="14/01/11", description="Kept text"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "year" in page.lower() and "Kept text" in page and 'value="14/01/11"' in page


def test_filters_and_as_known_at(client: Any, login: Any, world: World, api: Any) -> None:
    headers = api("panel_member")
    url = f"/api/v1/reviews/{world.review_id}/events"
    for date, text in (
        ("2022-03-01", "Earlier home visit"),
        ("2024-05-01", "Later school meeting"),
    ):
        client.post(
            url,
            json={"date": date, "date_precision": "day", "description": text, "agency": "POL"},
            headers=headers,
        )
    login("observer")
    known = client.get(f"/reviews/{world.review_id}/chronology?known_at=2023-06-30").get_data(
        as_text=True
    )
    assert "Earlier home visit" in known and "Later school meeting" not in known
    assert "1 later event hidden" in known
    text = client.get(
        f"/reviews/{world.review_id}/chronology?q=SCHOOL", follow_redirects=True
    ).get_data(as_text=True)
    assert "Later school meeting" in text and "Earlier home visit" not in text
    api_list = client.get(f"{url}?known_at=2023-06-30", headers=headers).json["items"]
    assert [e["description"] for e in api_list] == [
        "Earlier home visit",
        "Police attend the family home after a call from a neighbour.",
    ]


def test_api_create_patch_needs_if_match_and_refuses_a_lost_update(
    client: Any, world: World, api: Any
) -> None:
    headers = api("panel_member")
    url = f"/api/v1/reviews/{world.review_id}/events"
    made = client.post(
        url,
        json={
            "date": "2011-01",
            "date_precision": "month",
            "description": "Letter sent",
            "agency": "POL",
            "people": ["P1"],
        },
        headers=headers,
    )
    assert made.status_code == 201 and made.json["ref"] == "E2" and made.headers["ETag"] == '"v1"'
    one = f"{url}/E2"
    assert client.patch(one, json={"appraisal": "neutral"}, headers=headers).status_code == 428
    first = client.patch(
        one, json={"appraisal": "neutral"}, headers={**headers, "If-Match": '"v1"'}
    )
    assert first.status_code == 200 and first.headers["ETag"] == '"v2"'
    second = client.patch(
        one, json={"description": "Overwrite"}, headers={**api("chair"), "If-Match": '"v1"'}
    )
    assert second.status_code == 412
    now = client.get(one, headers=headers).json
    assert now["appraisal"] == "neutral" and now["description"] == "Letter sent"


def test_a_stale_save_in_the_browser_shows_theirs_and_mine(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("panel_member")
    url = f"/reviews/{world.review_id}/events/E1/edit"
    assert 'name="version" value="1"' in client.get(url).get_data(as_text=True)
    event = db_session.scalar(select(Event).where(Event.ref == "E1"))
    event.description = "Their change"
    db_session.commit()
    response = post_form(
        client, url, _event_form(description="My change", version="1", date="14/01/2023")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Their change" in page and "My change" in page
    db_session.refresh(event)
    assert event.description == "Their change"


def test_history_comments_delete_and_restore(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    base = f"/reviews/{world.review_id}/events/E1"
    post_form(
        client, f"{base}/edit", _event_form(date="14/01/2023", version="1", appraisal="neutral")
    )
    post_form(client, f"{base}/comments", {"text": "Was the child seen?"})
    page = client.get(base).get_data(as_text=True)
    assert "Version 2" in page and "Appraisal</strong>: <del>" in page
    assert "Was the child seen?" in page
    post_form(client, f"{base}/delete", {})
    assert (
        "E1"
        not in client.get(f"/reviews/{world.review_id}/chronology")
        .get_data(as_text=True)
        .split("events")[1]
    )
    post_form(client, f"{base}/restore", {})
    assert "/events/E1" in client.get(f"/reviews/{world.review_id}/chronology").get_data(
        as_text=True
    )


def test_agency_rep_changes_only_their_own_agencys_events(
    client: Any, world: World, api: Any
) -> None:
    headers = api("agency_rep")
    url = f"/api/v1/reviews/{world.review_id}/events"
    ours = client.post(
        url,
        json={"date": "2023", "date_precision": "year", "description": "Ours", "agency": "POL"},
        headers=headers,
    )
    assert ours.status_code == 201
    theirs = client.post(
        url,
        json={"date": "2023", "date_precision": "year", "description": "Not ours"},
        headers=headers,
    )
    assert theirs.status_code == 403


def test_merge_keeps_both_accounts_shows_conflicts_and_can_be_undone(
    client: Any, login: Any, world: World, api: Any
) -> None:
    headers = api("chair")
    base = f"/api/v1/reviews/{world.review_id}"
    client.post(
        f"{base}/agencies",
        json={"ref": "CSC", "name": "Northshire Children's Services"},
        headers=headers,
    )
    client.post(
        f"{base}/events",
        json={
            "ref": "E9",
            "date": "2023-01-15",
            "date_precision": "day",
            "agency": "CSC",
            "description": "Police notification: officers attend the family home after a "
            "neighbour calls.",
            "people": ["P1"],
        },
        headers=headers,
    )
    login("chair")
    suggestions = client.get(f"/reviews/{world.review_id}/merges").get_data(as_text=True)
    assert "E1, E9 (" in suggestions
    response = post_form(
        client, f"/reviews/{world.review_id}/merges", {"keep": "E1", "other": "E9"}
    )
    assert response.status_code == 302
    event = client.get(f"{base}/events/E1", headers=headers).json
    assert event["merged_from"][0]["ref"] == "E9" and event["merged_from"][0]["agency"] == "CSC"
    page = client.get(f"/reviews/{world.review_id}/events/E1").get_data(as_text=True)
    assert "15 Jan 2023" in page and "14 Jan 2023" in page and "differ" in page
    assert client.get(f"{base}/events/E9", headers=headers).status_code == 404
    post_form(client, f"/reviews/{world.review_id}/events/E1/unmerge", {"other": "E9"})
    assert client.get(f"{base}/events/E9", headers=headers).status_code == 200
    assert "merged_from" not in client.get(f"{base}/events/E1", headers=headers).json


def test_kpes_and_bulk_assignment(client: Any, login: Any, world: World, api: Any) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}"
    kpe = client.post(f"{base}/kpes", json={"title": "The referral"}, headers=headers)
    assert kpe.status_code == 201 and kpe.json["ref"] == "K2"
    clash = client.post(f"{base}/kpes", json={"ref": "E1", "title": "Clash"}, headers=headers)
    assert clash.status_code == 422  # refs are shared with events
    login("panel_member")
    post_form(
        client, f"/reviews/{world.review_id}/chronology/assign", {"refs": ["E1"], "kpe": "K2"}
    )
    page = client.get(f"/reviews/{world.review_id}/kpes/K2").get_data(as_text=True)
    assert "/events/E1" in page


CSV_GOOD = (
    "Date,Agency,What happened,Appraisal\n"
    "14/01/2011,Northshire Police,Call from neighbour,missed_opportunity\n"
    "Jan 2012,New Agency,Letter sent,\n"
)


def test_import_preview_then_confirm_stores_all_rows_and_is_audited(
    client: Any, world: World, api: Any, db_session: Any
) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}/chronology-imports"
    preview = client.post(
        base,
        data={"file": (io.BytesIO(CSV_GOOD.encode()), "police.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert preview.status_code == 201, preview.json
    assert preview.json["row_count"] == 2 and preview.json["errors"] == []
    assert preview.json["unknown_agencies"] == ["New Agency"]
    assert db_session.scalar(select(func.count(Event.id))) == 1  # nothing stored yet
    confirmed = client.post(f"{base}/{preview.json['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200 and confirmed.json["created"] == 2
    events = client.get(f"/api/v1/reviews/{world.review_id}/events", headers=headers).json["items"]
    assert events[0]["appraisal"] == "problematic"
    last = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "import_chronology")
    ).one()
    assert len(last.after["sha256"]) == 64 and last.after["rows"] == 2


def test_an_import_with_a_bad_row_cannot_be_confirmed_and_stores_nothing(
    client: Any, world: World, api: Any, db_session: Any
) -> None:
    headers = api("panel_member")
    bad = CSV_GOOD + "31/02/2011,Northshire Police,Impossible date,\n"
    base = f"/api/v1/reviews/{world.review_id}/chronology-imports"
    preview = client.post(
        base,
        data={"file": (io.BytesIO(bad.encode()), "bad.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert preview.status_code == 201
    assert [e["row"] for e in preview.json["errors"]] == [4]
    refused = client.post(f"{base}/{preview.json['id']}/confirm", headers=headers)
    assert refused.status_code == 422
    assert db_session.scalar(select(func.count(Event.id))) == 1


def test_export_neutralises_formulas(client: Any, world: World, api: Any, login: Any) -> None:
    headers = api("panel_member")
    client.post(
        f"/api/v1/reviews/{world.review_id}/events",
        json={"date": "2020", "date_precision": "year", "description": '=HYPERLINK("http://x")'},
        headers=headers,
    )
    login("observer")
    body = client.get(f"/reviews/{world.review_id}/chronology.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_changes_feed_shows_others_changes_with_who(
    client: Any, world: World, api: Any, app: Any
) -> None:
    chair, panel = api("chair"), api("panel_member")
    url = f"/api/v1/reviews/{world.review_id}/changes"
    cursor = client.get(f"{url}?latest=1", headers=chair).json["next_cursor"]
    client.post(
        f"/api/v1/reviews/{world.review_id}/events",
        json={"date": "2020", "date_precision": "year", "description": "New"},
        headers=panel,
    )
    feed = client.get(f"{url}?since={cursor}", headers=chair).json
    assert any(
        c["item"] == "event E2" and c["actor"] == "Test Panel Member" and not c["mine"]
        for c in feed["items"]
    )
    again = client.get(f"{url}?since={feed['next_cursor']}", headers=chair).json
    assert again["items"] == []


def test_timeline_and_who_knew_what(client: Any, login: Any, world: World) -> None:
    login("observer")
    timeline = client.get(f"/reviews/{world.review_id}/timeline").get_data(as_text=True)
    assert "<svg" in timeline and f"/reviews/{world.review_id}/events/E1" in timeline
    assert "Northshire Police" in timeline
    who = client.get(f"/reviews/{world.review_id}/who-knew-what").get_data(as_text=True)
    assert "Child T" in who


def test_the_table_uses_the_same_number_of_statements_at_any_size(
    client: Any, login: Any, world: World, db_session: Any, connection: Any
) -> None:
    from analysis.chronology.dates.parsing import parse_when
    from app.services import chronology
    from models import Review

    login("observer")
    url = f"/reviews/{world.review_id}/chronology"

    def statements() -> int:
        count = 0

        def counter(*_args: Any) -> None:
            nonlocal count
            count += 1

        sa_event.listen(connection, "before_cursor_execute", counter)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa_event.remove(connection, "before_cursor_execute", counter)
        return count

    review = db_session.get(Review, world.review_id)
    for n in range(10):
        chronology.create_event(
            session=db_session,
            review=review,
            added_by_id=None,
            when=parse_when(f"{2000 + n}"),
            agency="POL",
            description=f"Event {n}",
            people=["P1"],
        )
    db_session.commit()
    small = statements()
    for n in range(120):
        chronology.create_event(
            session=db_session,
            review=review,
            added_by_id=None,
            when=parse_when(f"{1900 + n % 99}"),
            agency="POL",
            description=f"More {n}",
            people=["P1"],
        )
    db_session.commit()
    assert statements() == small


def test_bundle_with_events_and_kpes_round_trips_exactly(client: Any, api: Any) -> None:

    bundle = {
        **BUNDLE,
        "kpes": [{"ref": "K1", "title": "The referral", "summary": "What happened in May."}],
        "events": [
            {
                "ref": "E1",
                "date": "2021-05-04T09:30",
                "date_precision": "exact",
                "agency": "A1",
                "source": "agency_record",
                "description": "Call logged.",
                "outcome": "Officers sent at 22:15.",
                "people": ["P1"],
                "appraisal": "problematic",
                "kpe": "K1",
                "source_detail": "Call log",
            },
            {
                "ref": "E2",
                "date": "2021-06",
                "date_precision": "month",
                "end_date": "2021-08",
                "agency": "A2",
                "source": "practitioner_account",
                "description": "Visits over the summer.",
                "people": ["P1", "HV1"],
                "appraisal": "good_practice",
                "merged_from": [
                    {
                        "ref": "X7",
                        "agency": "A1",
                        "date": "2021-06-03",
                        "date_precision": "day",
                        "description": "Police saw HV visiting.",
                    }
                ],
            },
            {
                "ref": "E3",
                "date": "2019",
                "date_precision": "approximate",
                "source": "family_account",
                "description": "Family moved to the area.",
                "appraisal": "not_appraised",
            },
        ],
    }
    headers = api("chair")
    imported = client.post("/api/v1/reviews/import", json=bundle, headers=headers)
    assert imported.status_code == 201, imported.json
    exported = client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers).json
    assert exported == bundle


def test_agency_rep_imports_only_their_own_agencys_rows(
    client: Any, world: World, api: Any
) -> None:
    headers = api("agency_rep")
    base = f"/api/v1/reviews/{world.review_id}/chronology-imports"
    mixed = client.post(
        base,
        data={"file": (io.BytesIO(CSV_GOOD.encode()), "mixed.csv"), "agency": "POL"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert mixed.status_code == 201
    refused = client.post(f"{base}/{mixed.json['id']}/confirm", headers=headers)
    assert refused.status_code == 422 and "own agency" in refused.json["message"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
def test_any_csv_text_never_causes_a_500_or_a_partial_import(
    client: Any, world: World, api: Any, db_session: Any, text: str
) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}/chronology-imports"
    before = db_session.scalar(select(func.count(Event.id)))
    upload = client.post(
        base,
        data={"file": (io.BytesIO(("Date,Agency,Description\n" + text).encode()), "x.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code in (201, 422), upload.json
    if upload.status_code == 201:
        confirm = client.post(f"{base}/{upload.json['id']}/confirm", headers=headers)
        assert confirm.status_code in (200, 422), confirm.json
        after = db_session.scalar(select(func.count(Event.id)))
        if confirm.status_code == 422:
            assert after == before
        else:
            assert after == before + confirm.json["created"]
