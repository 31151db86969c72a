"""Findings (their Markdown styled as body text), the board's responses, actions (strength,
status, overdue, a due date already past warned about), "you said, we did", suggested
findings, the API and the bundle."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from app.services import findings as service
from app.services.graph import graph_input
from models import Action, AuditEntry, FeedbackRecord, Finding, ItemRef, Review
from tests.conftest import World, csrf_token
from tests.helpers import BUNDLE, post_form


def _finding_form(**values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "Repeat incidents are not seen as a pattern",
        "scie_pattern": "multi_agency_incidents",
        "issue": "Each incident is graded **alone**.",
        "evidence": "The MASH log.",
        "how_widespread": "Every standard-risk notification.",
        "why_it_matters": "Coercive control shows as a pattern.",
        "questions_for_board": "How will repeats be seen?\nWho owns the pattern?",
        "factors": ["F1"],
    }
    form.update(values)
    return form


def _action_form(**values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "finding": "FN1",
        "description": "Training on repeat incidents.",
        "owner_agency": "POL",
        "due": "",
        "status": "proposed",
        "strength": "weak",
        "impact_evidence": "",
        "dropped_reason": "",
    }
    form.update(values)
    return form


def _review(db_session: Any, world: World) -> Review:
    return db_session.get(Review, world.review_id)


def test_a_finding_is_written_with_its_questions_and_factors(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("panel_member")
    response = post_form(client, f"/reviews/{world.review_id}/findings/new", _finding_form())
    assert response.status_code == 302
    finding = db_session.scalar(select(Finding).where(Finding.ref == "FN2"))
    assert finding.questions_for_board == ["How will repeats be seen?", "Who owns the pattern?"]
    assert [f.ref for f in finding.factors] == ["F1"]
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>alone</strong>" in page and "Who owns the pattern?" in page
    entry = db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_type == "findings", AuditEntry.action == "create"
        )
    )
    assert entry is not None and entry.review_id == world.review_id


def test_a_finding_without_a_title_keeps_what_was_typed(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    response = post_form(
        client, f"/reviews/{world.review_id}/findings/new", _finding_form(title="", issue="Kept")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Give the finding a title" in page and "Kept" in page


def test_a_concurrent_edit_of_a_finding_is_not_lost(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("lead_reviewer")
    url = f"/reviews/{world.review_id}/findings/FN1/edit"
    first = post_form(client, url, _finding_form(title="First title", version="1"))
    assert first.status_code == 302
    second = post_form(client, url, _finding_form(title="Second title", version="1"))
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Someone else saved this finding first" in page and "Second title" in page
    db_session.expire_all()
    assert db_session.scalar(select(Finding.title).where(Finding.ref == "FN1")) == "First title"


def test_deleting_a_finding_removes_its_actions_and_frees_the_refs(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("chair")
    response = post_form(client, f"/reviews/{world.review_id}/findings/FN1/delete", {})
    assert response.status_code == 302
    refs = set(db_session.scalars(select(ItemRef.ref).where(ItemRef.review_id == world.review_id)))
    assert "FN1" not in refs and "A1" not in refs
    assert db_session.scalar(select(Action).where(Action.ref == "A1")) is None


def test_the_board_records_its_response_to_each_question(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    question = "How will repeat incidents be seen as a pattern?"
    login("panel_member")
    url = f"/reviews/{world.review_id}/findings/FN1/responses"
    data = {"question": question, "response": "Not ours to say", "responded_on": ""}
    assert post_form(client, url, data).status_code == 403
    login("board_member")
    ok = post_form(client, url, {**data, "response": "A weekly pattern meeting from April."})
    assert ok.status_code == 302
    page = client.get(ok.location).get_data(as_text=True)
    assert "A weekly pattern meeting from April." in page
    refused = post_form(client, url, {**data, "question": "A question nobody asked"})
    assert refused.status_code == 422
    finding = db_session.scalar(select(Finding).where(Finding.ref == "FN1"))
    assert [(r.question, r.response) for r in finding.board_responses] == [
        (question, "A weekly pattern meeting from April.")
    ]


def test_a_wrong_response_date_is_linked_from_the_summary_to_its_box(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    finding = db_session.scalar(select(Finding).where(Finding.ref == "FN1"))
    questions = list(finding.questions_for_board)
    assert questions
    login("board_member")
    url = f"/reviews/{world.review_id}/findings/FN1/responses"
    data = {
        "question": questions[-1],
        "response": "Reviewed in May.",
        "responded_on-day": "31",
        "responded_on-month": "4",
        "responded_on-year": "2026",
    }
    refused = post_form(client, url, data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    number = len(questions)
    # The summary's link reaches the box drawn for that question, and what was typed is kept.
    assert f'href="#responded-on-{number}-day"' in page
    assert f'id="responded-on-{number}-day"' in page and 'value="31"' in page


def test_every_action_weak_warns_and_a_strong_one_clears_it(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    page_url = f"/reviews/{world.review_id}/findings/FN1"
    edit = post_form(
        client,
        f"/reviews/{world.review_id}/actions/A1/edit",
        _action_form(description="A reminder", strength="weak", version="1"),
    )
    assert edit.status_code == 302
    assert 'id="strength-warning"' in client.get(page_url).get_data(as_text=True)
    post_form(client, f"/reviews/{world.review_id}/actions/new", _action_form(strength="strong"))
    assert 'id="strength-warning"' not in client.get(page_url).get_data(as_text=True)


def test_a_dropped_weak_action_does_not_count_towards_the_warning(
    db_session: Any, world: World
) -> None:
    review = _review(db_session, world)
    finding = service.finding_by_ref(db_session, review, "FN1")
    service.create_action(
        session=db_session,
        review=review,
        finding="FN1",
        description="A reminder",
        strength="weak",
        status="dropped",
        dropped_reason="Replaced by A1",
    )
    assert not service.has_only_weak_actions(finding)


def test_action_status_rules_are_explained(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    url = f"/reviews/{world.review_id}/actions/A1/edit"
    dropped = post_form(client, url, _action_form(status="dropped", version="1"))
    assert dropped.status_code == 422
    assert "Say why the action was dropped" in dropped.get_data(as_text=True)
    evidenced = post_form(client, url, _action_form(status="evidenced", version="1"))
    assert "Give the evidence that the action made a difference" in evidenced.get_data(as_text=True)
    done = post_form(client, url, _action_form(status="done", version="1"))
    assert done.status_code == 302
    back = post_form(client, url, _action_form(status="agreed", version="2"))
    assert back.status_code == 422 and "cannot go back" in back.get_data(as_text=True)


def test_overdue_actions_are_listed_on_the_review_and_the_dashboard(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    review = _review(db_session, world)
    past = date.today() - timedelta(days=3)
    service.create_action(
        session=db_session,
        review=review,
        finding="FN1",
        description="Write the pattern procedure",
        due=past,
        strength="medium",
    )
    service.create_action(
        session=db_session,
        review=review,
        finding="FN1",
        description="Finished early",
        due=past,
        status="done",
    )
    db_session.commit()
    login("observer")
    actions = client.get(f"/reviews/{world.review_id}/actions").get_data(as_text=True)
    overdue_part = actions.split('id="overdue"')[1].split("All actions")[0]
    assert "Write the pattern procedure" in overdue_part
    assert "Finished early" not in overdue_part
    dashboard = client.get("/").get_data(as_text=True)
    assert "Overdue actions" in dashboard and "Write the pattern procedure" in dashboard
    assert "Finished early" not in dashboard
    login("other_member")  # a member of another review sees none of this review's actions
    assert "Write the pattern procedure" not in client.get("/").get_data(as_text=True)


def test_feedback_is_recorded_you_said_we_did(client: Any, login: Any, world: World) -> None:
    login("facilitator")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/feedback",
        {
            "audience": "practitioners",
            "recipients": "Duty team",
            "you_said": "Too many notifications a day.",
            "we_did": "Targets changed.",
            "fed_back_on": "2025-07-01",
            "finding": "FN1",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Too many notifications a day." in page and "Duty team" in page
    login("observer")
    refused = post_form(client, f"/reviews/{world.review_id}/feedback", {"audience": "family"})
    assert refused.status_code == 403


def test_a_feedback_record_is_deleted_only_through_its_own_review(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("other_member")  # the chair of another review
    elsewhere = f"/reviews/{world.other_review_id}/feedback/{world.feedback_id}/delete"
    assert post_form(client, elsewhere, {}).status_code == 404
    assert db_session.get(FeedbackRecord, world.feedback_id) is not None
    login("chair")
    here = f"/reviews/{world.review_id}/feedback/{world.feedback_id}/delete"
    assert post_form(client, here, {}).status_code == 302
    db_session.expire_all()
    assert db_session.get(FeedbackRecord, world.feedback_id) is None


def test_a_suggested_finding_is_accepted_with_its_factors(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    review = _review(db_session, world)
    from app.services import factors

    factors.create_factor(
        session=db_session,
        review=review,
        label="Grading guidance treats verbal incidents as low risk",
        type="latent_condition",
        level="partnership",
        scie_pattern="multi_agency_incidents",
    )
    factors.create_link(
        session=db_session, review=review, source="F2", target="F1", relation="enabled"
    )
    db_session.commit()
    login("panel_member")
    page = client.get(f"/reviews/{world.review_id}/findings").get_data(as_text=True)
    assert "Suggested findings" in page
    response = post_form(
        client,
        f"/reviews/{world.review_id}/findings/suggestions",
        {"factors": ["F1", "F2"], "labels": ["Multi-agency working", "grading"]},
    )
    assert response.status_code == 302 and response.location.endswith("/findings/FN2/edit")
    finding = db_session.scalar(select(Finding).where(Finding.ref == "FN2"))
    assert [f.ref for f in finding.factors] == ["F1", "F2"]
    # A title in words (the theme's lead factor), not a list of taxonomy labels.
    assert finding.title == "Domestic incidents graded standard get no follow-up"
    suggestion = service.Suggestion(
        refs=("F1", "F2", "F3"),
        labels=("Human reasoning", "Organisation level", "DA", "telephone"),
        scie_pattern="human_reasoning",
        factor_labels=("Health visiting by telephone misses what a home visit would see.",),
        level="organisation",
    )
    assert suggestion.title == "Health visiting by telephone misses what a home visit would see"
    assert suggestion.summary == (
        "It links 3 factors, mostly about human reasoning: cognitive and emotional biases at "
        "the organisation level."
    )
    assert "Grading guidance treats verbal incidents as low risk" in finding.issue
    assert finding.scie_pattern == "multi_agency_incidents"
    assert all(
        not set(s.refs) <= {"F1", "F2"} for s in service.suggested_findings(db_session, review)
    )


def test_the_graph_holds_findings_and_actions(db_session: Any, world: World) -> None:
    data = graph_input(db_session, _review(db_session, world))
    assert [(f.ref, f.factors) for f in data.findings] == [("FN1", ("F1",))]
    assert [(a.ref, a.finding) for a in data.actions] == [("A1", "FN1")]


def test_api_findings_and_actions_with_etags_and_board_responses(
    client: Any, world: World, api: Any
) -> None:
    headers = api("lead_reviewer")
    base = f"/api/v1/reviews/{world.review_id}"
    made = client.post(
        f"{base}/findings",
        json={
            "title": "Supervision is squeezed",
            "questions_for_board": ["What is a safe caseload?"],
            "factors": ["F1"],
        },
        headers=headers,
    )
    assert made.status_code == 201 and made.json["ref"] == "FN2"
    one = f"{base}/findings/FN2"
    assert client.patch(one, json={"issue": "x"}, headers=headers).status_code == 428
    answer = {"question": "What is a safe caseload?", "response": "Twenty."}
    tried = client.patch(
        one,
        json={"board_responses": [answer]},
        headers={**headers, "If-Match": made.headers["ETag"]},
    )
    assert tried.status_code == 403  # only the board answers its questions
    board = api("board_member")
    put = client.put(f"{one}/board-responses", json=answer, headers=board)
    assert put.status_code == 200 and put.json["items"][0]["response"] == "Twenty."
    read = client.get(one, headers=headers)
    assert read.json["board_responses"][0]["question"] == "What is a safe caseload?"
    action = client.post(
        f"{base}/actions",
        json={
            "finding": "FN2",
            "description": "Cap caseloads",
            "strength": "strong",
            "due": "2020-01-31",
            "owner_agency": "POL",
        },
        headers=headers,
    )
    assert action.status_code == 201 and action.json["status"] == "proposed"
    overdue = client.get(f"{base}/actions?overdue=1", headers=headers).json["items"]
    assert [a["ref"] for a in overdue] == [action.json["ref"]]
    bad = client.patch(
        f"{base}/actions/{action.json['ref']}",
        json={"status": "dropped"},
        headers={**headers, "If-Match": action.headers["ETag"]},
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "dropped_reason"
    assert client.delete(one, headers=headers).status_code == 204
    assert client.get(f"{base}/actions/{action.json['ref']}", headers=headers).status_code == 404


def test_bundle_with_findings_and_actions_round_trips_exactly(client: Any, api: Any) -> None:

    bundle = {
        **BUNDLE,
        "factors": [
            {"ref": "F1", "label": "Caseloads over 30", "type": "latent_condition", "level": "team"}
        ],
        "findings": [
            {
                "ref": "FN1",
                "title": "Caseloads leave no time to think",
                "scie_pattern": "human_management_system",
                "issue": "The issue.",
                "evidence": "How we know.",
                "how_widespread": "Everywhere.",
                "why_it_matters": "Children.",
                "questions_for_board": ["What is safe?", "Who decides?"],
                "factors": ["F1"],
                "board_responses": [
                    {
                        "question": "What is safe?",
                        "response": "Twenty.",
                        "responded_on": "2024-02-01",
                    }
                ],
            }
        ],
        "actions": [
            {
                "ref": "A1",
                "finding": "FN1",
                "description": "Cap caseloads.",
                "owner_agency": "A1",
                "due": "2024-06-30",
                "status": "evidenced",
                "strength": "strong",
                "impact_evidence": "Caseloads now 19 on average.",
            },
            {
                "ref": "A2",
                "finding": "FN1",
                "description": "A reminder.",
                "status": "dropped",
                "strength": "weak",
                "dropped_reason": "Replaced by A1.",
            },
        ],
    }
    headers = api("chair")
    imported = client.post("/api/v1/reviews/import", json=bundle, headers=headers)
    assert imported.status_code == 201, imported.json
    exported = client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers)
    assert exported.json == bundle


def test_a_bundle_finding_on_an_unknown_factor_is_refused_with_its_path(
    client: Any, api: Any
) -> None:

    bundle = {**BUNDLE, "findings": [{"ref": "FN1", "title": "Rests on air", "factors": ["F9"]}]}
    response = client.post("/api/v1/reviews/import", json=bundle, headers=api("chair"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json["errors"]] == ["$.findings[0]"]


def test_board_responses_put_takes_the_shape_get_returns(
    client: Any, api: Any, world: World
) -> None:
    url = f"/api/v1/reviews/{world.review_id}/findings/{world.finding_ref}/board-responses"
    board = api("board_member")
    question = "How will repeat incidents be seen as a pattern?"
    single = client.put(url, headers=board, json={"question": question, "response": "First."})
    assert single.status_code == 200, single.json
    read = client.get(url, headers=board).json
    read["items"][0]["response"] = "The MASH now reviews repeats monthly."
    read["items"][0]["responded_on"] = "2026-11-20"
    put = client.put(url, headers=board, json=read)
    assert put.status_code == 200, put.json
    again = client.get(url, headers=board).json["items"]
    assert [(r["question"], r["response"], r["responded_on"]) for r in again] == [
        (question, "The MASH now reviews repeats monthly.", "2026-11-20")
    ]
    bad = client.put(
        url, headers=board, json={"items": [{"question": "Not asked", "response": "x"}]}
    )
    assert bad.status_code == 422
    unknown = client.put(url, headers=board, json={"items": [], "extra": 1})
    assert unknown.status_code == 422 and "extra" in unknown.json["message"]
    spec = client.get("/api/v1/openapi.json").json
    body = spec["paths"]["/api/v1/reviews/{review_id}/findings/{ref}/board-responses"]["put"]
    assert (
        "items" in str(body["requestBody"])
        and "BoardResponseInput" in spec["components"]["schemas"]
    )


def test_a_new_action_due_in_the_past_is_warned_about(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    url = f"/reviews/{world.review_id}/actions/new"
    added = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "finding": world.finding_ref,
            "description": "Audit repeat notifications.",
            "owner_agency": world.agency_ref,
            "due": "2020-01-01",
            "status": "agreed",
            "strength": "",
        },
        follow_redirects=True,
    )
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert "Its due date, 1 Jan 2020, is already past" in html
    on_time = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "finding": world.finding_ref,
            "description": "Later.",
            "due": "2099-01-01",
            "status": "agreed",
            "strength": "",
        },
        follow_redirects=True,
    )
    assert "is already past" not in on_time.get_data(as_text=True)


def test_markdown_on_the_finding_page_is_styled_as_body_text(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    html = client.get(f"/reviews/{world.review_id}/findings/{world.finding_ref}").get_data(
        as_text=True
    )
    assert '<div class="lr-markdown govuk-body">' in html
    css = client.get("/static/css/app.css")
    assert ".lr-markdown { font-family:" in css.get_data(as_text=True)
    css.close()
