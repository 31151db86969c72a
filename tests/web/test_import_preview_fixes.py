"""What a new user tripped on in an agency's import (issue 12's review): a name in the file's
people column that matches nobody is kept in the event's text, and a row's time can be fixed
in the preview, which says when a fixed row still has a problem. All names are fictional."""

from __future__ import annotations

import io
import re
from typing import Any

from sqlalchemy import select

from models import Event
from tests.conftest import World, csrf_token


def _upload(client: Any, world: World, text: str, name: str) -> tuple[str, str]:
    base = f"/reviews/{world.review_id}/chronology"
    token = csrf_token(client, "/account")
    uploaded = client.post(
        f"{base}/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(text.encode()), name),
            "agency": "Northshire Police",
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:3000]
    return uploaded.location, token


def test_an_officer_who_matches_nobody_is_kept_in_the_events_text(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("panel_member")
    preview, token = _upload(
        client,
        world,
        "Date,Time,Officer,Details,Outcome\n"
        "21/01/2024,22:15,PC 1234 Smith,999 call from neighbour,Words of advice\n",
        "police.csv",
    )
    # The user says the Officer column names people.
    changed = client.post(preview + "/columns", data={"csrf_token": token, "column-2": "people"})
    assert changed.status_code == 302
    page = client.get(preview).get_data(as_text=True)
    assert "PC 1234 Smith" in page[page.index('id="unknown-people"') :]  # matches nobody
    assert client.post(preview + "/confirm", data={"csrf_token": token}).status_code == 302
    event = db_session.scalar(select(Event).where(Event.import_id.is_not(None)))
    assert event is not None and event.date == "2024-01-21T22:15"
    assert event.description == "999 call from neighbour\n\nOfficer: PC 1234 Smith"


def test_a_rows_time_is_fixed_in_the_preview_and_a_row_still_wrong_says_so(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("panel_member")
    preview, token = _upload(
        client,
        world,
        "Date,Time,Details\n02/05/2024,25:00,Strategy discussion held\nMar 2024,09:30,Home visit\n",
        "times.csv",
    )
    page = client.get(preview).get_data(as_text=True)
    assert "Row 2" in page and "25:00" in page
    assert 'id="time-2"' in page and 'value="25:00"' in page  # the time, to fix in place
    unchanged = client.post(
        preview + "/rows",
        data={"csrf_token": token, "row": "2", "action": "fix", "date": "02/05/2024"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Row 2 still has a problem" in unchanged and "ready to import" not in unchanged
    fixed = client.post(
        preview + "/rows",
        data={"csrf_token": token, "row": "2", "action": "fix", "time": "10:00"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Row 2 was read again with your changes: it is ready to import" in fixed
    # A month with a time: the time is cleared to keep the month as written.
    client.post(preview + "/rows", data={"csrf_token": token, "row": "3", "time": ""})
    assert client.post(preview + "/confirm", data={"csrf_token": token}).status_code == 302
    stored = db_session.scalars(select(Event).where(Event.import_id.is_not(None))).all()
    assert sorted(e.date for e in stored) == ["2024-03", "2024-05-02T10:00"]


def test_a_person_added_from_the_preview_is_linked_in_it_at_once(
    client: Any, login: Any, world: World
) -> None:
    login("chair")
    preview, token = _upload(
        client,
        world,
        "Date,Details\n03/03/2024,DS Kaur visits the home with a social worker\n",
        "police.csv",
    )
    page = client.get(preview).get_data(as_text=True)
    assert "DS Kaur" in page[page.index('id="unknown-people"') :]
    people = f"/reviews/{world.review_id}/people/new?back={preview.split('localhost')[-1]}"
    form = client.post(people, data={"csrf_token": token, "prefill_name": "DS Kaur"})
    html = form.get_data(as_text=True)
    # A titled name is offered as a practitioner, with the real name filled in.
    assert 'value="DS Kaur"' in html
    assert re.search(r'<option (selected value="practitioner"|value="practitioner" selected)', html)
    added = client.post(
        people,
        data={
            "csrf_token": token,
            "pseudonym": "Police Officer 2",
            "role": "practitioner",
            "real_name": "DS Kaur",
        },
    )
    assert added.status_code == 302 and "/chronology/imports/" in added.location
    page = client.get(added.location).get_data(as_text=True)
    assert (
        'id="unknown-people"' not in page or "DS Kaur" not in page.split('id="unknown-people"')[1]
    )
    assert "Police Officer 2 (1 entry)" in page


def test_a_name_in_the_text_that_the_register_lacks_is_offered_for_it(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    preview, _token = _upload(
        client,
        world,
        "Date,Details\n04/03/2024,Gary Pike (neighbour) reported shouting at the flat\n",
        "police.csv",
    )
    page = client.get(preview).get_data(as_text=True)
    offered = page[page.index('id="unknown-people"') :]
    assert "Gary Pike" in offered and 'name="prefill_name" value="Gary Pike"' in offered
