"""The room wall: notes and proposals wait for the facilitator, who shows, edits then shows,
or sets aside each (with undo); the projector and participants see only what was shown,
masked as the room sees everything. Notes accepted into the review stay masked unless the
facilitator types a detail back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.security import participant_for_token
from app.services import workshops as service
from app.services.errors import ServiceError
from models import Account, Person, Workshop, WorkshopNote
from tests.conftest import World, csrf_token
from tests.helpers import bearer, join_workshop, new_workshop

NOTE = "I rang Kerry Ashdown on 07700 900222 about the caseloads."


def _room(client: Any, api: Any, world: World, db_session: Session) -> dict[str, Any]:
    db_session.add(
        Person(
            review_id=world.review_id,
            ref="P7",
            pseudonym="Mother",
            role="parent",
            real_name="Kerry Ashdown",
        )
    )
    db_session.commit()
    workshop = new_workshop(client, api, review_id=world.review_id, title="Room wall event")
    first = join_workshop(client, workshop["join_code"], "Call Handler")
    second = join_workshop(client, workshop["join_code"], "")
    wid = workshop["id"]
    note = client.post(
        f"/api/v1/workshops/{wid}/notes",
        json={"node": world.factor_ref, "text": NOTE},
        headers=bearer(first),
    ).json
    proposal = client.post(
        f"/api/v1/workshops/{wid}/proposals",
        json={"label": "Nobody owns the referral", "type": "latent_condition", "level": "team"},
        headers=bearer(second),
    ).json
    return {"id": wid, "note": note["id"], "proposal": proposal["id"], "tokens": (first, second)}


def _wall(client: Any, room: dict[str, Any], token: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/workshops/{room['id']}/room", headers=bearer(token))
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_nothing_reaches_the_room_wall_until_the_facilitator_shows_it(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    room = _room(client, api, world, db_session)
    first, second = room["tokens"]
    wall = _wall(client, room, second)
    assert wall["notes"] == [] and wall["proposals"] == [] and wall["words"] == []
    # The facilitator's own view of the room is the projector's: empty too.
    as_facilitator = client.get(f"/api/v1/workshops/{room['id']}/room", headers=api("facilitator"))
    assert as_facilitator.status_code == 200 and as_facilitator.json["notes"] == []

    shown = client.post(
        f"/api/v1/workshops/{room['id']}/notes/{room['note']}/show",
        headers=api("facilitator"),
    )
    assert shown.status_code == 200, shown.json
    wall = _wall(client, room, second)
    [note] = wall["notes"]
    assert note["text"] == "I rang Mother on [identifying detail removed] about the caseloads."
    assert note["by"] == "Call Handler"
    assert wall["clusters"][0]["node"] == world.factor_ref
    assert "caseloads" in {w["word"] for w in wall["words"]}
    assert "07700" not in str(wall) and "Kerry" not in str(wall)
    assert wall["proposals"] == []  # still waiting

    # A participant's page shows the same wall; an anonymous participant reads "Anonymous".
    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{room['id']}"
    token = csrf_token(client, f"{base}/board")
    client.post(
        f"{base}/proposals/{room['proposal']}", data={"csrf_token": token, "decision": "show"}
    )
    wall = _wall(client, room, first)
    assert [p["label"] for p in wall["proposals"]] == ["Nobody owns the referral"]
    assert wall["proposals"][0]["by"] == "Anonymous"

    # The participants' room wall page, joined anonymously in a browser.
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    code = db_session.get(Workshop, room["id"]).join_code
    joined = client.post(
        "/join", data={"csrf_token": csrf_token(client, "/join"), "code": code, "name": ""}
    )
    assert joined.status_code == 302
    page = client.get(f"/w/{room['id']}/room").get_data(as_text=True)
    assert "I rang Mother on [identifying detail removed] about the caseloads." in page
    assert "Nobody owns the referral" in page and "07700" not in page
    assert "you are anonymous" in page


def test_set_aside_is_undone_and_an_edit_is_what_the_room_sees(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    room = _room(client, api, world, db_session)
    _first, second = room["tokens"]
    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{room['id']}"
    token = csrf_token(client, f"{base}/board")
    note_url = f"{base}/notes/{room['note']}"
    client.post(note_url, data={"csrf_token": token, "decision": "reject"})
    board = client.get(f"{base}/board").get_data(as_text=True)
    words = re.sub(r"<[^>]+>", " ", board)  # what the facilitator reads
    assert "Undo set aside" in words and "rejected" not in words
    client.post(note_url, data={"csrf_token": token, "decision": "restore"})
    note = db_session.get(WorkshopNote, room["note"])
    db_session.refresh(note)
    assert note.status == "pending"

    page = client.get(f"{note_url}/show").get_data(as_text=True)
    assert "[identifying detail removed]" in page and "07700" not in page
    empty = client.post(f"{note_url}/show", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 422
    assert _wall(client, room, second)["notes"] == []
    done = client.post(
        f"{note_url}/show",
        data={
            "csrf_token": token,
            "text": "Caseloads meant calls to 07700 900222 went unanswered.",
        },
    )
    assert done.status_code == 302
    [shown] = _wall(client, room, second)["notes"]
    assert shown["text"] == "Caseloads meant calls to [identifying detail removed] went unanswered."

    client.post(note_url, data={"csrf_token": token, "decision": "hide"})
    assert _wall(client, room, second)["notes"] == []
    client.post(note_url, data={"csrf_token": token, "decision": "show"})
    client.post(note_url, data={"csrf_token": token, "decision": "reject"})
    assert _wall(client, room, second)["notes"] == []
    client.post(note_url, data={"csrf_token": token, "decision": "restore"})
    assert len(_wall(client, room, second)["notes"]) == 1  # back where it was: on the wall


def test_the_room_is_for_the_facilitator_and_the_workshops_participants_only(
    client: Any, api: Any, world: World, db_session: Session
) -> None:
    room = _room(client, api, world, db_session)
    url = f"/api/v1/workshops/{room['id']}/room"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=api("observer")).status_code == 403
    other = new_workshop(client, api, review_id=world.review_id)
    stranger = join_workshop(client, other["join_code"], "Elsewhere")
    assert client.get(url, headers=bearer(stranger)).status_code == 403
    show = f"/api/v1/workshops/{room['id']}/notes/{room['note']}/show"
    assert client.post(show, headers=bearer(room["tokens"][0])).status_code == 403
    assert client.post(show, headers=api("observer")).status_code == 403


def test_upvotes_go_on_what_the_room_can_see_once_each(
    client: Any, api: Any, world: World, db_session: Session
) -> None:
    room = _room(client, api, world, db_session)
    first, second = room["tokens"]

    def upvote(token: str) -> bool:
        participant = participant_for_token(db_session, token)
        assert participant is not None
        given = service.toggle_upvote(
            session=db_session, participant=participant, note_id=room["note"]
        )
        db_session.commit()
        return given

    with pytest.raises(ServiceError, match="not on the room wall"):
        upvote(first)
    db_session.rollback()
    client.post(
        f"/api/v1/workshops/{room['id']}/notes/{room['note']}/show", headers=api("facilitator")
    )
    assert upvote(first) and upvote(second)
    assert _wall(client, room, first)["notes"][0]["upvotes"] == 2
    assert _wall(client, room, first)["notes"][0]["upvoted"] is True
    assert upvote(first) is False  # a second press takes it back
    wall = _wall(client, room, first)
    assert wall["notes"][0]["upvotes"] == 1 and wall["notes"][0]["upvoted"] is False


def test_a_note_accepted_in_one_click_goes_in_as_the_room_saw_it(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    """Regression (issue 13): "Edit and accept" started from the raw text and the quick
    accept stored the phone number the room had seen masked."""
    room = _room(client, api, world, db_session)
    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{room['id']}"
    page = client.get(f"{base}/notes/{room['note']}/accept").get_data(as_text=True)
    box = page.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "07700" not in box and "[identifying detail removed]" in box
    token = csrf_token(client, f"{base}/board")
    # The box's own text, accepted in one click: nothing the room had masked comes back.
    client.post(
        f"{base}/notes/{room['note']}/accept",
        data={"csrf_token": token, "text": box.split(">", 1)[1].strip()},
    )
    saved = db_session.get(Workshop, room["id"])
    db_session.refresh(saved)
    account = db_session.scalar(
        select(Account).where(
            Account.review_id == world.review_id, Account.ref == saved.account_ref
        )
    )
    assert account is not None
    assert "07700" not in account.narrative and "Kerry" not in account.narrative
    assert "[identifying detail removed]" in account.narrative

    # The board's plain "accept" (no edit box at all) is masked the same way.
    second = client.post(
        f"/api/v1/workshops/{room['id']}/notes",
        json={"node": world.factor_ref, "text": "Call 07700 900333 for the duty desk."},
        headers=bearer(room["tokens"][0]),
    ).json
    client.post(f"{base}/notes/{second['id']}", data={"csrf_token": token, "decision": "accept"})
    note = db_session.get(WorkshopNote, second["id"])
    db_session.refresh(note)
    assert note.status == "accepted" and "07700" not in note.text


def test_closing_warns_what_waits_and_keeps_a_half_typed_note(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    room = _room(client, api, world, db_session)
    code = db_session.get_one(Workshop, room["id"]).join_code
    joined = client.post(
        "/join", data={"csrf_token": csrf_token(client, "/join"), "code": code, "name": "Typist"}
    )
    assert joined.status_code == 302
    node = f"/w/{room['id']}/nodes/{world.factor_ref}"
    token = csrf_token(client, node)
    saved = client.post(
        f"/w/{room['id']}/draft",
        data={"csrf_token": token, "node": world.factor_ref, "text": "Supervision was mon"},
    )
    assert saved.status_code == 204
    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{room['id']}"
    confirm = client.get(f"{base}/close").get_data(as_text=True)
    assert "1 note waits for you and 1 proposed factor." in confirm
    assert "1 participant is still typing" in confirm
    assert db_session.get_one(Workshop, room["id"]).is_open  # a look changes nothing
    closed = client.post(f"{base}/close", data={"csrf_token": csrf_token(client, base)})
    assert closed.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "1 note that participants had not sent was kept" in page
    unsent = db_session.scalars(
        select(WorkshopNote).where(WorkshopNote.workshop_id == room["id"], WorkshopNote.unsent)
    ).all()
    assert [n.text for n in unsent] == ["Supervision was mon"]
    board = client.get(f"{base}/board").get_data(as_text=True)
    assert "Supervision was mon" in board and "unsent when the workshop closed" in board
    presenter = client.get(f"{base}/present").get_data(as_text=True)
    assert "This workshop has ended" in presenter and code not in presenter


def test_a_proposal_has_no_kind_until_the_participant_chooses_one(
    client: Any, api: Any, world: World, db_session: Session
) -> None:
    workshop = new_workshop(client, api, review_id=world.review_id)
    client.post(
        "/join",
        data={
            "csrf_token": csrf_token(client, "/join"),
            "code": workshop["join_code"],
            "name": "",
        },
    )
    url = f"/w/{workshop['id']}/propose"
    form = client.get(url).get_data(as_text=True)
    kinds = form.split('name="type"', 1)[1].split("</select>", 1)[0]
    assert '<option value="">Choose the kind of factor</option>' in kinds
    assert "selected" not in kinds  # no kind chosen for them
    refused = client.post(
        url, data={"csrf_token": csrf_token(client, url), "label": "Rota gaps", "level": "team"}
    )
    assert refused.status_code == 422
    assert "Choose the kind of factor" in refused.get_data(as_text=True)
    assert 'value="Rota gaps"' in refused.get_data(as_text=True)  # what was typed is kept
