"""Smaller things a user notices: participants told a workshop has ended, an action due in
the past warned about, Markdown on the finding page styled as body text."""

from __future__ import annotations

from typing import Any

from tests.conftest import World, csrf_token
from tests.helpers import new_workshop


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
