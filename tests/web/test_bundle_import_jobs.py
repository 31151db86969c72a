"""A big review bundle is imported by a background job: 202 and a Location to follow, the
review with every event once the job ends, a clean failure with the reason, and nobody but
the importer can follow the job. Small bundles still answer at once."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.bundles import importing as bundle_importing
from models import Event, Review
from tests.conftest import World, csrf_token
from tests.helpers import bundle_with_events


@pytest.fixture(autouse=True)
def _small_threshold(app: Flask, tmp_path: Path) -> None:
    app.config["BUNDLE_BACKGROUND_EVENTS"] = 5
    app.instance_path = str(tmp_path)


def _count(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.count(column))) or 0)


def _kept_files(app: Flask) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def test_a_big_bundle_is_imported_by_a_job_that_ends_with_the_review_and_its_events(
    app: Flask,
    client: FlaskClient,
    api: Any,
    db_session: Session,
    finish_job: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bundle_importing, "EVENTS_PER_PART", 3)
    before = _count(db_session, Review.id)
    started = client.post(
        "/api/v1/reviews/import", json=bundle_with_events(8), headers=api("chair")
    )
    assert started.status_code == 202, started.get_data(as_text=True)
    status_url = started.headers["Location"]
    assert status_url == started.json["job"]["status_url"]
    assert started.json["job"]["title"] == "Importing a review bundle"
    assert _count(db_session, Review.id) == before  # nothing stored until the job runs
    assert len(_kept_files(app)) == 1

    ended = finish_job(started)
    assert ended.status == "finished", ended.error
    status = client.get(status_url, headers=api("chair"))
    assert status.status_code == 200
    assert status.json["status"] == "finished"
    assert status.json["progress"] == 100
    review_id = status.json["result"]["review_id"]
    assert status.json["result"]["events"] == 8
    exported = client.get(f"/api/v1/reviews/{review_id}/export", headers=api("chair")).json
    assert [e["ref"] for e in exported["events"]] == [f"E{n}" for n in range(1, 9)]
    assert _kept_files(app) == []


def test_a_big_bundle_refused_part_way_leaves_nothing_and_the_job_says_why(
    app: Flask,
    client: FlaskClient,
    api: Any,
    db_session: Session,
    finish_job: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bundle_importing, "EVENTS_PER_PART", 2)
    bad = bundle_with_events(
        7,
        factors=[{"ref": "F1", "label": "Caseloads", "type": "latent_condition", "level": "team"}],
        links=[{"source": "F1", "target": "E99", "relation": "contributed_to"}],
    )
    reviews, events = _count(db_session, Review.id), _count(db_session, Event.id)
    started = client.post("/api/v1/reviews/import", json=bad, headers=api("chair"))
    assert started.status_code == 202
    ended = finish_job(started)
    assert ended.status == "failed"
    status = client.get(started.headers["Location"], headers=api("chair"))
    assert status.json["status"] == "failed"
    assert status.json["error"].startswith("The bundle was not imported: nothing has been stored")
    assert "$.links[0]" in status.json["error"]
    assert status.json["result"] is None
    assert _count(db_session, Review.id) == reviews
    assert _count(db_session, Event.id) == events
    assert _kept_files(app) == []


def test_a_big_bundle_that_breaks_the_schema_is_refused_before_any_job(
    app: Flask, client: FlaskClient, api: Any, db_session: Session
) -> None:
    bad = bundle_with_events(8)
    bad["events"][3]["agency"] = "A9"
    response = client.post("/api/v1/reviews/import", json=bad, headers=api("chair"))
    assert response.status_code == 422
    assert response.json["message"] == "The bundle was not imported: nothing has been stored"
    assert response.json["errors"][0]["path"].startswith("$.events[3]")
    assert "Location" not in response.headers
    assert _kept_files(app) == []


def test_only_the_importer_can_follow_an_import_job(
    client: FlaskClient, api: Any, login: Any, finish_job: Any
) -> None:
    started = client.post(
        "/api/v1/reviews/import", json=bundle_with_events(8), headers=api("chair")
    )
    assert started.status_code == 202
    job_url = started.headers["Location"]
    job_id = job_url.rstrip("/").rsplit("/", 1)[1]
    for who in ("lead_reviewer", "other_member", "outsider", "admin"):
        assert client.get(job_url, headers=api(who)).status_code == 404, who
    login("lead_reviewer")
    assert client.get(f"/jobs/{job_id}").status_code == 404
    finish_job(started)
    assert client.get(job_url, headers=api("lead_reviewer")).status_code == 404
    assert client.get(job_url, headers=api("chair")).status_code == 200


def test_the_web_import_of_a_big_bundle_shows_progress_then_the_new_review(
    client: FlaskClient, login: Any, db_session: Session, world: World, finish_job: Any
) -> None:
    login("chair")
    token = csrf_token(client, "/reviews/import")
    response = client.post(
        "/reviews/import",
        data={
            "csrf_token": token,
            "bundle": (io.BytesIO(json.dumps(bundle_with_events(8)).encode()), "b.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page_url = response.headers["Location"]
    assert page_url.startswith("/jobs/")
    waiting = client.get(page_url)
    assert waiting.status_code == 202
    assert "Importing a review bundle" in waiting.get_data(as_text=True)
    ended = finish_job(int(page_url.rsplit("/", 1)[1]))
    done = client.get(page_url)
    assert done.status_code == 303
    review_id = ended.result["review_id"]
    assert done.headers["Location"] == f"/reviews/{review_id}"
    assert client.get(done.headers["Location"]).status_code == 200
    stored = db_session.scalar(select(func.count(Event.id)).where(Event.review_id == review_id))
    assert stored == 8


def test_a_small_bundle_is_still_imported_at_once(
    client: FlaskClient, api: Any, db_session: Session
) -> None:
    response = client.post(
        "/api/v1/reviews/import", json=bundle_with_events(5), headers=api("chair")
    )
    assert response.status_code == 201
    assert db_session.get(Review, response.json["id"]) is not None
