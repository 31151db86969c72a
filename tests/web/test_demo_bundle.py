"""The demo is a bundle: app/demo/child-f.json (learning-review/1.1), imported by a short
seeder that adds the demo's users and moves its relative dates to the day it is loaded."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select

from analysis.bundle import BUNDLE_FORMAT, bundle_schema
from app.demo import DEMO_FILE_DAY, demo_bundle, seed_demo
from app.report_generation import render_settings
from app.services import bundles
from models import Event, GoodPractice, User

TODAY = date(2026, 3, 2)


def _normalised(bundle: dict[str, Any]) -> str:
    """The bundle as JSON with its keys sorted: equal strings, equal bundles."""
    return json.dumps(bundle, sort_keys=True, ensure_ascii=False, indent=1)


def test_the_demo_file_is_a_valid_bundle_of_the_whole_child_f_review() -> None:
    bundle = demo_bundle(DEMO_FILE_DAY)
    Draft202012Validator(bundle_schema(), format_checker=FormatChecker()).validate(bundle)
    assert bundles.bundle_problems(bundle) == []
    assert bundle["format"] == BUNDLE_FORMAT
    assert bundle["review"]["title"] == "Child F: local child safeguarding practice review"
    assert bundle["review"]["incident_known_on"] == "2025-03-24"
    sizes = {k: len(v) for k, v in bundle.items() if isinstance(v, list)}
    assert sizes == {
        "agencies": 8,
        "people": 12,
        "kpes": 5,
        "events": 83,
        "accounts": 8,
        "factors": 30,
        "links": 57,
        "findings": 5,
        "actions": 12,
        "good_practice": 8,
        "feedback": 2,
        "partnership_good_practice": 1,
    }
    assert [e["ref"] for e in bundle["events"]] == [f"E{n}" for n in range(1, 84)]
    starts = [e["date"][:10] for e in bundle["events"]]
    assert starts == sorted(starts)  # E1.. follow the chronology's order
    assert all(a.get("contributor_role") for a in bundle["accounts"])
    assert all(k.get("narrative") for k in bundle["kpes"])
    assert bundle["report_narrative"]["conclusion"]


def test_loading_the_demo_moves_only_its_relative_dates_to_today() -> None:
    written, moved = demo_bundle(DEMO_FILE_DAY), demo_bundle(DEMO_FILE_DAY + timedelta(days=10))

    def day(text: str) -> date:
        return date.fromisoformat(text)

    for before, after in zip(written["actions"], moved["actions"], strict=True):
        if "due" in before:
            assert day(after["due"]) - day(before["due"]) == timedelta(days=10)
    for before, after in zip(written["feedback"], moved["feedback"], strict=True):
        assert day(after["fed_back_on"]) - day(before["fed_back_on"]) == timedelta(days=10)
    responses = [r for f in moved["findings"] for r in f.get("board_responses", [])]
    assert responses and all(
        day(r["responded_on"]) == DEMO_FILE_DAY + timedelta(days=10 - 21) for r in responses
    )
    assert moved["events"] == written["events"] and moved["accounts"] == written["accounts"]
    assert moved["good_practice"] == written["good_practice"]
    overdue = [a for a in demo_bundle()["actions"] if a.get("due", "9") < date.today().isoformat()]
    assert overdue, "some of the demo's actions are always overdue"


def test_the_seeded_demo_exports_as_its_file_and_the_export_imports_as_it_was(
    app: Any, db_session: Any
) -> None:
    with app.app_context():  # seed_demo checks passwords against the app's settings
        review = seed_demo(db_session, today=TODAY, render=render_settings())
    exported = bundles.export_bundle(review, with_partnership_entries=True)
    assert _normalised(exported) == _normalised(demo_bundle(TODAY))
    # What the bundle does not hold: the demo's users, who added what, and the approver.
    panel = db_session.scalar(select(User).where(User.email == "panel@demo.example.org"))
    chair = db_session.scalar(select(User).where(User.email == "chair@demo.example.org"))
    added_by = set(
        db_session.scalars(select(Event.added_by_id).where(Event.review_id == review.id))
    )
    assert added_by == {panel.id}
    approved_by = db_session.scalars(
        select(GoodPractice.approved_by_id).where(GoodPractice.review_id == review.id)
    )
    assert {a for a in approved_by if a is not None} == {chair.id}

    # Round trip: the export, imported into the same partnership and exported again, is the
    # same bundle (the partnership's own entry is imported once more, under the next ref).
    again = bundles.import_bundle(exported, session=db_session, importer=chair, added_by=panel)
    second = bundles.export_bundle(again, with_partnership_entries=True)
    register = second.pop("partnership_good_practice")
    first_register = exported.pop("partnership_good_practice")
    assert _normalised(second) == _normalised(exported)
    assert [e["ref"] for e in register] == ["QA1", "QA2"]
    assert {**register[1], "ref": "QA1"} == register[0] == first_register[0]


def test_finding_2_cites_the_mash_decision_not_the_health_visitors_call() -> None:
    bundle = demo_bundle()
    events = {e["ref"]: e["description"] for e in bundle["events"]}
    assert events["E28"].startswith("MASH decision")
    assert events["E29"].startswith("HV receives the MASH notification")
    finding = next(f for f in bundle["findings"] if f["ref"] == "FN2")
    assert "The MASH decision (E28)" in finding["evidence"] and "E29" not in finding["evidence"]
