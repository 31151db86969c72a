"""The JSON API: tokens, reviews, people and agencies with ETags, the bundle round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from analysis.bundle import READABLE_FORMATS, bundle_schema
from models import Review
from tests.conftest import World
from tests.helpers import BUNDLE, bundle_with_events

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2] / "analysis" / "schemas" / "review-bundle.schema.json"
)


def test_the_bundle_schema_is_the_projects_own_file_and_reads_both_formats(
    client: Any, api: Any
) -> None:
    """analysis/schemas/review-bundle.schema.json is the format's home: imports are checked
    against that file, the API's description of a bundle is made from it, and it declares
    learning-review/1 and /1.1, so a /1 bundle still imports and any other format is refused."""
    schema = json.loads(SCHEMA_FILE.read_text())
    assert bundle_schema() == schema
    formats = schema["properties"]["format"]["enum"]
    assert formats == ["learning-review/1", "learning-review/1.1"] == list(READABLE_FORMATS)
    described = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Bundle"]
    assert described["properties"]["format"]["enum"] == formats
    headers = api("chair")
    first_format = client.post(
        "/api/v1/reviews/import", json=bundle_with_events(2), headers=headers
    )
    assert first_format.status_code == 201, first_format.json
    assert client.post("/api/v1/reviews/import", json=BUNDLE, headers=headers).status_code == 201
    unknown = client.post(
        "/api/v1/reviews/import", json={**BUNDLE, "format": "learning-review/2"}, headers=headers
    )
    assert unknown.status_code == 422
    assert "$.format" in {e["path"] for e in unknown.json["errors"]}


def test_no_token_gets_401_json(client: Any) -> None:
    response = client.get("/api/v1/reviews")
    assert response.status_code == 401
    assert response.json["message"] and response.json["errors"] == []


def test_a_revoked_token_gets_401(client: Any, api: Any, db_session: Any) -> None:
    from models import ApiToken

    headers = api("chair")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    for row in db_session.scalars(select(ApiToken)):
        row.revoked_at = func.now()
    db_session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_create_review_makes_the_creator_chair(client: Any, api: Any) -> None:
    headers = api("observer")
    body = {
        "title": "New one",
        "subject": "Child N",
        "review_type": "thematic",
        "incident_known_on": "2025-12-19",
    }
    response = client.post("/api/v1/reviews", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert response.headers["ETag"] == '"v1"'
    # Fri 19 Dec 2025 + 5 and 15 working days: Christmas, Boxing Day and 1 Jan are skipped
    assert response.json["notification_due"] == "2025-12-30"
    assert response.json["rapid_review_due"] == "2026-01-14"
    members = client.get(f"/api/v1/reviews/{response.json['id']}/members", headers=headers)
    assert [m["role"] for m in members.json["items"]] == ["chair"]


def test_invalid_review_lists_every_problem_and_stores_nothing(
    client: Any, api: Any, db_session: Any
) -> None:
    before = db_session.scalar(select(func.count(Review.id)))
    response = client.post(
        "/api/v1/reviews",
        json={"title": "", "review_type": "nonsense", "colour": "red"},
        headers=api("chair"),
    )
    assert response.status_code == 422
    messages = " ".join(e["message"] for e in response.json["errors"])
    assert "subject" in messages and "nonsense" in messages and "colour" in messages
    assert db_session.scalar(select(func.count(Review.id))) == before


def test_patch_needs_if_match_and_refuses_a_stale_version(
    client: Any, api: Any, world: World
) -> None:
    headers = api("chair")
    url = f"/api/v1/reviews/{world.review_id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.patch(url, json={"stage": "analysis"}, headers=headers).status_code == 428
    first = client.patch(url, json={"stage": "analysis"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    stale = client.patch(url, json={"title": "Overwrite"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    after = client.get(url, headers=headers).json
    assert after["stage"] == "analysis" and after["title"] == "Test review"


def test_people_hide_real_names_unless_asked_and_asking_is_audited(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    from models import AuditEntry

    url = f"/api/v1/reviews/{world.review_id}/people"
    plain = client.get(url, headers=api("panel_member")).json["items"]
    assert "real_name" not in plain[0] and "Tamsin" not in json.dumps(plain)
    revealed = client.get(url + "?reveal=real_names", headers=api("panel_member"))
    assert revealed.json["items"][0]["real_name"] == "Tamsin Testcase"
    last = db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last.action == "view_real_names" and last.review_id == world.review_id
    denied = client.get(url + "?reveal=real_names", headers=api("board_member"))
    assert denied.status_code == 403


def test_people_and_agencies_crud_by_ref(client: Any, api: Any, world: World) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}"
    made = client.post(
        f"{base}/agencies", json={"name": "Northshire Schools", "sector": "School"}, headers=headers
    )
    assert made.status_code == 201 and made.json["ref"] == "A1"
    person = client.post(
        f"{base}/people",
        json={"pseudonym": "Teacher 1", "role": "practitioner", "agency": "A1"},
        headers=headers,
    )
    assert person.status_code == 201 and person.json["agency"] == "A1"
    ref = person.json["ref"]
    changed = client.patch(
        f"{base}/people/{ref}",
        json={"pseudonym": "Class Teacher 1"},
        headers={**headers, "If-Match": person.headers["ETag"]},
    )
    assert changed.status_code == 200 and changed.json["pseudonym"] == "Class Teacher 1"
    in_use = client.delete(f"{base}/agencies/A1", headers=headers)
    assert in_use.status_code == 422  # a person still names it
    assert client.delete(f"{base}/people/{ref}", headers=headers).status_code == 204
    assert client.delete(f"{base}/agencies/A1", headers=headers).status_code == 204
    assert client.get(f"{base}/people/{ref}", headers=headers).status_code == 404


def test_list_paging_with_cursor(client: Any, api: Any) -> None:
    headers = api("other_member")
    for n in range(3):
        client.post(
            "/api/v1/reviews",
            json={"title": f"R{n}", "subject": "Child P", "review_type": "thematic"},
            headers=headers,
        )
    first = client.get("/api/v1/reviews?limit=2", headers=headers).json
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(
        f"/api/v1/reviews?limit=2&cursor={first['next_cursor']}", headers=headers
    ).json
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None  # 4 reviews in all
    ids = [r["id"] for r in first["items"] + rest["items"]]
    assert len(set(ids)) == 4


def test_bundle_round_trips_exactly(client: Any, api: Any) -> None:
    headers = api("lead_reviewer")
    imported = client.post("/api/v1/reviews/import", json=BUNDLE, headers=headers)
    assert imported.status_code == 201, imported.json
    exported = client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers)
    assert exported.status_code == 200
    assert exported.json == BUNDLE
    Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(exported.json)


def test_bundle_with_problems_lists_them_all_and_stores_nothing(
    client: Any, api: Any, db_session: Any
) -> None:
    bad = copy.deepcopy(BUNDLE)
    bad["people"][1]["agency"] = "NOPE"
    bad["agencies"].append({"ref": "A1", "name": "Duplicate"})
    before = db_session.scalar(select(func.count(Review.id)))
    response = client.post("/api/v1/reviews/import", json=bad, headers=api("chair"))
    assert response.status_code == 422
    paths = {e["path"] for e in response.json["errors"]}
    assert {"$.people[1].agency", "$.agencies[2].ref"} <= paths
    assert db_session.scalar(select(func.count(Review.id))) == before


def test_bundle_failing_while_storing_leaves_nothing(
    client: Any, api: Any, db_session: Any
) -> None:
    bad = copy.deepcopy(BUNDLE)
    bad["agencies"][1]["name"] = "zedford  POLICE"  # the same directory agency twice
    before = db_session.scalar(select(func.count(Review.id)))
    response = client.post("/api/v1/reviews/import", json=bad, headers=api("chair"))
    assert response.status_code == 422
    assert "already taking part" in response.json["errors"][0]["message"]
    assert db_session.scalar(select(func.count(Review.id))) == before


def test_openapi_document_lists_the_endpoints(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/v1/reviews",
        "/api/v1/reviews/import",
        "/api/v1/reviews/{review_id}/export",
        "/api/v1/reviews/{review_id}/events",
        "/api/v1/reviews/{review_id}/events/{ref}",
        "/api/v1/reviews/{review_id}/kpes/{ref}",
        "/api/v1/reviews/{review_id}/chronology-imports",
        "/api/v1/reviews/{review_id}/chronology-imports/{import_id}/confirm",
        "/api/v1/reviews/{review_id}/changes",
        "/api/v1/reviews/{review_id}/people/{ref}",
    ):
        assert path in doc["paths"], path
    assert "Person" in doc["components"]["schemas"]


def test_session_api_calls_need_csrf(client: Any, login: Any) -> None:
    login("chair")
    response = client.post(
        "/api/v1/reviews", json={"title": "x", "subject": "y", "review_type": "thematic"}
    )
    assert response.status_code == 400


def test_a_bearer_call_acts_as_the_token_not_the_browser_session(
    client: Any, login: Any, api: Any
) -> None:
    login("observer")
    me = client.get("/api/v1/me", headers=api("chair")).json
    assert me["email"] == "chair@test.example.org"
    bogus = client.post(
        "/api/v1/reviews",
        json={"title": "x", "subject": "y", "review_type": "thematic"},
        headers={"Authorization": "Bearer not-a-real-token"},
    )
    assert bogus.status_code == 401  # not the observer's session, and no CSRF bypass
