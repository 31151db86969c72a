"""Moderating what the room said: a note is edited (names out, a phone number removed) before
it goes into the review's group account, the edit is audited, and the account keeps the
note's line breaks and uses the app's dates; proposed factors read in words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Account, AuditEntry, Person, Workshop, WorkshopNote
from models.audit import AuditReader
from tests.conftest import World, csrf_token
from tests.helpers import bearer, join_workshop, new_workshop

NOTE = "I rang Kerry Ashdown on 07700 900222.\n- Caseloads were high\n- Nobody had time"


def _room_with_a_note(client: Any, api: Any, world: World, db_session: Session) -> dict[str, Any]:
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
    workshop = new_workshop(
        client, api, review_id=world.review_id, title="Practitioner event", date="2026-11-27"
    )
    token = join_workshop(client, workshop["join_code"], "Call Handler")
    note = client.post(
        f"/api/v1/workshops/{workshop['id']}/notes",
        json={"node": world.factor_ref, "text": NOTE},
        headers=bearer(token),
    ).json
    return {"id": workshop["id"], "note": note["id"]}


def test_the_facilitator_edits_a_note_before_accepting_it(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    room = _room_with_a_note(client, api, world, db_session)
    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{room['id']}"
    board = client.get(base + "/board").get_data(as_text=True)
    assert f"{base}/notes/{room['note']}/accept" in board and "Edit and accept" in board
    page = client.get(f"{base}/notes/{room['note']}/accept")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # The box starts as the room saw the note: names pseudonymised, the phone number masked;
    # the note as typed is there to restore a detail on purpose, and the number is pointed out.
    box = html.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "I rang Mother on [identifying detail removed]." in box and "07700" not in box
    assert "Kerry" not in html
    assert 'id="note-as-typed"' in html and "I rang Mother on 07700 900222." in html
    assert 'id="note-warnings"' in html and "Phone number" in html
    token = csrf_token(client, f"{base}/notes/{room['note']}/accept")
    empty = client.post(
        f"{base}/notes/{room['note']}/accept", data={"csrf_token": token, "text": " "}
    )
    assert empty.status_code == 422
    assert "Write the note as it should go into the review" in empty.get_data(as_text=True)
    edited = "I rang Mother.\n- Caseloads were high\n- Nobody had time"
    typed = client.post(
        f"{base}/notes/{room['note']}/accept",
        data={"csrf_token": token, "text": "x" * 2001},
    )
    assert typed.status_code == 422 and "x" * 2001 in typed.get_data(as_text=True)  # kept
    done = client.post(
        f"{base}/notes/{room['note']}/accept", data={"csrf_token": token, "text": edited}
    )
    assert done.status_code == 302

    saved = db_session.get(Workshop, room["id"])
    db_session.refresh(saved)
    account = db_session.scalar(
        select(Account).where(
            Account.review_id == world.review_id, Account.ref == saved.account_ref
        )
    )
    assert account is not None
    assert "07700" not in account.narrative and "Kerry" not in account.narrative
    note = db_session.get(WorkshopNote, room["note"])
    db_session.refresh(note)
    assert note.status == "accepted" and note.text == edited
    changes = db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "workshop_notes", AuditEntry.entity_id == str(room["note"])
        )
    ).all()
    # The edit is in the audit log, sealed with the review's key (free text may hold a name).
    reader = AuditReader(db_session, decrypt=True)
    assert any((reader.values(e)[1] or {}).get("text") == edited for e in changes)
    assert not any(edited in e.after_json for e in changes)

    # The account page: the app's date and the note's list kept as a list.
    login("panel_member")
    page = client.get(f"/reviews/{world.review_id}/accounts/{account.ref}").get_data(as_text=True)
    assert "27 Nov 2026" in page and "2026-11-27" not in page
    assert "<li>Caseloads were high</li>" in page and "<li>Nobody had time</li>" in page


def test_proposed_factors_on_the_board_read_in_words(
    client: Any, api: Any, login: Any, world: World, db_session: Session
) -> None:
    workshop = new_workshop(client, api, review_id=world.review_id)
    token = join_workshop(client, workshop["join_code"], "HV")
    client.post(
        f"/api/v1/workshops/{workshop['id']}/proposals",
        json={
            "label": "Winter supervision gaps",
            "type": "active_failure",
            "level": "national",
            "description": "Said by two teams.",
        },
        headers=bearer(token),
    )
    board = client.get(f"/api/v1/workshops/{workshop['id']}/board", headers=api("facilitator")).json
    proposal = board["proposals"][0]
    assert proposal["type_label"] == "Active failure"
    assert proposal["level_label"] == "National"
    login("facilitator")
    html = client.get(f"/reviews/{world.review_id}/workshops/{workshop['id']}/board").get_data(
        as_text=True
    )
    assert "active_failure" not in html
    assert "<strong>Winter supervision gaps</strong></p>" in html
    assert (
        '<p class="govuk-body lr-prewrap lr-proposal__description">Said by two teams.</p>' in html
    )
