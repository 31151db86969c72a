"""Learning workshops: planning, joining with a code, notes, proposals and votes from the
room, moderation back into the review, closing (which revokes every participant and tells
them the workshop has ended), the participant's token refused everywhere else, rate
limiting, and the outputs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.taxonomy import LOCAL_RATIONALITY_PROMPTS
from app import create_app, policy
from app.services import chronology as chronology_service
from app.services import workshop_outputs
from app.services import workshops as service
from app.services.reviews import add_agency
from app.services.workshop_outputs import NOT_DRAWN
from app.services.workshops import JOIN_CODE_ALPHABET
from models import (
    Account,
    AuditEntry,
    Factor,
    GoodPractice,
    Participant,
    Review,
    Workshop,
    WorkshopNote,
)
from tests.conftest import World, csrf_token
from tests.helpers import (
    app_routes,
    bearer,
    join_workshop,
    matrix_job,
    new_workshop,
    pdf_text,
    route_url,
    workshop_ids,
)

REAL_NAME = "Tamsin Testcase"  # the world's child's (fictional) real name; pseudonym "Child T"


def test_a_workshop_with_no_fields_gets_todays_date_the_whole_review_and_the_prompts(
    client: Any, api: Any, world: World
) -> None:
    response = client.post(
        f"/api/v1/reviews/{world.review_id}/workshops", headers=api("facilitator")
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert isinstance(body["id"], int)
    assert len(body["join_code"]) == 6 and set(body["join_code"]) <= set(JOIN_CODE_ALPHABET)
    assert body["date"] == date.today().isoformat()
    assert body["kpes"] == []
    assert body["questions"] == list(LOCAL_RATIONALITY_PROMPTS.values())
    assert body["votes_per_participant"] == 3


def test_only_facilitators_and_leads_plan_workshops(client: Any, api: Any, world: World) -> None:
    url = f"/api/v1/reviews/{world.review_id}/workshops"
    assert client.post(url, json={}, headers=api("panel_member")).status_code == 403
    assert client.post(url, json={}, headers=api("chair")).status_code == 201


def test_the_room_posts_notes_proposals_and_votes_with_its_tokens_and_closing_revokes_them(
    client: Any, api: Any, world: World, db_session: Session
) -> None:
    workshop = new_workshop(
        client, api, review_id=world.review_id, title="Learning event 1", votes_per_participant=2
    )
    wid = workshop["id"]
    token = join_workshop(client, workshop["join_code"].lower(), "Health Visitor 1")
    other = join_workshop(client, workshop["join_code"], "Duty Officer")

    material = client.get(f"/api/v1/workshops/{wid}/material", headers=bearer(token))
    assert material.status_code == 200
    assert {e["ref"] for e in material.json["events"]} == {world.event_ref}
    assert material.json["votes_left"] == 2

    note = client.post(
        f"/api/v1/workshops/{wid}/notes",
        json={"node": world.factor_ref, "text": "Standard grading meant nobody looked again."},
        headers=bearer(token),
    )
    assert note.status_code == 201, note.json
    assert note.json["status"] == "pending"
    unknown = client.post(
        f"/api/v1/workshops/{wid}/notes", json={"node": "F999", "text": "x"}, headers=bearer(token)
    )
    assert unknown.status_code == 422

    proposal = client.post(
        f"/api/v1/workshops/{wid}/proposals",
        json={
            "label": "Night shift has one call handler",
            "type": "latent_condition",
            "level": "organisation",
        },
        headers=bearer(other),
    )
    assert proposal.status_code == 201, proposal.json

    for expected_left in (1, 0):
        vote = client.post(
            f"/api/v1/workshops/{wid}/votes",
            json={"node": world.factor_ref},
            headers=bearer(token),
        )
        assert vote.status_code == 201
        assert vote.json["votes_left"] == expected_left
    over = client.post(
        f"/api/v1/workshops/{wid}/votes", json={"node": world.factor_ref}, headers=bearer(token)
    )
    assert over.status_code == 422
    assert "all 2 of your votes" in over.json["message"]
    on_event = client.post(
        f"/api/v1/workshops/{wid}/votes", json={"node": world.event_ref}, headers=bearer(other)
    )
    assert on_event.status_code == 422  # votes go on latent conditions only

    board = client.get(f"/api/v1/workshops/{wid}/board", headers=api("facilitator")).json
    assert [n["text"] for n in board["notes"]] == ["Standard grading meant nobody looked again."]
    assert board["notes"][0]["by"] == "Health Visitor 1"
    assert board["votes"] == [
        {"node": world.factor_ref, "label": board["votes"][0]["label"], "count": 2}
    ]
    assert board["participants"] == 2
    newer = client.get(
        f"/api/v1/workshops/{wid}/board?notes_after={board['notes_cursor']}"
        f"&proposals_after={board['proposals_cursor']}",
        headers=api("facilitator"),
    ).json
    assert newer["notes"] == [] and newer["proposals"] == []  # only what is new since the cursor
    assert newer["vote_total"] == 2  # vote counts are always whole

    closed = client.post(f"/api/v1/workshops/{wid}/close", headers=api("facilitator"))
    assert closed.status_code == 200
    assert closed.json["status"] == "closed"
    assert closed.json["vote_totals"] == {world.factor_ref: 2}
    for held in (token, other):
        after = client.post(
            f"/api/v1/workshops/{wid}/notes",
            json={"node": world.factor_ref, "text": "Too late"},
            headers=bearer(held),
        )
        assert after.status_code == 401
        assert (
            client.get(f"/api/v1/workshops/{wid}/material", headers=bearer(held)).status_code == 401
        )
    revoked = db_session.scalars(
        select(Participant.revoked_at).where(Participant.workshop_id == wid)
    )
    assert all(moment is not None for moment in revoked)
    again = client.post(
        "/api/v1/workshops/join", json={"code": workshop["join_code"], "name": "Late comer"}
    )
    assert again.status_code == 422


def test_participants_see_pseudonyms_never_real_names(
    client: Any, api: Any, world: World, db_session: Session
) -> None:
    review = db_session.get(Review, world.review_id)
    chronology_service.create_event(
        session=db_session,
        review=review,
        added_by_id=None,
        ref="E2",
        when=chronology_service.to_when("20/01/2023"),
        description=f"School nurse sees {REAL_NAME}; Tamsin says she is hungry.",
        kpe=world.kpe_ref,
    )
    add_agency(
        session=db_session,
        review=review,
        name="Brambleford Primary School",
        sector="School",
        ref="SCH",
    )
    chronology_service.create_event(
        session=db_session,
        review=review,
        added_by_id=None,
        ref="E4",
        when=chronology_service.to_when("21/01/2023"),
        description="Child T is absent from brambleford  primary school again.",
        agency="SCH",
        kpe=world.kpe_ref,
    )
    db_session.commit()
    workshop = new_workshop(client, api, review_id=world.review_id, kpes=[world.kpe_ref])
    token = join_workshop(client, workshop["join_code"], "Nurse")
    material = client.get(f"/api/v1/workshops/{workshop['id']}/material", headers=bearer(token))
    text = material.get_data(as_text=True)
    assert "Tamsin" not in text and "Testcase" not in text
    assert "Child T" in text
    # A school's name places the child: the material says "the school" instead.
    assert "brambleford" not in text.casefold()
    assert "absent from the school again" in text


def test_a_participant_token_opens_only_its_own_workshop(
    client: Any, api: Any, world: World
) -> None:
    first = new_workshop(client, api, review_id=world.review_id)
    second = new_workshop(client, api, review_id=world.review_id)
    token = join_workshop(client, first["join_code"], "Social Worker 2")
    assert (
        client.get(f"/api/v1/workshops/{second['id']}/material", headers=bearer(token)).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/workshops/{first['id']}/material", headers=bearer(token)).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/workshops/{first['id']}/material", headers=bearer("lrw_forged")
        ).status_code
        == 401
    )


OTHER_ROUTES = [
    (endpoint, rule, method)
    for endpoint, rule, method in app_routes()
    if policy.action_for(endpoint, method) not in (policy.PARTICIPANT, policy.JOIN, policy.ROOM)
]


@pytest.mark.parametrize(("endpoint", "rule", "method"), OTHER_ROUTES)
def test_a_participant_token_is_refused_on_every_other_route(
    app: Flask,
    client: Any,
    login: Any,
    world: World,
    db_session: Session,
    endpoint: str,
    rule: str,
    method: str,
) -> None:
    ids = {"membership_id": 1, "token_id": 1, "import_id": 1, **workshop_ids(db_session, world)}
    if "<int:entry_id>" in rule:
        entry = GoodPractice(
            partnership_id=world.partnership_id,
            review_id=world.review_id,
            ref="GP1",
            title="Seen alone",
            story="The health visitor saw the baby alone at every visit.",
        )
        db_session.add(entry)
        db_session.commit()
        ids["entry_id"] = entry.id
    if "<int:job_id>" in rule:
        ids["job_id"] = matrix_job(db_session, world)
    token = ids["participant_token"]
    url = route_url(rule, endpoint, world, ids)
    form = {"csrf_token": csrf_token(client, "/sign-in")} if method != "GET" else None
    as_bearer = client.open(url, method=method, headers=bearer(token), data=form)
    assert as_bearer.status_code in (401, 403), f"{method} {url} (bearer): {as_bearer.status_code}"
    # Even riding along with a chair's session, the participant's cookie is refused outright.
    login("chair")
    form = {"csrf_token": csrf_token(client, "/account")} if method != "GET" else None
    client.set_cookie(app.config["PARTICIPANT_COOKIE_NAME"], token, path="/")
    as_cookie = client.open(url, method=method, data=form)
    assert as_cookie.status_code == 403, f"{method} {url} (cookie): {as_cookie.status_code}"


def test_moderation_brings_notes_proposals_and_votes_into_the_review(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    workshop = new_workshop(client, api, review_id=world.review_id, title="Practitioner event")
    wid = workshop["id"]
    token = join_workshop(client, workshop["join_code"], "Call Handler")
    note = client.post(
        f"/api/v1/workshops/{wid}/notes",
        json={
            "node": world.factor_ref,
            "text": "The grading script had no prompt for children.",
            "prompt": "made_likely",
        },
        headers=bearer(token),
    ).json
    rejected = client.post(
        f"/api/v1/workshops/{wid}/notes",
        json={"node": world.event_ref, "text": "Off topic"},
        headers=bearer(token),
    ).json
    proposal = client.post(
        f"/api/v1/workshops/{wid}/proposals",
        json={
            "label": "Supervision slots cancelled in winter",
            "type": "latent_condition",
            "level": "team",
            "description": "Said by two teams.",
        },
        headers=bearer(token),
    ).json
    client.post(
        f"/api/v1/workshops/{wid}/votes", json={"node": world.factor_ref}, headers=bearer(token)
    )

    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{wid}"
    token_value = csrf_token(client, base + "/board")
    accepted = client.post(
        f"{base}/notes/{note['id']}", data={"csrf_token": token_value, "decision": "accept"}
    )
    assert accepted.status_code == 302
    client.post(
        f"{base}/notes/{rejected['id']}", data={"csrf_token": token_value, "decision": "reject"}
    )
    added = client.post(
        f"{base}/proposals/{proposal['id']}", data={"csrf_token": token_value, "decision": "accept"}
    )
    assert added.status_code == 302
    client.post(f"{base}/votes", data={"csrf_token": token_value})

    saved = db_session.get(Workshop, wid)
    db_session.refresh(saved)
    account = db_session.scalar(
        select(Account).where(
            Account.review_id == world.review_id, Account.ref == saved.account_ref
        )
    )
    assert account is not None and account.contributor_kind == "learning_event_group"
    assert "The grading script had no prompt for children." in account.narrative
    assert "Off topic" not in account.narrative
    assert [e.ref for e in account.events] == [world.event_ref]  # F1 contributed to E1
    statuses = dict(
        db_session.execute(
            select(WorkshopNote.id, WorkshopNote.status).where(WorkshopNote.workshop_id == wid)
        ).all()
    )
    assert statuses == {note["id"]: "accepted", rejected["id"]: "rejected"}
    factor = db_session.scalar(
        select(Factor).where(
            Factor.review_id == world.review_id,
            Factor.label == "Supervision slots cancelled in winter",
        )
    )
    assert factor is not None and factor.type == "latent_condition" and factor.condition is not None
    assert [(e.source, e.account.ref if e.account else None) for e in factor.evidence] == [
        ("practitioner_account", account.ref)
    ]
    assert saved.vote_totals == {world.factor_ref: 1}
    factor_page = client.get(f"/reviews/{world.review_id}/factors/{world.factor_ref}").get_data(
        as_text=True
    )
    assert "1 vote at" in factor_page and "Practitioner event" in factor_page
    audited = db_session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.entity_type == "workshop_notes", AuditEntry.action == "update"
        )
    )
    assert audited and audited >= 2
    # A note cannot be accepted twice.
    again = client.post(
        f"{base}/notes/{note['id']}",
        data={"csrf_token": token_value, "decision": "accept"},
        follow_redirects=True,
    )
    assert "already been moderated" in again.get_data(as_text=True)


def test_the_browser_flow_joins_with_a_cookie_scoped_to_the_workshop(
    client: Any, api: Any, world: World, app: Flask
) -> None:
    workshop = new_workshop(client, api, review_id=world.review_id)
    wid = workshop["id"]
    page = client.get(f"/join/{workshop['join_code']}")
    assert page.status_code == 200
    assert workshop["join_code"] in page.get_data(as_text=True)
    joined = client.post(
        "/join",
        data={
            "csrf_token": csrf_token(client, "/join"),
            "code": workshop["join_code"],
            "name": "Midwife",
        },
    )
    assert joined.status_code == 302 and joined.location == f"/w/{wid}/"
    cookie = joined.headers["Set-Cookie"]
    assert f"Path=/w/{wid}/" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    home = client.get(f"/w/{wid}/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "you are Midwife" in html
    assert REAL_NAME not in html
    assert "My reviews" not in html  # no way into the rest of the app
    note_page = client.get(f"/w/{wid}/nodes/{world.factor_ref}")
    assert note_page.status_code == 200
    added = client.post(
        f"/w/{wid}/notes",
        data={
            "csrf_token": csrf_token(client, f"/w/{wid}/nodes/{world.factor_ref}"),
            "node": world.factor_ref,
            "prompt": "helped",
            "text": "The neighbour called again.",
        },
    )
    assert added.status_code == 302
    empty = client.post(
        f"/w/{wid}/notes",
        data={
            "csrf_token": csrf_token(client, f"/w/{wid}/nodes/{world.factor_ref}"),
            "node": world.factor_ref,
            "text": "",
        },
    )
    # Post, redirect, get: the address bar shows the node's page, with the error on it.
    assert empty.status_code == 302 and empty.location == f"/w/{wid}/nodes/{world.factor_ref}"
    again = client.get(empty.location).get_data(as_text=True)
    assert "Write the note" in again and "govuk-error-summary" in again
    assert "Write the note" not in client.get(empty.location).get_data(as_text=True)
    board = client.get(f"/api/v1/workshops/{wid}/board", headers=api("facilitator")).json
    assert [(n["text"], n["prompt"]) for n in board["notes"]] == [
        ("The neighbour called again.", "helped")
    ]


def test_joining_is_rate_limited(connection: Any, database_url: str, world: World) -> None:
    from models.engine import make_session_factory

    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": database_url,
            "WORKSHOP_JOIN_RATE_LIMIT": "3 per minute",
        }
    )
    app.extensions["lr_engine"].dispose()
    app.extensions["lr_session_factory"] = make_session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    client = app.test_client()
    answers = [
        client.post("/api/v1/workshops/join", json={"code": "AAAAAA", "name": "Guess"}).status_code
        for _ in range(4)
    ]
    assert answers == [422, 422, 422, 429]


def test_join_codes_are_unique_among_open_workshops(db_session: Session, world: World) -> None:
    review = db_session.get(Review, world.review_id)
    first = service.create_workshop(session=db_session, review=review, facilitator=None)
    second = service.create_workshop(session=db_session, review=review, facilitator=None)
    assert first.join_code != second.join_code
    service.close_workshop(session=db_session, workshop=first)
    second.join_code = first.join_code  # a closed workshop's old code may be used again
    db_session.flush()
    third = service.create_workshop(session=db_session, review=review, facilitator=None)
    third.join_code = second.join_code
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_presenter_shows_the_chronology_as_known_at_the_time_and_the_reveal(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    review = db_session.get(Review, world.review_id)
    chronology_service.create_event(
        session=db_session,
        review=review,
        added_by_id=None,
        ref="E0",
        when=chronology_service.to_when("02/01/2023"),
        description="Health visitor's new-birth visit to Child T.",
    )
    chronology_service.create_event(
        session=db_session,
        review=review,
        added_by_id=None,
        ref="E9",
        when=chronology_service.to_when("03/06/2023"),
        description="Hindsight: the later hospital admission.",
    )
    db_session.commit()
    workshop = new_workshop(client, api, review_id=world.review_id, kpes=[world.kpe_ref])
    login("facilitator")
    page = client.get(f"/reviews/{world.review_id}/workshops/{workshop['id']}/present")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "new-birth visit" in html  # before the episode: could be known
    assert "later hospital admission" not in html  # after it: hindsight, never shown
    for label in ("Events", "Active failures", "Latent conditions", "Protective factors"):
        assert f"· {label}</h2>" in html
    assert "<script>" not in html and " style=" not in html
    svg = client.get(
        f"/reviews/{world.review_id}/workshops/{workshop['id']}/graph/{world.kpe_ref}/2.svg"
    )
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data


def test_the_pack_is_a_pdf_and_the_handout_is_refused_while_it_identifies_someone(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    workshop = new_workshop(client, api, review_id=world.review_id, agenda="- 10:00 Welcome")
    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{workshop['id']}"
    pack = client.get(base + "/pack.pdf")
    assert pack.status_code == 200 and pack.mimetype == "application/pdf"
    text = pdf_text(pack.data)
    assert "Welcome" in text  # the agenda
    assert "What did you think was going on?" in text  # the default questions
    assert "Graph views" in text and NOT_DRAWN.split(":")[0] not in text
    handout = client.get(base + "/handout.pdf")
    assert handout.status_code == 200 and handout.data.startswith(b"%PDF")

    review = db_session.get(Review, world.review_id)
    chronology_service.create_event(
        session=db_session,
        review=review,
        added_by_id=None,
        ref="E3",
        when=chronology_service.to_when("15/01/2023"),
        description="Mother rang from 07700 900123 to ask for a visit.",
        kpe=world.kpe_ref,
    )
    db_session.commit()
    flagged = new_workshop(client, api, review_id=world.review_id)
    refused = client.get(f"/reviews/{world.review_id}/workshops/{flagged['id']}/handout.pdf")
    assert refused.status_code == 409
    assert "phone" in refused.get_data(as_text=True)


def test_the_pack_draws_its_graphs_within_a_time_budget(
    client: Any, api: Any, login: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workshop_outputs, "PACK_GRAPH_BUDGET", 0.0)
    workshop = new_workshop(client, api, review_id=world.review_id)
    login("facilitator")
    pack = client.get(f"/reviews/{world.review_id}/workshops/{workshop['id']}/pack.pdf")
    assert pack.status_code == 200
    assert NOT_DRAWN.split(":")[0] in " ".join(pdf_text(pack.data).split())


def test_the_openapi_document_lists_the_workshop_routes(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/reviews/{review_id}/workshops",
        "/api/v1/workshops/join",
        "/api/v1/workshops/{workshop_id}/notes",
        "/api/v1/workshops/{workshop_id}/proposals",
        "/api/v1/workshops/{workshop_id}/votes",
        "/api/v1/workshops/{workshop_id}/close",
    ):
        assert path in paths, path


def test_planning_form_keeps_what_was_typed_and_saves_every_field(
    client: Any, login: Any, world: World, db_session: Session
) -> None:
    login("lead_reviewer")
    url = f"/reviews/{world.review_id}/workshops/new"
    token = csrf_token(client, url)
    bad = client.post(
        url, data={"csrf_token": token, "title": "Event 2", "votes_per_participant": "99"}
    )
    assert bad.status_code == 422
    assert 'value="Event 2"' in bad.get_data(as_text=True)
    good = client.post(
        url,
        data={
            "csrf_token": token,
            "title": "Event 2",
            "held_on": "2026-12-03",
            "kpes": world.kpe_ref,
            "graph_views": "kpe",
            "agenda": "Welcome",
            "questions": "What helped?\nWhat got in the way?",
            "votes_per_participant": "5",
        },
    )
    assert good.status_code == 302
    saved = db_session.scalar(select(Workshop).where(Workshop.title == "Event 2"))
    assert saved is not None
    assert (
        saved.held_on,
        saved.kpes,
        saved.graph_views,
        saved.questions,
        saved.votes_per_participant,
    ) == (date(2026, 12, 3), [world.kpe_ref], ["kpe"], ["What helped?", "What got in the way?"], 5)
    assert saved.facilitator_id == world.users["lead_reviewer"]


def test_participants_of_a_closed_workshop_are_told_it_has_ended(
    client: Any, api: Any, world: World
) -> None:
    workshop = new_workshop(client, api, review_id=world.review_id)
    wid = workshop["id"]
    joined = client.post(
        "/join",
        data={
            "csrf_token": csrf_token(client, "/join"),
            "code": workshop["join_code"],
            "name": "GP",
        },
    )
    assert joined.status_code == 302
    assert client.get(f"/w/{wid}/").status_code == 200
    closed = client.post(f"/api/v1/workshops/{wid}/close", headers=api("facilitator"))
    assert closed.status_code == 200
    after = client.get(f"/w/{wid}/")
    assert after.status_code == 302 and after.location.startswith("/join")
    page = client.get(after.location).get_data(as_text=True)
    assert "This workshop has ended." in page
    assert "This workshop has ended." not in client.get("/join").get_data(as_text=True)
