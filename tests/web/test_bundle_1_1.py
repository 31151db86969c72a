"""learning-review/1.1 carries what a /1 bundle lost on every export: the review's
incident_known_on, a KPE's narrative, an account's contributor role, a good-practice entry's
account and approval, the feedback records, the report narrative and the partnership's
good-practice entries outside any review."""

from __future__ import annotations

import copy
import json
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select

from analysis.bundle import bundle_schema
from app.services import bundles
from models import Agency, GoodPractice, Review, User
from tests.conftest import World
from tests.helpers import BUNDLE


def _bundle_1_1(approver_email: str) -> dict[str, Any]:
    bundle = copy.deepcopy(BUNDLE)
    bundle["review"]["incident_known_on"] = "2023-09-12"
    bundle["kpes"] = [
        {
            "ref": "K1",
            "title": "The first call",
            "summary": "Police and health visiting.",
            "narrative": "Each contact, seen alone, did not look **urgent**.",
        }
    ]
    bundle["events"] = [
        {
            "ref": "E1",
            "date": "2021-05-04",
            "date_precision": "day",
            "agency": "A1",
            "source": "agency_record",
            "description": "Call logged and passed on.",
            "appraisal": "good_practice",
            "kpe": "K1",
        }
    ]
    bundle["accounts"] = [
        {
            "ref": "AC1",
            "contributor_kind": "practitioner",
            "contributor_role": "Duty social worker",
            "consent_to_quote": True,
            "narrative": "It was one of forty that day.",
            "prompts": {"what_went_well": "The call was passed on within the hour."},
        }
    ]
    bundle["findings"] = [{"ref": "FN1", "title": "Calls are closed without checks"}]
    bundle["good_practice"] = [
        {
            "ref": "GP1",
            "title": "Call passed on within the hour",
            "story": "The call handler passed it to the health visitor.",
            "agency": "A1",
            "events": ["E1"],
            "share_status": "approved",
            "source": "account",
            "consent_to_share": True,
            "account": "AC1",
            "approved_at": "2023-10-02T09:30:00+00:00",
            "approved_by_email": approver_email,
        }
    ]
    bundle["feedback"] = [
        {
            "audience": "family",
            "recipients": "Grandmother",
            "you_said": "Nobody asked us.",
            "we_did": "The form asks now.",
            "fed_back_on": "2023-11-20",
            "finding": "FN1",
        },
        {
            "audience": "practitioners",
            "recipients": "Duty team",
            "you_said": "Too many calls.",
            "we_did": "A second duty worker.",
            "fed_back_on": "2023-11-21",
        },
    ]
    bundle["report_narrative"] = {
        "executive_summary": "A short summary.",
        "introduction": "Why the review was held.",
        "conclusion": "No agency could see the whole picture.",
    }
    return bundle


def _normalised(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, sort_keys=True, ensure_ascii=False)


def test_the_new_1_1_fields_survive_export_and_import(
    client: Any, api: Any, db_session: Any, world: World
) -> None:
    chair = db_session.get(User, world.users["chair"])
    bundle = _bundle_1_1(chair.email)
    Draft202012Validator(bundle_schema()).validate(bundle)
    headers = api("chair")
    imported = client.post("/api/v1/reviews/import", json=bundle, headers=headers)
    assert imported.status_code == 201, imported.json
    exported = client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers)
    assert _normalised(exported.json) == _normalised(bundle)
    entry = db_session.scalar(
        select(GoodPractice).where(GoodPractice.review_id == imported.json["id"])
    )
    assert entry.approved_by_id == chair.id and entry.account.ref == "AC1"
    review = db_session.get(Review, imported.json["id"])
    assert str(review.incident_known_on) == "2023-09-12"
    # And again: the export imports as it was exported.
    again = client.post("/api/v1/reviews/import", json=exported.json, headers=headers)
    second = client.get(f"/api/v1/reviews/{again.json['id']}/export", headers=headers)
    assert _normalised(second.json) == _normalised(bundle)


def test_an_approver_unknown_to_the_partnership_leaves_the_approval_without_a_name(
    client: Any, api: Any, db_session: Any
) -> None:
    bundle = _bundle_1_1("someone@elsewhere.example.org")
    headers = api("chair")
    imported = client.post("/api/v1/reviews/import", json=bundle, headers=headers)
    assert imported.status_code == 201, imported.json
    entry = db_session.scalar(
        select(GoodPractice).where(GoodPractice.review_id == imported.json["id"])
    )
    assert entry.approved_at is not None and entry.approved_by_id is None
    exported = client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers).json
    assert "approved_by_email" not in exported["good_practice"][0]
    assert exported["good_practice"][0]["approved_at"] == "2023-10-02T09:30:00+00:00"


def test_the_partnerships_entries_outside_a_review_travel_when_asked_for(
    db_session: Any, world: World
) -> None:
    chair = db_session.get(User, world.users["chair"])
    bundle = _bundle_1_1(chair.email)
    bundle["partnership_good_practice"] = [
        {
            "ref": "QA7",
            "title": "A joint visit",
            "story": "The tenancy officer rang the HV.",
            "agency_name": "Zedford Homes",
            "themes": ["Housing"],
            "share_status": "draft",
            "source": "case_audit",
            "consent_to_share": True,
        }
    ]
    review = bundles.import_bundle(bundle, session=db_session, importer=chair)
    exported = bundles.export_bundle(review, with_partnership_entries=True)
    assert exported["partnership_good_practice"][-1] == bundle["partnership_good_practice"][0]
    assert "partnership_good_practice" not in bundles.export_bundle(review)
    # A new agency's name is added to the partnership's directory.
    directory = select(Agency.name).where(Agency.partnership_id == chair.partnership_id)
    assert "Zedford Homes" in set(db_session.scalars(directory))
    # Imported again into the same partnership, the entry keeps its content under a new ref.
    again = bundles.import_bundle(bundle, session=db_session, importer=chair)
    register = bundles.export_bundle(again, with_partnership_entries=True)[
        "partnership_good_practice"
    ]
    copies = [e for e in register if e["title"] == "A joint visit"]
    assert len(copies) == 2 and copies[0]["ref"] == "QA7" and copies[1]["ref"] != "QA7"
    assert {**copies[1], "ref": "QA7"} == bundle["partnership_good_practice"][0]


def test_a_feedback_record_on_an_unknown_finding_is_refused_with_its_path(
    client: Any, api: Any
) -> None:
    bundle = _bundle_1_1("x@example.org")
    bundle["feedback"][0]["finding"] = "FN9"
    response = client.post("/api/v1/reviews/import", json=bundle, headers=api("chair"))
    assert response.status_code == 422
    assert "$.feedback[0]" in {e["path"] for e in response.json["errors"]}


def test_an_approval_time_that_is_not_a_date_and_time_is_refused_with_its_path(
    client: Any, api: Any
) -> None:
    bundle = _bundle_1_1("x@example.org")
    bundle["good_practice"][0]["approved_at"] = "last Tuesday"
    response = client.post("/api/v1/reviews/import", json=bundle, headers=api("chair"))
    assert response.status_code == 422
    assert "$.good_practice[0]" in {e["path"] for e in response.json["errors"]}


def test_the_api_documents_the_new_fields_as_null_where_its_resources_leave_them_empty(
    client: Any, api: Any, world: World
) -> None:
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    review = client.get(f"/api/v1/reviews/{world.review_id}", headers=api("chair")).json
    assert "incident_known_on" in review  # null until the date is known
    assert schemas["Review"]["properties"]["incident_known_on"]["nullable"] is True
    entry = schemas["GoodPractice"]["properties"]
    assert entry["approved_at"]["nullable"] is True and entry["account"]["nullable"] is True
    assert schemas["Account"]["properties"]["contributor_role"]["type"] == "string"
    assert "feedback" in schemas["Bundle"]["properties"]
