"""The partnership's view: who sees it, every review's statutory clocks, recording milestones,
one action tracker (history of due dates, progress, exports) and pseudonymised learning."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import openpyxl
from sqlalchemy import select

from app.services import findings as findings_service
from models import Action, ActionDueChange, AuditEntry, Review, ReviewMilestone
from tests.conftest import World
from tests.helpers import post_form


def test_business_manager_chairs_and_board_members_see_the_partnership_view(
    client: Any, login: Any
) -> None:
    for who, status in [("business_manager", 200), ("chair", 200), ("board_member", 200)]:
        login(who)
        assert client.get("/partnership/").status_code == status, who
    for who in ("observer", "panel_member", "lead_reviewer", "outsider"):
        login(who)
        assert client.get("/partnership/").status_code == 403, who
        assert client.get("/api/v1/partnership/reviews").status_code == 403, who


def test_dashboard_lists_every_review_even_for_a_non_member(client: Any, login: Any) -> None:
    login("business_manager")
    page = client.get("/partnership/").get_data(as_text=True)
    assert "Test review" in page and "Another review" in page
    assert "Panel notified" in page


def test_api_reviews_carry_milestones_and_overdue_shows(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    review.incident_known_on = date(2026, 11, 2)
    db_session.commit()
    response = client.get("/api/v1/partnership/reviews", headers=api("business_manager"))
    assert response.status_code == 200
    item = next(i for i in response.json["items"] if i["id"] == world.review_id)
    milestones = {m["key"]: m for m in item["milestones"]}
    assert milestones["panel_notification"]["due_on"] == "2026-11-09"
    assert milestones["rapid_review"]["due_on"] == "2026-11-23"
    # Today is past 23 Nov 2026 in this test's world only if the clock says so; compare.
    expected = "overdue" if date.today() > date(2026, 11, 23) else "due"
    assert milestones["rapid_review"]["status"] == expected
    assert response.json["items"][0]["id"] == world.review_id or expected == "due"


def test_chair_records_milestones_through_the_review_patch(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("chair")
    url = f"/api/v1/reviews/{world.review_id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    response = client.patch(
        url,
        json={
            "incident_known_on": "2026-11-02",
            "milestones": {"panel_notification": "2026-11-06"},
        },
        headers={**headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.json
    milestones = {m["key"]: m for m in response.json["milestones"]}
    assert milestones["panel_notification"]["done_on"] == "2026-11-06"
    assert milestones["panel_notification"]["status"] == "done"
    audited = db_session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "review_milestones")
    ).all()
    assert audited


def test_a_milestone_cannot_be_met_in_the_future_and_nothing_changes(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("chair")
    url = f"/api/v1/reviews/{world.review_id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.patch(
        url,
        json={"stage": "analysis", "milestones": {"rapid_review": tomorrow}},
        headers={**headers, "If-Match": etag},
    )
    assert response.status_code == 422
    assert "future" in response.json["message"]
    db_session.expire_all()
    assert db_session.get(Review, world.review_id).stage != "analysis"
    assert not db_session.scalars(select(ReviewMilestone)).all()


def test_lead_reviewer_may_not_record_milestones(client: Any, api: Any, world: World) -> None:
    headers = api("lead_reviewer")
    url = f"/api/v1/reviews/{world.review_id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    response = client.patch(
        url,
        json={"milestones": {"rapid_review": "2026-11-20"}},
        headers={**headers, "If-Match": etag},
    )
    assert response.status_code == 403


def test_business_manager_records_a_milestone_on_a_review_they_are_not_a_member_of(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("business_manager")
    response = post_form(
        client,
        f"/partnership/reviews/{world.other_review_id}/milestones",
        {"milestone": "rapid_review", "done_on": "2026-11-20"},
    )
    assert response.status_code == 302
    row = db_session.scalar(
        select(ReviewMilestone).where(ReviewMilestone.review_id == world.other_review_id)
    )
    assert row is not None and row.done_on == date(2026, 11, 20)
    assert row.recorded_by_id == world.users["business_manager"]
    # Case content stays behind membership.
    assert client.get(f"/reviews/{world.other_review_id}/chronology").status_code == 404


def test_milestone_form_error_keeps_what_was_typed(client: Any, login: Any, world: World) -> None:
    login("business_manager")
    future = date.today() + timedelta(days=3)
    typed = {"done_on-day": str(future.day), "done_on-month": str(future.month),
             "done_on-year": str(future.year)}  # fmt: skip
    response = post_form(
        client,
        f"/partnership/reviews/{world.review_id}/milestones",
        {"milestone": "panel_notification", **typed},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be in the future" in page and 'type="date"' not in page
    for name, value in typed.items():  # the day, month and year boxes keep what was typed
        assert re.search(rf'name="{name}"[^>]*value="{value}"', page), name
    blank_month = post_form(
        client,
        f"/partnership/reviews/{world.review_id}/milestones",
        {"milestone": "panel_notification", **typed, "done_on-month": ""},
    ).get_data(as_text=True)
    assert f"Date it was met must include a month: you typed “{future.day} … {future.year}”" in (
        blank_month
    )
    assert re.search(r'class="[^"]*govuk-input--error[^"]*"[^>]*name="done_on-month"', blank_month)
    assert not re.search(
        r'class="[^"]*govuk-input--error[^"]*"[^>]*name="done_on-day"', blank_month
    )


def _action(db_session: Any, world: World) -> Action:
    return db_session.scalar(
        select(Action).where(Action.review_id == world.review_id, Action.ref == "A1")
    )


def test_moving_a_due_date_keeps_its_history_and_shows_it(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    action = _action(db_session, world)
    action.due = date(2026, 11, 4)
    db_session.commit()
    login("business_manager")
    url = f"/partnership/reviews/{world.review_id}/actions/A1"
    response = post_form(client, url, {"form": "due", "d-due": "2027-02-01"})
    assert response.status_code == 302
    page = client.get("/partnership/actions").get_data(as_text=True)
    assert "1 Feb 2027" in page and "was 4 Nov 2026" in page
    items = client.get("/api/v1/partnership/actions").json["items"]
    item = next(i for i in items if i["review"] == world.review_id and i["ref"] == "A1")
    assert item["earlier_due_dates"] == ["2026-11-04"]


def test_due_date_changed_through_the_review_is_kept_too(db_session: Any, world: World) -> None:
    action = _action(db_session, world)
    review = db_session.get(Review, world.review_id)
    findings_service.update_action(
        session=db_session, action=action, expected_version=None, due="2026-10-01"
    )
    findings_service.update_action(
        session=db_session, action=action, expected_version=None, due="2026-12-01"
    )
    changes = db_session.scalars(
        select(ActionDueChange).where(ActionDueChange.action_id == action.id)
    ).all()
    assert [c.new_due for c in changes][-1] == date(2026, 12, 1)
    assert review.id == action.review_id


def test_overdue_filter_and_pseudonymised_text(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    action = _action(db_session, world)
    action.due = date.today() - timedelta(days=3)
    action.status = "agreed"
    action.description = 'Tamsin Testcase\'s school to get =HYPERLINK("x") guidance.'
    db_session.commit()
    headers = api("business_manager")
    items = client.get("/api/v1/partnership/actions?overdue=1", headers=headers).json["items"]
    assert [(i["review"], i["ref"]) for i in items] == [(world.review_id, "A1")]
    assert "Tamsin" not in items[0]["description"] and "Child T" in items[0]["description"]
    csv = client.get("/api/v1/partnership/actions.csv", headers=headers).get_data(as_text=True)
    assert "Tamsin" not in csv
    assert ",=" not in csv and '"=' not in csv
    action.description = "=1+1"
    db_session.commit()
    csv = client.get("/api/v1/partnership/actions.csv", headers=headers).get_data(as_text=True)
    assert "'=1+1" in csv


def test_xlsx_export_has_no_formula_cells(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    action = _action(db_session, world)
    action.description = "=SUM(A1:A2)"
    db_session.commit()
    login("board_member")
    response = client.get("/partnership/actions.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=SUM(A1:A2)" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_filters_by_strength_and_status(client: Any, login: Any) -> None:
    login("chair")
    assert "A1" in client.get("/partnership/actions?strength=strong").get_data(as_text=True)
    page = client.get("/partnership/actions?strength=weak").get_data(as_text=True)
    assert 'data-action="' not in page


def test_progress_note_sets_rag_and_cannot_be_in_the_future(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("business_manager")
    url = f"/partnership/reviews/{world.review_id}/actions/A1"
    future = (date.today() + timedelta(days=2)).isoformat()
    bad = post_form(
        client,
        url,
        {"form": "progress", "p-note": "Audit booked.", "p-rag": "amber", "p-noted_on": future},
    )
    assert bad.status_code == 422 and "Audit booked." in bad.get_data(as_text=True)
    ok = post_form(client, url, {"form": "progress", "p-note": "Audit booked.", "p-rag": "amber"})
    assert ok.status_code == 302
    db_session.expire_all()
    assert _action(db_session, world).rag == "amber"
    assert "Audit booked." in client.get(url).get_data(as_text=True)


def test_lead_success_measure_and_an_owner_from_the_directory(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    from app.services.reviews import directory_agency

    directory_agency(db_session, world.partnership_id, "Northshire Housing", "Housing")
    db_session.commit()
    login("chair")
    url = f"/partnership/reviews/{world.review_id}/actions/A1"
    response = post_form(
        client,
        url,
        {
            "form": "tracking",
            "t-lead": "Head of Housing Services",
            "t-success_measure": "Every repeat call is seen as a pattern.",
            "t-owner": "Northshire Housing",
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    action = _action(db_session, world)
    assert action.lead == "Head of Housing Services"
    assert action.owner_directory_agency is not None
    assert action.owner_directory_agency.name == "Northshire Housing"
    bad = post_form(client, url, {"form": "tracking", "t-owner": "No Such Agency"})
    assert bad.status_code == 422


def test_board_responses_cannot_be_dated_in_the_future(client: Any, api: Any, world: World) -> None:
    future = (date.today() + timedelta(days=5)).isoformat()
    response = client.put(
        f"/api/v1/reviews/{world.review_id}/findings/FN1/board-responses",
        json={
            "question": "How will repeat incidents be seen as a pattern?",
            "response": "Through the MASH.",
            "responded_on": future,
        },
        headers=api("chair"),
    )
    assert response.status_code == 422
    assert "future" in response.json["message"]


def test_cli_gives_and_takes_the_business_manager_role(
    runner: Any, world: World, db_session: Any
) -> None:
    from models import User

    result = runner.invoke(
        args=[
            "set-partnership-role",
            "--email",
            "observer@test.example.org",
            "--role",
            "business_manager",
        ]
    )
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert db_session.get(User, world.users["observer"]).partnership_role == "business_manager"
    runner.invoke(
        args=["set-partnership-role", "--email", "observer@test.example.org", "--role", "none"]
    )
    db_session.expire_all()
    assert db_session.get(User, world.users["observer"]).partnership_role is None
    missing = runner.invoke(
        args=["set-partnership-role", "--email", "nobody@x.org", "--role", "none"]
    )
    assert missing.exit_code == 1


def test_business_manager_records_milestones_through_the_api(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("business_manager")
    url = f"/api/v1/partnership/reviews/{world.other_review_id}"
    response = client.patch(
        url, json={"milestones": {"rapid_review": "2026-11-20"}}, headers=headers
    )
    assert response.status_code == 200, response.json
    milestones = {m["key"]: m for m in response.json["milestones"]}
    assert milestones["rapid_review"]["status"] == "done"
    cleared = client.patch(url, json={"milestones": {"rapid_review": None}}, headers=headers)
    assert {m["key"]: m for m in cleared.json["milestones"]}["rapid_review"]["done_on"] is None
    bad = client.patch(url, json={"milestones": {"no_such_step": "2026-11-20"}}, headers=headers)
    assert bad.status_code == 422
    # A board member sees the clocks but does not record them.
    other = client.patch(
        f"/api/v1/partnership/reviews/{world.review_id}",
        json={"milestones": {"rapid_review": "2026-11-20"}},
        headers=api("board_member"),
    )
    assert other.status_code == 403


def test_business_manager_changes_the_clock_intervals(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    review.incident_known_on = date(2026, 11, 2)
    db_session.commit()
    headers = api("business_manager")
    assert (
        client.get("/api/v1/partnership/settings", headers=headers).json["intervals"][
            "rapid_review_working_days"
        ]
        == 15
    )
    response = client.patch(
        "/api/v1/partnership/settings", json={"rapid_review_working_days": 10}, headers=headers
    )
    assert response.status_code == 200
    items = client.get("/api/v1/partnership/reviews", headers=headers).json["items"]
    item = next(i for i in items if i["id"] == world.review_id)
    assert {m["key"]: m for m in item["milestones"]}["rapid_review"]["due_on"] == "2026-11-16"
    assert (
        client.patch(
            "/api/v1/partnership/settings", json={"rapid_review_working_days": -1}, headers=headers
        ).status_code
        == 422
    )
    chair = client.patch(
        "/api/v1/partnership/settings", json={"rapid_review_working_days": 3}, headers=api("chair")
    )
    assert chair.status_code == 403


def test_openapi_document_lists_the_partnership_endpoints(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/partnership/reviews",
        "/api/v1/partnership/reviews/{review_id}",
        "/api/v1/partnership/actions",
        "/api/v1/partnership/actions.csv",
        "/api/v1/partnership/recurring",
        "/api/v1/partnership/settings",
    ):
        assert path in paths, path


def test_board_response_form_refuses_a_future_date_and_keeps_the_text(
    client: Any, login: Any, world: World
) -> None:
    login("board_member")
    future = (date.today() + timedelta(days=5)).isoformat()
    response = post_form(
        client,
        f"/reviews/{world.review_id}/findings/FN1/responses",
        {
            "question": "How will repeat incidents be seen as a pattern?",
            "response": "Through a weekly repeat-caller report.",
            "responded_on": future,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be in the future" in page
    assert "Through a weekly repeat-caller report." in page


def test_a_board_member_reads_pseudonyms_in_the_action_forms_and_a_save_keeps_real_text(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    action = _action(db_session, world)
    action.lead = "Tamsin Testcase's health visitor"
    action.success_measure = "Tamsin Testcase is seen every week."
    db_session.commit()
    client.application.config["READER_LAST_NET"] = False  # the page's own view, not the net's
    login("board_member")
    url = f"/partnership/reviews/{world.review_id}/actions/A1"
    page = client.get(url).get_data(as_text=True)
    assert "Tamsin" not in page and "Testcase" not in page
    assert "Child T&#39;s health visitor" in page or "Child T's health visitor" in page
    response = post_form(
        client,
        url,
        {
            "form": "tracking",
            "t-lead": "Child T's health visitor",
            "t-success_measure": "Child T is seen every week and at home.",
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    action = _action(db_session, world)
    assert action.lead == "Tamsin Testcase's health visitor"  # unchanged: the stored text
    assert action.success_measure == "Child T is seen every week and at home."


def test_exports_say_csv_once_and_the_workbook_has_date_cells(
    client: Any, login: Any, api: Any, world: World, db_session: Any
) -> None:
    action = _action(db_session, world)
    action.due = date(2026, 11, 4)
    db_session.commit()
    headers = api("business_manager")
    for url in ("/api/v1/partnership/actions.csv",):
        assert client.get(url, headers=headers).headers["Content-Type"] == (
            "text/csv; charset=utf-8"
        )
    login("business_manager")
    csv = client.get("/partnership/actions.csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/partnership/actions.xlsx").data)).active
    header = [c.value for c in sheet[1]]
    due = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "A1")[header.index("Due")]
    assert due.is_date and due.value.date() == date(2026, 11, 4)


def test_an_empty_or_ancient_due_date_is_refused_and_removal_is_explicit(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    action = _action(db_session, world)
    action.due = date(2026, 11, 4)
    review = db_session.get(Review, world.review_id)
    review.incident_known_on = date(2026, 1, 10)
    db_session.commit()
    login("business_manager")
    url = f"/partnership/reviews/{world.review_id}/actions/A1"
    empty = post_form(client, url, {"form": "due", "d-due": ""})
    assert empty.status_code == 422
    assert "Enter the new due date" in empty.get_data(as_text=True)
    ancient = post_form(client, url, {"form": "due", "d-due": "1999-01-01"})
    assert ancient.status_code == 422
    assert "cannot be before the incident (10 Jan 2026)" in ancient.get_data(as_text=True)
    db_session.expire_all()
    assert _action(db_session, world).due == date(2026, 11, 4)  # nothing changed
    removed = post_form(client, url, {"form": "due", "d-due": "", "d-remove": "y"})
    assert removed.status_code == 302
    db_session.expire_all()
    assert _action(db_session, world).due is None


def test_a_milestone_before_the_incident_is_refused_and_a_wrong_one_can_be_cleared(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    review.incident_known_on = date(2026, 1, 12)
    db_session.commit()
    login("business_manager")
    url = f"/partnership/reviews/{world.review_id}/milestones"
    early = post_form(client, url, {"milestone": "panel_notification", "done_on": "2025-12-01"})
    assert early.status_code == 422
    assert "cannot be before the partnership became aware" in early.get_data(as_text=True)
    assert not db_session.scalars(select(ReviewMilestone)).all()
    ok = post_form(client, url, {"milestone": "panel_notification", "done_on": "2026-01-13"})
    assert ok.status_code == 302
    cleared = post_form(client, url, {"milestone": "panel_notification", "clear": "y"})
    assert cleared.status_code == 302
    db_session.expire_all()
    assert not db_session.scalars(select(ReviewMilestone)).all()
    last = db_session.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "review_milestones")
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    assert last is not None and last.action == "delete"
    assert "cleared" in client.get("/partnership/").get_data(as_text=True)
