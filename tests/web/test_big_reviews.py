"""Big reviews: bundle import limits and parts, event pickers without JavaScript, the timeline
at its zoom level and results kept until the review changes. (Speed itself is measured in
``bench/review_pages.py``; these check what a user sees.)"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.chronology import timeline
from app.services.bundles import checks as bundle_checks
from app.services.bundles import importing as bundle_importing
from models import Account, AuditEntry, Event, Review
from tests.conftest import World, csrf_token
from tests.helpers import bundle_with_events


def _reviews(session: Session) -> int:
    return int(session.scalar(select(func.count(Review.id))) or 0)


def test_a_bundle_over_the_size_limit_is_refused_with_413_before_it_is_read(
    app: Flask, client: FlaskClient, api: Any, db_session: Session
) -> None:
    app.config["BUNDLE_MAX_BYTES"] = 2_000
    body = json.dumps(bundle_with_events(40)).encode()
    assert len(body) > 2_000
    before = _reviews(db_session)
    response = client.post(
        "/api/v1/reviews/import",
        data=body,
        headers={**api("chair"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "larger than" in response.json["message"]
    assert _reviews(db_session) == before


def test_a_bundle_may_be_larger_than_other_uploads(
    app: Flask, client: FlaskClient, api: Any
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1_000  # every other request
    app.config["BUNDLE_MAX_BYTES"] = 100_000
    body = json.dumps(bundle_with_events(20)).encode()
    assert 1_000 < len(body) < 100_000
    response = client.post(
        "/api/v1/reviews/import",
        data=body,
        headers={**api("chair"), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)


def test_the_web_import_refuses_an_oversized_file_with_a_clear_page(
    app: Flask, client: FlaskClient, login: Any
) -> None:
    login("chair")
    token = csrf_token(client, "/reviews/import")
    app.config["BUNDLE_MAX_BYTES"] = 2_000
    response = client.post(
        "/reviews/import",
        data={
            "csrf_token": token,
            "bundle": (io.BytesIO(json.dumps(bundle_with_events(40)).encode()), "b.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The bundle is larger than" in response.get_data(as_text=True)


def test_a_bundle_with_too_many_events_is_refused_with_422(
    client: FlaskClient, api: Any, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle_checks, "MAX_BUNDLE_ITEMS", 5)
    before = _reviews(db_session)
    response = client.post(
        "/api/v1/reviews/import", json=bundle_with_events(6), headers=api("chair")
    )
    assert response.status_code == 422
    [problem] = response.json["errors"]
    assert problem["path"] == "$.events"
    assert "has 6 events; at most 5" in problem["message"]
    assert _reviews(db_session) == before


def test_a_bundle_stored_in_parts_keeps_nothing_when_a_later_part_is_refused(
    client: FlaskClient, api: Any, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle_importing, "EVENTS_PER_PART", 2)
    bad = bundle_with_events(
        7,
        factors=[{"ref": "F1", "label": "Caseloads", "type": "latent_condition", "level": "team"}],
        links=[{"source": "F1", "target": "E99", "relation": "contributed_to"}],
    )
    before = _reviews(db_session)
    events_before = db_session.scalar(select(func.count(Event.id)))
    response = client.post("/api/v1/reviews/import", json=bad, headers=api("chair"))
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "$.links[0]"
    assert _reviews(db_session) == before
    assert db_session.scalar(select(func.count(Event.id))) == events_before
    discarded = db_session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "discard_import")
    )
    assert discarded == 1


def test_a_bundle_in_parts_stores_every_event_with_its_history(
    client: FlaskClient, api: Any, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle_importing, "EVENTS_PER_PART", 2)
    response = client.post(
        "/api/v1/reviews/import", json=bundle_with_events(5), headers=api("chair")
    )
    assert response.status_code == 201
    review_id = response.json["id"]
    exported = client.get(f"/api/v1/reviews/{review_id}/export", headers=api("chair")).json
    stored = [
        {k: v for k, v in e.items() if k not in ("source", "appraisal")} for e in exported["events"]
    ]
    assert stored == bundle_with_events(5)["events"]
    created = db_session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.review_id == review_id,
            AuditEntry.entity_type == "events",
            AuditEntry.action == "create",
        )
    )
    assert created == 5
    etag = client.get(f"/api/v1/reviews/{review_id}/events/E3", headers=api("chair")).headers.get(
        "ETag"
    )
    assert etag == '"v1"'


def test_an_account_form_finds_events_by_a_search_round_trip_without_javascript(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    login("chair")
    path = f"/reviews/{world.review_id}/accounts/new"
    form = {
        "csrf_token": csrf_token(client, path),
        "contributor_kind": "practitioner",
        "narrative": "What I remember of the call.",
        "events-q": "neighbour",
        "picker": "events",
    }
    before = db_session.scalar(select(func.count(Account.id)))
    page = client.post(path, data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="events-found-E1"' in html and "Events matching" in html
    assert "What I remember of the call." in html  # what was typed stays
    assert db_session.scalar(select(func.count(Account.id))) == before
    del form["picker"]
    saved = client.post(path, data={**form, "events": ["E1"]})
    assert saved.status_code == 302
    account = db_session.scalars(select(Account).order_by(Account.id.desc())).first()
    assert account is not None and [e.ref for e in account.events] == ["E1"]


def test_the_form_shows_only_chosen_events_never_one_control_per_event(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("chair")
    html = client.get(f"/reviews/{world.review_id}/accounts/new?event=E1").get_data(as_text=True)
    assert 'name="events" type="checkbox" value="E1" checked' in html
    assert html.count('name="events" type=') == 1
    assert "data-picker-input" in html and "js/picker.js" in html
    # The picker's typeahead asks the events API with the page's own session.
    found = client.get(f"/api/v1/reviews/{world.review_id}/events?limit=10&q=E1")
    assert found.status_code == 200
    assert [item["ref"] for item in found.json["items"]] == ["E1"]


def test_a_big_timeline_counts_per_lane_and_period_and_zooms_into_a_period(
    client: FlaskClient, login: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline, "MAX_MARKS", 0)
    login("chair")
    html = client.get(f"/reviews/{world.review_id}/timeline").get_data(as_text=True)
    assert "counted per" in html
    assert 'class="lr-tl-event lr-tl-count"' in html
    assert "Northshire Police" in html and "Zoom in" in html
    assert f"/reviews/{world.review_id}/timeline?from=" in html
    monkeypatch.setattr(timeline, "MAX_MARKS", 400)
    zoomed = client.get(f"/reviews/{world.review_id}/timeline?from=2023-01-01&to=2023-01-31")
    text = zoomed.get_data(as_text=True)
    assert f"/reviews/{world.review_id}/events/E1" in text
    assert "Show the whole period" in text


def test_who_knew_what_follows_a_change_to_the_review(
    client: FlaskClient, login: Any, world: World, api: Any
) -> None:
    login("chair")
    path = f"/reviews/{world.review_id}/who-knew-what"
    assert "Child T" in client.get(path).get_data(as_text=True)
    response = client.post(
        f"/api/v1/reviews/{world.review_id}/people",
        json={"ref": "P7", "pseudonym": "Uncle", "role": "household_adult"},
        headers=api("chair"),
    )
    assert response.status_code == 201
    assert "Uncle" in client.get(path).get_data(as_text=True)
