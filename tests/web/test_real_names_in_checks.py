"""Check tables and gate messages tell a reader who may not read real names that a name is
there ("a registered name") without quoting it, and quote the context pseudonymised."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.services import good_practice as service
from models import GoodPractice, ReportVersion, Review, User
from tests.conftest import World, csrf_token


def _entry(db_session: Any, world: World) -> GoodPractice:
    review = db_session.get(Review, world.review_id)
    entry = service.create_entry(
        session=db_session,
        partnership_id=review.partnership_id,
        review=review,
        creator=db_session.get(User, world.users["panel_member"]),
        title="Neighbour's call followed up",
        story="The officer rang Tamsin Testcase the next day on 07700 900123.",
        consent_to_share=True,
    )
    db_session.commit()
    return entry


def _approve(client: Any, entry: GoodPractice) -> str:
    token = csrf_token(client, "/account")
    response = client.post(f"/good-practice/{entry.id}/approve", data={"csrf_token": token})
    assert response.status_code == 422
    return str(response.get_data(as_text=True))


def test_a_board_member_refused_approval_is_told_a_registered_name_is_there(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world)
    login("board_member")
    page = _approve(client, entry)
    assert "Tamsin" not in page and "Testcase" not in page
    assert "could identify someone (a registered name; phone “07700 900123”)" in page
    # The check table: the context around the name is pseudonymised, the name is not quoted.
    assert "The officer rang <mark>a registered name</mark> the next day" in page


def test_the_chair_is_told_which_name(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    entry = _entry(db_session, world)
    login("chair")
    page = _approve(client, entry)
    assert "register name “Tamsin Testcase”" in page


def test_a_report_version_page_and_api_do_not_quote_a_name_to_a_board_member(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    version = db_session.scalars(
        select(ReportVersion).where(ReportVersion.review_id == world.review_id)
    ).one()
    version.scan_hits = [
        {
            "kind": "register_name",
            "text": "Tamsin Testcase",
            "location": "Findings",
            "context": "…when Tamsin Testcase moved school…",
            "candidates": [],
        }
    ]
    db_session.commit()
    login("board_member")
    page = client.get(f"/reviews/{world.review_id}/reports/{version.number}").get_data(as_text=True)
    assert "Tamsin" not in page and "a registered name" in page
    assert "when a registered name moved school" in page
    api = client.get(f"/api/v1/reviews/{world.review_id}/reports/{version.number}").get_json()
    assert api["hits"][0]["text"] == "a registered name"
    login("lead_reviewer")
    page = client.get(f"/reviews/{world.review_id}/reports/{version.number}").get_data(as_text=True)
    assert "Tamsin Testcase" in page
