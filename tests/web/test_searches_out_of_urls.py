"""A search's words never travel in a URL: forms post them to /search, which keeps them on
the server for the browser session and opens the page with ``search=<token>``; the access
log and the audit table never hold a real name searched for (issue 20)."""

from __future__ import annotations

import io
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask, request_finished
from sqlalchemy import func, select, text

from app.security import _sha256
from models import SavedSearch, UserSession
from models.audit.chain import verify_chain
from tests.conftest import World, csrf_token

NAME = "Ignatius Fernwhistle"


def _search(client: Any, back: str, **fields: str) -> Any:
    """The filter form as a browser posts it, from the page ``back``."""
    return client.post(
        "/search", data={"csrf_token": csrf_token(client, back), "back": back, **fields}
    )


def _add_event(client: Any, world: World, headers: dict[str, str], description: str) -> None:
    answer = client.post(
        f"/api/v1/reviews/{world.review_id}/events",
        json={"date": "2023-01-14", "date_precision": "day", "description": description},
        headers=headers,
    )
    assert answer.status_code == 201, answer.get_json()


def _sign_in(client: Any, db_session: Any, world: World, who: str) -> None:
    """Another browser, signed in as ``who`` (as the login fixture does for ``client``)."""
    token = secrets.token_urlsafe(32)
    db_session.add(UserSession(token_hash=_sha256(token), user_id=world.users[who]))
    db_session.commit()
    with client.session_transaction() as flask_session:
        flask_session["sid"] = token
        flask_session["_user_id"] = str(world.users[who])
        flask_session["_fresh"] = True


def test_the_chronology_search_keeps_its_words_out_of_the_url(
    client: Any, login: Any, world: World, api: Any
) -> None:
    headers = api("panel_member")
    _add_event(client, world, headers, "Strategy meeting about the lodger")
    _add_event(client, world, headers, "Routine health check")
    login("panel_member")
    base = f"/reviews/{world.review_id}/chronology"
    answer = _search(client, base, q="lodger", agency="", known_at="")
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert "lodger" not in location and urlsplit(location).path == base
    assert list(parse_qs(urlsplit(location).query)) == ["search"]
    page = client.get(location).get_data(as_text=True)
    assert "Strategy meeting about the lodger" in page and "Routine health check" not in page
    assert 'value="lodger"' in page  # the box shows what was searched for
    # The downloads and the width toggle carry the token, never the words.
    assert "chronology.csv?search=" in page and "q=lodger" not in page
    csv = client.get(location.replace("/chronology?", "/chronology.csv?")).get_data(as_text=True)
    assert "Strategy meeting about the lodger" in csv and "Routine health check" not in csv


def test_a_page_opened_with_the_words_in_its_url_drops_them_at_once(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    base = f"/reviews/{world.review_id}/chronology"
    answer = client.get(f"{base}?q=Fernwhistle&agency=none")
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert "Fernwhistle" not in location and "agency=none" in location and "search=" in location
    assert 'value="Fernwhistle"' in client.get(location).get_data(as_text=True)


def test_a_search_is_this_browsers_only_and_ends_with_its_session(
    app: Flask, client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("panel_member")
    base = f"/reviews/{world.review_id}/chronology"
    location = _search(client, base, q="lodger").headers["Location"]
    # Another user (another browser) given the link sees no search, and is told why.
    other = app.test_client()
    _sign_in(other, db_session, world, "chair")
    page = other.get(location).get_data(as_text=True)
    assert "That search has ended" in page and 'value="lodger"' not in page
    # Signing out forgets this browser's searches.
    assert db_session.scalar(select(func.count()).select_from(SavedSearch)) == 1
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert db_session.scalar(select(func.count()).select_from(SavedSearch)) == 0


def test_the_good_practice_register_search_posts_too(client: Any, login: Any, world: World) -> None:
    login("chair")
    page = client.get("/good-practice").get_data(as_text=True)
    form = page[page.index('id="register-filters"') - 200 :][:600]
    assert 'method="post"' in form and 'action="/search"' in form
    answer = _search(client, "/good-practice", q="same day", theme="")
    location = answer.headers["Location"]
    assert answer.status_code == 303 and "same" not in location and "search=" in location
    assert 'value="same day"' in client.get(location).get_data(as_text=True)


def test_search_refuses_to_send_the_user_off_the_site(client: Any, login: Any) -> None:
    login("chair")
    for back in ("https://elsewhere.example/x", "//elsewhere.example/x", "relative"):
        answer = client.post(
            "/search",
            data={"csrf_token": csrf_token(client, "/good-practice"), "back": back, "q": "x"},
        )
        assert answer.status_code == 303
        assert urlsplit(answer.headers["Location"]).netloc in ("", "localhost")
        assert "elsewhere" not in answer.headers["Location"]


def test_search_needs_the_forms_csrf_token(client: Any, login: Any, world: World) -> None:
    login("chair")
    answer = client.post("/search", data={"back": "/good-practice", "q": "x"})
    assert answer.status_code == 400


def test_adding_a_person_then_searching_for_them_leaves_no_real_name_in_logs_or_audit(
    client: Any, login: Any, world: World, db_session: Any, app: Flask, api: Any
) -> None:
    """The issue's check: the access log (every URL requested and redirected to) and the
    audit table never hold the real name in clear text, and the audit chain verifies."""
    urls: list[str] = []

    def note(sender: Flask, response: Any, **extra: Any) -> None:
        from flask import request

        urls.append(request.full_path)
        urls.append(response.headers.get("Location", ""))

    log = io.StringIO()
    handler = app.extensions.get("lr_log_handler")
    old_stream = handler.setStream(log) if handler is not None else None
    request_finished.connect(note, app)
    try:
        login("chair")
        path = f"/reviews/{world.review_id}/people/new"
        added = client.post(
            path,
            data={
                "csrf_token": csrf_token(client, path),
                "pseudonym": "Lodger",
                "role": "household_adult",
                "real_name": NAME,
            },
        )
        assert added.status_code == 302
        _add_event(client, world, api("chair"), f"{NAME} moved into the household")
        base = f"/reviews/{world.review_id}/chronology"
        found = client.get(_search(client, base, q="Fernwhistle").headers["Location"])
        assert f"{NAME} moved into the household" in found.get_data(as_text=True)
    finally:
        request_finished.disconnect(note, app)
        if handler is not None and old_stream is not None:
            handler.setStream(old_stream)
    assert urls and not [u for u in urls if "Fernwhistle" in u]
    assert "Fernwhistle" not in log.getvalue()
    audit_rows = db_session.execute(text("SELECT * FROM audit_entries")).all()
    assert audit_rows
    assert not [row for row in audit_rows if "Fernwhistle" in json.dumps([str(c) for c in row])]
    checked, broken = verify_chain(db_session)
    assert checked > 0 and broken is None


def test_add_to_the_register_from_an_import_posts_the_name(
    client: Any, login: Any, world: World
) -> None:
    login("chair")
    path = f"/reviews/{world.review_id}/people/new"
    back = f"/reviews/{world.review_id}/chronology/imports/1"
    answer = client.post(
        f"{path}?back={back}",
        data={"csrf_token": csrf_token(client, path), "prefill_name": NAME},
    )
    page = answer.get_data(as_text=True)
    # The form is filled in, nothing is saved, and no error is shown yet.
    assert answer.status_code == 200 and f'value="{NAME}"' in page
    assert "govuk-error-summary" not in page


def test_an_old_search_link_after_signing_in_again_says_the_search_has_ended(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    base = f"/reviews/{world.review_id}/chronology"
    location = _search(client, base, q="lodger").headers["Location"]
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    login("panel_member")
    page = client.get(location + "&page=2").get_data(as_text=True)
    assert "That search has ended" in page and 'value="lodger"' not in page
