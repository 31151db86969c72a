"""Pickers of factors and people (and events), without JavaScript, and the API's POST search
endpoints their typeahead asks: what is typed is never in a URL, a reader who reads pseudonyms
never gets a real name, and a form costs the same however many factors or people there are."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.orm import Session

from app.services import factors as factor_service
from models import Account, Factor, Finding, GoodPractice, Link, Person, Review
from tests.conftest import World, csrf_token

F1_WORDS = "domestic incidents"  # words of the world's factor F1's label


def _protective(db_session: Session, world: World, label: str) -> str:
    review = db_session.get_one(Review, world.review_id)
    factor = factor_service.create_factor(
        session=db_session, review=review, label=label, type="protective", level="team"
    )
    db_session.commit()
    return factor.ref


def _search_api(client: FlaskClient, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(path, json=body, headers=headers)


# --- the forms without JavaScript ------------------------------------------------------------


def test_a_finding_finds_factors_by_a_search_round_trip_without_javascript(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    login("chair")
    path = f"/reviews/{world.review_id}/findings/new"
    form = {
        "csrf_token": csrf_token(client, path),
        "title": "Repeat incidents are not seen as a pattern",
        "scie_pattern": "",
        "factors-q": F1_WORDS,
        "picker": "factors",
    }
    before = db_session.scalar(select(func.count(Finding.id)))
    page = client.post(path, data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="factors-found-F1"' in html and "Factors matching" in html
    assert "Repeat incidents are not seen as a pattern" in html  # what was typed stays
    assert db_session.scalar(select(func.count(Finding.id))) == before
    del form["picker"]
    saved = client.post(path, data={**form, "factors": ["F1"]})
    assert saved.status_code == 302
    finding = db_session.scalars(select(Finding).order_by(Finding.id.desc())).first()
    assert finding is not None and [f.ref for f in finding.factors] == ["F1"]
    # Editing it shows only the chosen factor, ticked: no control per factor of the review.
    edit = client.get(f"/reviews/{world.review_id}/findings/{finding.ref}/edit")
    html = edit.get_data(as_text=True)
    assert 'name="factors" type="checkbox" value="F1" checked' in html
    assert html.count('name="factors" type=') == 1
    assert 'data-search-url="/api/v1/reviews/' in html and "/factors/search" in html


def test_a_good_practice_entry_finds_only_protective_factors_without_javascript(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    ref = _protective(db_session, world, "Domestic abuse advocate knew the family well")
    login("chair")
    path = f"/reviews/{world.review_id}/good-practice/new"
    form = {
        "csrf_token": csrf_token(client, path),
        "title": "An advocate who stayed",
        "story": "The advocate kept in touch through the move.",
        "source": "other",
        "factors-q": "domestic",
        "picker": "factors",
    }
    page = client.post(path, data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'id="factors-found-{ref}"' in html
    assert 'id="factors-found-F1"' not in html  # a latent condition, not a protective factor
    del form["picker"]
    saved = client.post(path, data={**form, "factors": [ref]})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    entry = db_session.scalars(select(GoodPractice).order_by(GoodPractice.id.desc())).first()
    assert entry is not None and [f.ref for f in entry.factors] == [ref]


def test_an_account_finds_its_contributor_by_pseudonym_without_javascript(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    login("chair")
    path = f"/reviews/{world.review_id}/accounts/new"
    form = {
        "csrf_token": csrf_token(client, path),
        "contributor_kind": "family",
        "narrative": "What she remembers.",
        "contributor-q": "child t",
        "picker": "contributor",
    }
    page = client.post(path, data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="contributor-found-P1"' in html and "Child T (P1)" in html
    assert 'name="contributor" type="radio"' in html
    del form["picker"]
    saved = client.post(path, data={**form, "contributor": "P1"})
    assert saved.status_code == 302
    account = db_session.scalars(select(Account).order_by(Account.id.desc())).first()
    assert account is not None and account.contributor is not None
    assert account.contributor.ref == "P1"


def test_an_event_finds_people_involved_by_a_search_round_trip_without_javascript(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    review = db_session.get_one(Review, world.review_id)
    db_session.add(Person(review_id=review.id, ref="P2", pseudonym="Social Worker 1", role="sw"))
    db_session.commit()
    login("chair")
    path = f"/reviews/{world.review_id}/events/E1/edit"
    html = client.get(path).get_data(as_text=True)
    assert 'name="people" type="checkbox" value="P1" checked' in html
    assert html.count('name="people" type=') == 1  # not one check box per person
    form = {
        "csrf_token": csrf_token(client, path),
        "date": "14/01/2023",
        "date_precision": "day",
        "description": "Police attend the family home after a call from a neighbour.",
        "people": ["P1"],
        "people-q": "social worker",
        "picker": "people",
    }
    page = client.post(path, data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="people-found-P2"' in html and "Social Worker 1 (P2)" in html
    assert 'value="P1" checked' in html  # the chosen stay chosen


def test_a_facilitator_cannot_find_a_contributor_by_their_real_name(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("facilitator")  # records accounts, reads pseudonyms only
    path = f"/reviews/{world.review_id}/accounts/new"
    form = {"csrf_token": csrf_token(client, path), "contributor-q": "Tamsin"}
    html = client.post(path, data={**form, "picker": "contributor"}).get_data(as_text=True)
    assert 'id="contributor-found-P1"' not in html and "No person matches" in html
    assert "Tamsin" not in html


def test_a_factor_links_to_a_factor_found_by_a_search_without_javascript(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    ref = _protective(db_session, world, "Health visitor noticed the bruising")
    login("chair")
    token = csrf_token(client, f"/reviews/{world.review_id}/factors/{ref}")
    links = f"/reviews/{world.review_id}/links"
    form = {
        "csrf_token": token,
        "source": ref,
        "relation": "mitigated",
        "target": "",
        "target_factor-q": F1_WORDS,
        "picker": "target_factor",
    }
    page = client.post(links, data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="target_factor-found-F1"' in html
    assert page.request.url.endswith("/links")  # the words stay in the body, not a URL
    del form["picker"]
    saved = client.post(links, data={**form, "target_factor": "F1"})
    assert saved.status_code == 302 and F1_WORDS not in saved.headers["Location"]
    link = db_session.scalars(select(Link).where(Link.source == ref)).one()
    assert link.target == "F1"


def test_an_event_attaches_a_factor_found_by_a_search_without_javascript(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    login("chair")
    event_page = f"/reviews/{world.review_id}/events/E1"
    html = client.get(event_page).get_data(as_text=True)
    assert 'id="source-q"' in html and 'name="source" type=' not in html
    form = {
        "csrf_token": csrf_token(client, event_page),
        "target": "E1",
        "relation": "contributed_to",
        "source-q": F1_WORDS,
        "picker": "source",
    }
    page = client.post(f"/reviews/{world.review_id}/links", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="source-found-F1"' in html
    assert "Event E1" in html


def test_the_graph_searches_for_an_event_by_post_and_draws_it_by_ref(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("observer")
    path = f"/reviews/{world.review_id}/graph"
    html = client.get(path).get_data(as_text=True)
    # The search box and its button belong to the POST form, not the GET form that draws.
    assert re.search(r'id="ref-q"[^>]*form="graph-search"', html)
    assert re.search(r'<form method="post"[^>]*id="graph-search"', html)
    found = client.post(
        path, data={"csrf_token": csrf_token(client, path), "picker": "ref", "ref-q": "neighbour"}
    )
    assert found.status_code == 200
    assert 'id="ref-found-E1"' in found.get_data(as_text=True)
    drawn = client.get(f"{path}?view=event&ref=E1")
    assert drawn.status_code == 200 and "event E1" in drawn.get_data(as_text=True)
    # Without the CSRF token the search is refused.
    assert client.post(path, data={"picker": "ref", "ref-q": "neighbour"}).status_code == 400


def test_the_event_whose_ref_was_typed_comes_before_earlier_events_that_contain_it(
    client: FlaskClient, login: Any, world: World, db_session: Session
) -> None:
    from analysis.chronology.dates.parsing import parse_when
    from app.services import chronology

    review = db_session.get_one(Review, world.review_id)
    for year in (2001, 2002):
        chronology.create_event(
            session=db_session,
            review=review,
            added_by_id=world.users["chair"],
            when=parse_when(f"01/01/{year}"),
            description="Letter to the old flat in London E1 came back.",
        )
    db_session.commit()
    path = f"/reviews/{world.review_id}/graph"
    # The chair's search runs in SQL; an observer's on the events as they read them.
    for who in ("chair", "observer"):
        login(who)
        found = client.post(
            path, data={"csrf_token": csrf_token(client, path), "picker": "ref", "ref-q": "e1"}
        ).get_data(as_text=True)
        assert re.findall(r'id="ref-found-(E\d+)"', found) == ["E1", "E2", "E3"], who


# --- the API's search endpoints --------------------------------------------------------------


def test_the_events_search_takes_the_list_filters_and_pages_in_a_body(
    client: FlaskClient, api: Any, world: World
) -> None:
    headers = api("chair")
    path = f"/api/v1/reviews/{world.review_id}/events/search"
    found = client.post(path, json={"q": "neighbour", "agency": "POL"}, headers=headers)
    assert found.status_code == 200
    assert [i["ref"] for i in found.json["items"]] == ["E1"]
    assert found.json["next_cursor"] is None
    assert (
        client.post(path, json={"q": "neighbour", "agency": "none"}, headers=headers).json["items"]
        == []
    )
    after = client.post(path, json={"from": "15/01/2023"}, headers=headers)
    assert after.status_code == 200 and after.json["items"] == []
    # Paging: limit 0 says there is more and gives the cursor to read it.
    first = client.post(path, json={"limit": 0}, headers=headers).json
    assert first["items"] == [] and first["next_cursor"]
    rest = client.post(path, json={"cursor": first["next_cursor"]}, headers=headers).json
    assert [i["ref"] for i in rest["items"]] == ["E1"]
    # The same answer as the list with the same filters.
    listed = client.get(
        f"/api/v1/reviews/{world.review_id}/events?q=neighbour&agency=POL", headers=headers
    )
    assert listed.json == found.json
    assert client.post(path, json={"from": "not a day"}, headers=headers).status_code == 400
    assert client.post(path, json={"q": 3}, headers=headers).status_code == 422
    assert client.post(path, json={"colour": "red"}, headers=headers).status_code == 422


def test_the_factors_and_people_searches_answer_labelled_items(
    client: FlaskClient, api: Any, world: World, db_session: Session
) -> None:
    ref = _protective(db_session, world, "Advocate knew the family")
    headers = api("chair")
    base = f"/api/v1/reviews/{world.review_id}"
    factors = client.post(f"{base}/factors/search", json={"q": "F1"}, headers=headers).json
    assert factors["items"][0]["ref"] == "F1"
    assert factors["items"][0]["display"].startswith("F1 · Latent condition · Domestic")
    only = client.post(
        f"{base}/factors/search", json={"q": "a", "type": "protective"}, headers=headers
    ).json
    assert [i["ref"] for i in only["items"]] == [ref]
    people = client.post(f"{base}/people/search", json={"q": "child"}, headers=headers).json
    assert people["items"] == [
        {"ref": "P1", "pseudonym": "Child T", "role": "child", "display": "Child T (P1)"}
    ]
    # A role that may read real names finds someone by theirs, but is answered by pseudonym.
    by_name = client.post(f"{base}/people/search", json={"q": "tamsin"}, headers=headers).json
    assert [i["display"] for i in by_name["items"]] == ["Child T (P1)"]
    assert "Tamsin" not in str(by_name)


def test_a_reader_of_pseudonyms_never_finds_or_reads_a_real_name(
    client: FlaskClient, api: Any, world: World, db_session: Session
) -> None:
    review = db_session.get_one(Review, world.review_id)
    factor = factor_service.create_factor(
        session=db_session,
        review=review,
        label="Tamsin Testcase was not seen alone",
        type="latent_condition",
        level="team",
    )
    db_session.commit()
    base = f"/api/v1/reviews/{world.review_id}"
    for who in ("observer", "board_member", "facilitator"):
        headers = api(who)
        people = client.post(f"{base}/people/search", json={"q": "Tamsin"}, headers=headers)
        assert people.status_code == 200 and people.json["items"] == [], who
        assert (
            client.post(f"{base}/people/search", json={"q": "Tam"}, headers=headers).json["items"]
            == []
        )
        found = client.post(f"{base}/factors/search", json={"q": "Tamsin"}, headers=headers)
        assert found.json["items"] == [], who
        by_pseudonym = client.post(
            f"{base}/factors/search", json={"q": "child t was"}, headers=headers
        ).json
        assert [i["ref"] for i in by_pseudonym["items"]] == [factor.ref], who
        assert "Tamsin" not in str(by_pseudonym) and "Child T" in str(by_pseudonym)
        events = client.post(f"{base}/events/search", json={"q": "Tamsin"}, headers=headers)
        assert events.json["items"] == [], who


def test_an_outsider_cannot_search_a_review(client: FlaskClient, api: Any, world: World) -> None:
    headers = api("outsider")
    for kind in ("events", "factors", "people"):
        path = f"/api/v1/reviews/{world.review_id}/{kind}/search"
        answer = client.post(path, json={"q": "a"}, headers=headers)
        assert answer.status_code in (403, 404), (kind, answer.status_code)


def test_a_browser_session_searches_only_with_its_csrf_token(
    client: FlaskClient, login: Any, world: World
) -> None:
    login("chair")
    page = client.get(f"/reviews/{world.review_id}/findings/new").get_data(as_text=True)
    match = re.search(r'data-csrf-token="([^"]+)"', page)
    assert match, "the picker carries the page's CSRF token for its searches"
    path = f"/api/v1/reviews/{world.review_id}/factors/search"
    assert client.post(path, json={"q": "F1"}).status_code == 400  # no token: refused
    answer = client.post(path, json={"q": "F1"}, headers={"X-CSRFToken": match.group(1)})
    assert answer.status_code == 200 and answer.json["items"][0]["ref"] == "F1"


def test_the_events_list_still_takes_q_but_the_document_deprecates_it(
    client: FlaskClient, api: Any, world: World
) -> None:
    headers = api("chair")
    listed = client.get(f"/api/v1/reviews/{world.review_id}/events?q=E1", headers=headers)
    assert [i["ref"] for i in listed.json["items"]] == ["E1"]
    document = client.get("/api/v1/openapi.json").json
    parameters = document["paths"]["/api/v1/reviews/{review_id}/events"]["get"]["parameters"]
    q = next(p for p in parameters if p.get("name") == "q")
    assert q["deprecated"] is True and "POST" in q["description"]
    for kind in ("events", "factors", "people"):
        assert "post" in document["paths"][f"/api/v1/reviews/{{review_id}}/{kind}/search"]


# --- forms cost the same at 50 and at 10,000 factors and people ------------------------------


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _grow_to(session: Session, review_id: int, total: int) -> None:
    """``total`` factors (every fifth protective) and ``total`` people in the review."""
    have = session.scalar(select(func.count(Factor.id)).where(Factor.review_id == review_id)) or 0
    now = datetime.now(UTC).replace(tzinfo=None)
    session.execute(
        insert(Factor.__table__),
        [
            {
                "review_id": review_id,
                "ref": f"FX{n}",
                "label": f"Bulk factor number {n}",
                "description": "",
                "type": "protective" if n % 5 == 0 else "latent_condition",
                "level": "team",
                "created_at": now,
                "version": 1,
            }
            for n in range(have, total)
        ],
    )
    people = session.scalar(select(func.count(Person.id)).where(Person.review_id == review_id))
    session.execute(
        insert(Person.__table__),
        [
            {
                "review_id": review_id,
                "ref": f"PX{n}",
                "pseudonym": f"Practitioner {n}",
                "role": "practitioner",
                "aliases": [],
                "version": 1,
            }
            for n in range(people or 0, total)
        ],
    )
    session.commit()


FORM_PAGES = (
    "findings/new",
    "findings/FN1/edit",
    "good-practice/new",
    "accounts/new",
    "accounts/AC1/edit",
    "factors/F1",
    "events/E1",
    "events/new",
    "events/E1/edit",
)


def test_the_picker_forms_cost_the_same_at_50_and_10000_factors_and_people(
    client: FlaskClient, login: Any, world: World, db_session: Session, engine: Engine
) -> None:
    login("chair")
    base = f"/reviews/{world.review_id}"

    def measure() -> dict[str, tuple[int, int]]:
        costs = {}
        for page in FORM_PAGES:
            client.get(f"{base}/{page}")  # what a first visit works out once
            client.get("/account")  # absorbs the once-a-minute session touch
            with _counting(engine) as statements:
                response = client.get(f"{base}/{page}")
            assert response.status_code == 200, page
            costs[page] = (len(statements), len(response.get_data()))
        return costs

    _grow_to(db_session, world.review_id, 50)
    small = measure()
    _grow_to(db_session, world.review_id, 10_000)
    large = measure()
    for page in FORM_PAGES:
        assert large[page][0] == small[page][0], (page, small[page], large[page])
        # No control (or option) per factor or person: the page does not grow with them.
        assert large[page][1] < small[page][1] + 500, (page, small[page], large[page])
