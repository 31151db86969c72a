"""Members whose role may not see real names (the permission of the real-names page) read
free text on the review's pages with pseudonyms in place of names; members who may see real
names read it as written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import policy
from app.services import chronology as chronology_service
from app.services import findings as finding_service
from models import Event, Finding, Review
from tests.conftest import World

REAL_NAME = "Tamsin Testcase"  # the world's child; pseudonym "Child T"


@pytest.fixture
def named(db_session: Session, world: World) -> None:
    """A board response, a finding, an action and an event that name the child."""
    review = db_session.get(Review, world.review_id)
    finding = db_session.scalar(
        select(Finding).where(Finding.review_id == review.id, Finding.ref == world.finding_ref)
    )
    finding.issue = f"Nobody asked {REAL_NAME} what home was like."
    finding_service.record_board_response(
        session=db_session,
        finding=finding,
        question=finding.questions_for_board[0],
        response=f"We asked Tamsin's teacher, then asked {REAL_NAME} herself.",
    )
    finding_service.create_action(
        session=db_session,
        review=review,
        finding=finding.ref,
        description=f"Talk to Tam and {REAL_NAME} separately.",
        strength="weak",
    )
    event = db_session.scalar(
        select(Event).where(Event.review_id == review.id, Event.ref == world.event_ref)
    )
    chronology_service.update_event(
        session=db_session,
        event=event,
        expected_version=None,
        description=f"Police see {REAL_NAME} at home.",
    )
    db_session.commit()


def test_the_rule_follows_the_permission_of_the_real_names_page() -> None:
    assert policy.ROUTES["reviews.real_names"] == "people.real_names"
    assert "observer" not in policy.REVIEW_ACTIONS["people.real_names"]


@pytest.mark.usefixtures("named")
def test_an_observer_reads_pseudonyms_on_the_finding_and_event_pages(
    client: Any, login: Any, world: World
) -> None:
    login("observer")
    assert client.get(f"/reviews/{world.review_id}/people/real-names").status_code == 403
    for url in (
        f"/reviews/{world.review_id}/findings/{world.finding_ref}",
        f"/reviews/{world.review_id}/events/{world.event_ref}",
        f"/reviews/{world.review_id}/actions",
        f"/reviews/{world.review_id}/chronology",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "Tamsin" not in html and "Testcase" not in html and "Tam " not in html, url
        assert "Child T" in html, url
    finding = client.get(f"/reviews/{world.review_id}/findings/{world.finding_ref}").get_data(
        as_text=True
    )
    assert "then asked Child T herself" in finding and "Child T's teacher" in finding
    assert "Nobody asked Child T what home was like." in finding


@pytest.mark.usefixtures("named")
def test_a_panel_member_reads_the_text_as_written(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    html = client.get(f"/reviews/{world.review_id}/findings/{world.finding_ref}").get_data(
        as_text=True
    )
    assert f"then asked {REAL_NAME} herself" in html
    event = client.get(f"/reviews/{world.review_id}/events/{world.event_ref}").get_data(
        as_text=True
    )
    assert f"Police see {REAL_NAME} at home." in event


@pytest.mark.usefixtures("named")
def test_the_boundaries_hold_even_in_a_title_and_a_form(
    client: Any, login: Any, world: World
) -> None:
    login("observer")
    finding = client.get(f"/reviews/{world.review_id}/findings/{world.finding_ref}")
    html = finding.get_data(as_text=True)
    assert "Tamsin" not in html and "Child T" in html
    api = client.get(f"/api/v1/reviews/{world.review_id}/findings/{world.finding_ref}")
    assert "Nobody asked Child T what home was like." in api.get_json()["issue"]
    csv = client.get(f"/reviews/{world.review_id}/chronology.csv").get_data(as_text=True)
    assert "Police see Child T at home." in csv and "Tamsin" not in csv
    login("chair")
    csv = client.get(f"/reviews/{world.review_id}/chronology.csv").get_data(as_text=True)
    assert f"Police see {REAL_NAME} at home." in csv


@pytest.mark.usefixtures("named")
def test_a_search_by_a_real_name_finds_nothing_a_made_up_name_would_not(
    client: Any, login: Any, world: World
) -> None:
    login("observer")
    base = f"/api/v1/reviews/{world.review_id}/events"
    by_real_name = client.get(f"{base}?q=Tamsin").get_json()["items"]
    by_made_up_name = client.get(f"{base}?q=Rowenna").get_json()["items"]
    by_pseudonym = client.get(f"{base}?q=child t").get_json()["items"]
    assert len(by_real_name) == len(by_made_up_name) == 0
    assert [e["ref"] for e in by_pseudonym] == [world.event_ref]
    page = client.get(
        f"/reviews/{world.review_id}/chronology?q=Testcase", follow_redirects=True
    ).get_data(as_text=True)
    assert f'href="/reviews/{world.review_id}/events/{world.event_ref}"' not in page
    login("panel_member")
    assert len(client.get(f"{base}?q=Tamsin").get_json()["items"]) == 1


@pytest.mark.fresh_app
@pytest.mark.usefixtures("named")
def test_the_last_net_replaces_a_name_a_route_let_through(
    app: Any, client: Any, login: Any, world: World
) -> None:
    from flask import Response

    @app.route("/reviews/<int:review_id>/leaky")
    def leaky(review_id: int) -> Response:
        return Response(f"<p>{REAL_NAME} and Tam</p>", mimetype="text/html")

    from app import policy

    policy.ROUTES["leaky"] = "review.view"
    try:
        login("observer")
        body = client.get(f"/reviews/{world.review_id}/leaky").get_data(as_text=True)
        assert body == "<p>Child T and Child T</p>"
        login("chair")
        body = client.get(f"/reviews/{world.review_id}/leaky").get_data(as_text=True)
        assert body == f"<p>{REAL_NAME} and Tam</p>"
    finally:
        del policy.ROUTES["leaky"]


def test_the_good_practice_register_is_searched_as_the_reader_reads_it(
    client: Any, login: Any, world: World, db_session: Session
) -> None:
    from app.services import good_practice as good_practice_service

    review = db_session.get(Review, world.review_id)
    good_practice_service.create_entry(
        session=db_session,
        partnership_id=review.partnership_id,
        review=review,
        title="Listening on the doorstep",
        story=f"The officer asked {REAL_NAME} how things were at home.",
    )
    db_session.commit()
    login("observer")
    assert "Listening on the doorstep" not in client.get(
        "/good-practice?q=Tamsin", follow_redirects=True
    ).get_data(as_text=True)
    listed = client.get("/good-practice?q=asked+child+t", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Listening on the doorstep" in listed and "Tamsin" not in listed
    login("panel_member")
    assert "Listening on the doorstep" in client.get(
        "/good-practice?q=Tamsin", follow_redirects=True
    ).get_data(as_text=True)


@pytest.mark.usefixtures("named")
@pytest.mark.parametrize("fmt", ["svg", "dot"])
def test_a_drawing_cached_for_a_chair_is_not_served_to_an_observer(
    app: Any, client: Any, login: Any, world: World, tmp_path: Any, fmt: str
) -> None:
    app.config["GRAPH_CACHE_DIR"] = str(tmp_path)
    url = f"/api/v1/reviews/{world.review_id}/graph.{fmt}?view=event&ref={world.event_ref}"
    login("chair")
    assert REAL_NAME in client.get(url).get_data(as_text=True)
    login("observer")
    drawing = client.get(url).get_data(as_text=True)
    assert "Tamsin" not in drawing and "Child T" in drawing
    login("chair")
    assert REAL_NAME in client.get(url).get_data(as_text=True)
