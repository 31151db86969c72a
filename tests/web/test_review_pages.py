"""Review pages: create, edit without lost updates, members, agencies, people, import."""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy import select

from models import AuditEntry, Membership, Person, Review
from tests.conftest import World, csrf_token
from tests.helpers import BUNDLE, post_form


def test_create_review_from_the_form(client: Any, login: Any, db_session: Any) -> None:
    user_id = login("facilitator")
    response = post_form(
        client,
        "/reviews/new",
        {
            "title": "Child W: rapid review",
            "subject": "Child W",
            "review_type": "rapid_review",
            "stage": "scoping",
            "incident_known_on": "2025-03-24",
            "terms_of_reference": "*Why?*",
        },
    )
    assert response.status_code == 302
    review = db_session.scalar(select(Review).where(Review.subject == "Child W"))
    membership = db_session.scalar(select(Membership).where(Membership.review_id == review.id))
    assert (membership.user_id, membership.role) == (user_id, "chair")
    page = client.get(response.location).get_data(as_text=True)
    assert "31 Mar 2025" in page and "14 Apr 2025" in page  # statutory due dates
    assert "<em>Why?</em>" in page


def test_a_form_error_keeps_what_the_user_typed(client: Any, login: Any) -> None:
    login("chair")
    response = post_form(
        client,
        "/reviews/new",
        {
            "title": "",
            "subject": "Child V",
            "review_type": "rapid_review",
            "stage": "scoping",
            "terms_of_reference": "A long paragraph I do not want to type again",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and "Enter a title" in page
    assert "A long paragraph I do not want to type again" in page and 'value="Child V"' in page


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(
    app: Any, login: Any, client: Any, world: World, db_session: Any
) -> None:
    login("chair")
    url = f"/reviews/{world.review_id}/edit"
    client.get(url)
    review = db_session.get(Review, world.review_id)
    stale_version = review.version
    review.title = "Changed by a colleague"
    db_session.commit()
    response = post_form(
        client,
        url,
        {
            "version": stale_version,
            "title": "My title",
            "subject": "Child T",
            "review_type": "rapid_review",
            "stage": "scoping",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this" in page
    assert "Changed by a colleague" in page and 'value="My title"' in page
    db_session.refresh(review)
    assert review.title == "Changed by a colleague"


def test_real_names_are_shown_only_to_roles_that_need_them_and_audited(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("board_member")
    overview = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert "Tamsin" not in overview and "Show real names" not in overview
    assert client.get(f"/reviews/{world.review_id}/people/real-names").status_code == 403
    login("agency_rep")
    page = client.get(f"/reviews/{world.review_id}/people/real-names").get_data(as_text=True)
    assert "Tamsin Testcase" in page
    last = db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last.action == "view_real_names" and last.actor == "agency-rep@test.example.org"


def test_add_agency_member_and_person(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("chair")
    base = f"/reviews/{world.review_id}"
    assert (
        post_form(
            client, f"{base}/agencies", {"name": "Northshire GP Practice", "sector": "GP"}
        ).status_code
        == 302
    )
    assert (
        post_form(
            client,
            f"{base}/members",
            {"email": "other-member@test.example.org", "role": "observer", "agency": ""},
        ).status_code
        == 302
    )
    response = post_form(
        client,
        f"{base}/people/new",
        {
            "pseudonym": "GP 1",
            "role": "practitioner",
            "agency": "A1",
            "real_name": "Dr Imaginary",
            "aliases": "Doc\nDr I",
        },
    )
    assert response.status_code == 302
    person = db_session.scalar(select(Person).where(Person.pseudonym == "GP 1"))
    assert person.agency.name == "Northshire GP Practice" and person.aliases == ["Doc", "Dr I"]
    bad = post_form(
        client,
        f"{base}/members",
        {"email": "outsider@test.example.org", "role": "observer", "agency": ""},
    )
    assert bad.status_code == 422 and "no active user" in bad.get_data(as_text=True)


def test_the_last_chair_cannot_be_removed(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("chair")
    chair = db_session.scalar(
        select(Membership).where(
            Membership.review_id == world.review_id, Membership.role == "chair"
        )
    )
    response = post_form(client, f"/reviews/{world.review_id}/members/{chair.id}/remove", {})
    assert response.status_code == 302
    assert db_session.get(Membership, chair.id) is not None


def test_import_page_stores_a_bundle_or_lists_its_problems(
    client: Any, login: Any, db_session: Any
) -> None:
    login("observer")
    good = io.BytesIO(json.dumps(BUNDLE).encode())
    response = client.post(
        "/reviews/import",
        data={"csrf_token": csrf_token(client, "/reviews/import"), "bundle": (good, "b.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    bad = io.BytesIO(b"{not json")
    response = client.post(
        "/reviews/import",
        data={"csrf_token": csrf_token(client, "/reviews/import"), "bundle": (bad, "b.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "nothing has been stored" in response.get_data(
        as_text=True
    )


def test_terms_of_reference_markdown_is_sanitised_on_the_page(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    review.terms_of_reference = '<script>alert("x")</script>[x](javascript:alert(1)) **ok**'
    db_session.commit()
    login("observer")
    page = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert "<strong>ok</strong>" in page
    assert 'alert("x")</script>' not in page and "javascript:alert" not in page
