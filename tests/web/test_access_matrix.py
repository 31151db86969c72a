"""Every route, method and role gets exactly what the policy table says.

Generated from ``app.url_map``: a new route that is not in ``app.policy.ROUTES`` fails here.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask

from app import policy
from bench.review_pages import EMPTY_PREVIEW
from tests.conftest import World, csrf_token
from tests.helpers import app_routes, matrix_job, route_url, workshop_ids

WHO = (
    "anonymous",
    "observer",
    "agency_rep",
    "panel_member",
    "lead_reviewer",
    "facilitator",
    "chair",
    "board_member",
    "other_member",  # a member of a different review in the same partnership
    "outsider",  # a user of a different partnership
    "admin",  # site admin, not a member of the review
    "business_manager",  # the partnership's business manager, not a member of the review
)
ROUTES = app_routes()


def test_every_route_is_in_the_policy_table() -> None:
    missing = [
        f"{method} {rule} ({endpoint})"
        for endpoint, rule, method in ROUTES
        if policy.action_for(endpoint, method) is None
    ]
    assert not missing, "routes with no policy entry: " + ", ".join(missing)
    known = policy.GLOBAL_ACTIONS | set(policy.REVIEW_ACTIONS)
    unknown = {
        policy.action_for(endpoint, method)
        for endpoint, _rule, method in ROUTES
        if policy.action_for(endpoint, method) not in known
    }
    assert not unknown, f"actions nobody defined: {unknown}"


def expected(endpoint: str, method: str, who: str) -> str:
    """'allow', or the denial the policy table prescribes: 'sign_in', 'join', 401, 403 or 404."""
    action = policy.action_for(endpoint, method)
    is_api = endpoint.startswith("api.")
    if action in (policy.PUBLIC, policy.JOIN):
        return "allow"
    if action == policy.PARTICIPANT:
        # Users (signed in or not) are not participants: the routes ask for a participant.
        return "401" if is_api else "join"
    if action == policy.ROOM:
        # The room wall: participants with their token, members who may run the workshop.
        action = policy.ROOM_MEMBER_ACTION
    if who == "anonymous":
        return "401" if is_api else "sign_in"
    if action == policy.JOB:
        # The lead reviewer's job of a kind that members who may read reports can follow;
        # anyone else gets 404, as if it did not exist.
        return "allow" if who in policy.REVIEW_ACTIONS["reports.view"] else "404"
    if action in (policy.SIGNED_IN, policy.PARTNERSHIP):
        return "allow"  # partnership pages list only what the user may see (tested elsewhere)
    if action == policy.PARTNERSHIP_SETTINGS:
        return "allow" if who == "business_manager" else "403"
    if action in (policy.PARTNERSHIP_VIEW, policy.PARTNERSHIP_CURATE):
        # The business manager, and chairs (and, to view, board members) of any review of the
        # partnership: "other_member" chairs another review of the same partnership.
        viewers = {"business_manager", "chair", "other_member"}
        if action == policy.PARTNERSHIP_VIEW:
            viewers.add("board_member")
        return "allow" if who in viewers else "403"
    if who == "business_manager" and action in policy.BUSINESS_MANAGER_ACTIONS:
        return "allow"
    if action == policy.ADMIN:
        return "allow" if who == "admin" else "403"
    if who == "admin" and action in policy.SITE_ADMIN_ACTIONS:
        return "allow"  # an administrator of the review's partnership, not a member
    if who == "admin" and endpoint in policy.SITE_ADMIN_CHAIR_ROUTES and action == "review.members":
        # An administrator reaches the member routes to change chairs only: the matrix's
        # membership (an observer's) is not theirs to remove; an empty body is refused (422).
        return "403" if method == "DELETE" else "allow"
    if who in ("other_member", "outsider", "admin", "business_manager"):
        return "404"
    if (
        endpoint in ENTRY_ENDPOINTS
        and action in policy.ENTRY_CHANGES
        and who in ("agency_rep", "facilitator")
    ):
        # The matrix's entry names no agency and nobody recorded it: an agency representative
        # changes only their own agency's entries, a facilitator only those they recorded.
        return "403"
    if endpoint in PERSON_ENDPOINTS and action == "people.edit" and who == "agency_rep":
        # The matrix's person is the child: an agency representative changes only their own
        # agency's practitioners in the register.
        return "403"
    return "allow" if who in policy.REVIEW_ACTIONS[action] else "403"  # type: ignore[index]


# Routes that change one entry of the people register (``ref`` names the world's child).
PERSON_ENDPOINTS = frozenset({"api.person", "reviews.edit_person"})


# Routes that act on one good-practice entry (``entry_id`` in the URL).
ENTRY_ENDPOINTS = frozenset(endpoint for endpoint, rule, _ in ROUTES if "<int:entry_id>" in rule)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES)
def test_route_answers_as_the_policy_says(
    app: Flask,
    client: Any,
    login: Any,
    world: World,
    db_session: Any,
    endpoint: str,
    rule: str,
    method: str,
    who: str,
) -> None:
    ids = _records_for(endpoint, rule, db_session, world)
    if "workshop_id>" in rule or "<code>" in rule:
        ids.update(workshop_ids(db_session, world))
    if "<int:job_id>" in rule:
        ids["job_id"] = matrix_job(db_session, world)
    if who != "anonymous":
        login(who)
    url = route_url(rule, endpoint, world, ids)
    headers = {}
    kwargs: dict[str, Any] = {}
    if method not in ("GET",):
        token_value = _csrf_token(app, client)
        if endpoint.startswith("api."):
            headers["X-CSRFToken"] = token_value
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"csrf_token": token_value}
    response = client.open(url, method=method, headers=headers, **kwargs)
    want = expected(endpoint, method, who)
    status = response.status_code
    response.close()
    detail = f"{method} {url} as {who}: got {status}, policy says {want}"
    if want == "allow":
        assert status < 500, detail
        assert status not in (401, 403), detail
        if endpoint.startswith("reviews.") or any(
            key in rule for key in ("review_id", "entry_id", "job_id")
        ):
            assert status != 404, detail
    elif want == "sign_in":
        assert status == 302 and response.location.startswith("/sign-in"), detail
    elif want == "join":
        assert status == 302 and response.location.startswith("/join"), detail
    else:
        assert status == int(want), detail


def _records_for(endpoint: str, rule: str, db_session: Any, world: World) -> dict[str, Any]:
    """The records a route's URL names (a membership, a token, an upload, a good-practice
    entry), made only for the routes that name them or list them: each costs an audited write."""
    from models import ApiToken, ChronologyImport, GoodPractice, Membership, Review

    ids: dict[str, Any] = {}
    if "membership_id" in rule:
        ids["membership_id"] = (
            db_session.query(Membership.id)
            .filter_by(review_id=world.review_id, user_id=world.users["observer"])
            .scalar()
        )
    records: dict[str, Any] = {}
    if "token" in rule or "token" in endpoint:
        records["token_id"] = ApiToken(
            user_id=world.users["observer"], name="t", token_hash="x" * 64, prefix="lr_x"
        )
    if "import" in rule or "import" in endpoint:
        records["import_id"] = ChronologyImport(
            review_id=world.review_id,
            user_id=world.users["chair"],
            filename="x.csv",
            sha256="0" * 64,
            preview=EMPTY_PREVIEW,
        )
    if "entry_id" in rule or "good_practice" in endpoint:
        # An entry of the review: entry routes answer as the review's roles say.
        records["entry_id"] = GoodPractice(
            partnership_id=db_session.get(Review, world.review_id).partnership_id,
            review_id=world.review_id,
            ref="GP1",
            title="Neighbour's call followed up the same day",
            story="The duty officer rang the health visitor the next morning.",
            consent_to_share=True,
        )
    if records:
        db_session.add_all(records.values())
        db_session.commit()
    ids.update({key: record.id for key, record in records.items()})
    return ids


_CSRF: dict[str, tuple[str, str, float]] = {}


def _csrf_token(app: Flask, client: Any) -> str:
    """A CSRF token for this client. The first is read from the sign-in page the way a browser
    would; later clients carry the same session value, so the same signed token is theirs too
    (it saves a page per request, 3,000 of them)."""
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    key = str(app.secret_key)
    if key not in _CSRF or time.monotonic() - _CSRF[key][2] > 600:  # well inside its hour
        reader = app.test_client()
        signed = csrf_token(reader)
        with reader.session_transaction() as session:
            _CSRF[key] = (session[field], signed, time.monotonic())
    raw, signed, _made = _CSRF[key]
    with client.session_transaction() as session:
        session[field] = raw
    return signed
