"""Appointing and removing a chair decides who approves the report: a chair of the review or
a site administrator of its partnership only, never a lead reviewer; each change is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import AuditEntry, Membership, User
from tests.conftest import World, csrf_token


def _chair_membership(db_session: Any, world: World) -> Membership:
    return db_session.scalars(
        select(Membership).where(
            Membership.review_id == world.review_id, Membership.role == "chair"
        )
    ).one()


def test_a_lead_reviewer_can_neither_appoint_nor_remove_a_chair(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("lead_reviewer")
    base = f"/api/v1/reviews/{world.review_id}/members"
    appoint = client.post(
        base, json={"email": "other-member@test.example.org", "role": "chair"}, headers=headers
    )
    assert appoint.status_code == 403
    assert "Only a chair" in appoint.json["message"]
    chair = _chair_membership(db_session, world)
    assert client.delete(f"{base}/{chair.id}", headers=headers).status_code == 403
    # Other members are still the lead reviewer's to manage.
    added = client.post(
        base, json={"email": "other-member@test.example.org", "role": "observer"}, headers=headers
    )
    assert added.status_code == 201
    db_session.expire_all()
    assert _chair_membership(db_session, world).user_id == world.users["chair"]


def test_a_lead_reviewer_cannot_appoint_a_chair_on_the_web(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("lead_reviewer")
    page = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert 'value="chair"' not in page
    token = csrf_token(client, f"/reviews/{world.review_id}")
    posted = client.post(
        f"/reviews/{world.review_id}/members",
        data={"csrf_token": token, "email": "other-member@test.example.org", "role": "chair"},
    )
    assert posted.status_code == 403
    chair = _chair_membership(db_session, world)
    removed = client.post(
        f"/reviews/{world.review_id}/members/{chair.id}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 403
    assert (
        db_session.scalar(
            select(Membership.id).where(
                Membership.review_id == world.review_id,
                Membership.user_id == world.users["other_member"],
            )
        )
        is None
    )


def test_the_chair_hands_over_and_it_is_audited(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("chair")
    base = f"/api/v1/reviews/{world.review_id}/members"
    appoint = client.post(
        base, json={"email": "other-member@test.example.org", "role": "chair"}, headers=headers
    )
    assert appoint.status_code == 201
    old = _chair_membership_of(db_session, world, world.users["chair"])
    assert client.delete(f"{base}/{old.id}", headers=headers).status_code == 204
    actions = list(
        db_session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.review_id == world.review_id,
                AuditEntry.action.in_(("chair.appoint", "chair.remove")),
            )
        )
    )
    assert actions == ["chair.appoint", "chair.remove"]


def _chair_membership_of(db_session: Any, world: World, user_id: int) -> Membership:
    return db_session.scalars(
        select(Membership).where(
            Membership.review_id == world.review_id, Membership.user_id == user_id
        )
    ).one()


def test_a_site_administrator_appoints_a_chair_without_being_a_member(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("admin")
    base = f"/api/v1/reviews/{world.review_id}/members"
    observer = client.post(
        base, json={"email": "other-member@test.example.org", "role": "observer"}, headers=headers
    )
    assert observer.status_code == 403  # chairs only: nothing else of the review is theirs
    appoint = client.post(
        base, json={"email": "other-member@test.example.org", "role": "chair"}, headers=headers
    )
    assert appoint.status_code == 201 and appoint.json["role"] == "chair"
    # Another partnership's administrator cannot.
    outsider = db_session.get(User, world.users["outsider"])
    outsider.is_admin = True
    db_session.commit()
    far = client.post(
        base, json={"email": "observer@test.example.org", "role": "chair"}, headers=api("outsider")
    )
    assert far.status_code == 404
