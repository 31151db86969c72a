"""Row-level access: an agency representative changes only their own agency's events and
good-practice entries. One rule in app/policy/ (``check_agency_scope``) decides it for the
pages and the API alike: their own agency is allowed; another agency, no agency, and anything
at all while their membership names no agency are refused. No view keeps a copy of the rule,
nor of ``current_review``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from sqlalchemy import select

from app import policy
from app.db import db
from models import Membership, Review
from tests.conftest import World
from tests.helpers import post_form

EVENTS_REFUSED = "Agency representatives change only their own agency's events"
PRACTICE_REFUSED = "Agency representatives record only their own agency's practice"
APP = Path(__file__).resolve().parents[2] / "app"


def _other_agency(db_session: Any, world: World) -> str:
    from app.services.reviews import add_agency

    review = db_session.get(Review, world.review_id)
    add_agency(session=db_session, review=review, name="Northshire HV", ref="HV")
    db_session.commit()
    return "HV"


def _unbind_the_rep(db_session: Any, world: World) -> None:
    """The agency representative's membership names no agency (the chair has not set it)."""
    membership = db_session.scalar(
        select(Membership).where(
            Membership.review_id == world.review_id,
            Membership.user_id == world.users["agency_rep"],
        )
    )
    membership.agency = None
    db_session.commit()


def _event(agency: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"date": "2023-02-01", "date_precision": "day", "description": "Seen."}
    if agency is not None:
        body["agency"] = agency
    return body


# --- the rule itself --------------------------------------------------------------------------


def test_the_rule_allows_an_agency_rep_their_own_agency_only(app: Flask, world: World) -> None:
    with app.test_request_context(f"/reviews/{world.review_id}"):
        review = db().get_one(Review, world.review_id)
        rep, panel = (
            db().scalar(
                select(Membership).where(
                    Membership.review_id == review.id, Membership.user_id == world.users[who]
                )
            )
            for who in ("agency_rep", "panel_member")
        )
        g.review_access = policy.ReviewAccess(review, panel)
        for ref in ("POL", "HV", None):
            policy.check_agency_scope(ref, "events")  # not an agency representative
        g.review_access = policy.ReviewAccess(review, rep)
        assert policy.current_review() is review
        policy.check_agency_scope("POL", "events")
        policy.check_agency_scope("POL", "good_practice")
        for ref in ("HV", None, ""):
            with pytest.raises(policy.AgencyScopeError) as refused:
                policy.check_agency_scope(ref, "events")
            assert refused.value.code == 403 and refused.value.description == EVENTS_REFUSED
            assert not refused.value.unbound
        assert rep is not None
        rep.agency = None
        for ref in ("POL", "", None):
            with pytest.raises(policy.AgencyScopeError) as refused:
                policy.check_agency_scope(ref, "good_practice")
            assert refused.value.unbound and refused.value.description == PRACTICE_REFUSED
            assert refused.value.form_message == policy.NO_AGENCY_MESSAGE
        db().rollback()


# --- through the pages ------------------------------------------------------------------------


def test_chronology_pages_follow_the_rule(
    client: Any, api: Any, login: Any, world: World, db_session: Any
) -> None:
    other = _other_agency(db_session, world)
    base = f"/api/v1/reviews/{world.review_id}/events"
    theirs = client.post(base, json=_event(other), headers=api("chair"))
    nobodys = client.post(base, json=_event(None), headers=api("chair"))
    assert theirs.status_code == nobodys.status_code == 201
    login("agency_rep")
    events = f"/reviews/{world.review_id}/events"
    assert client.get(f"{events}/{world.event_ref}/edit").status_code == 200
    for ref in (theirs.json["ref"], nobodys.json["ref"]):
        assert client.get(f"{events}/{ref}/edit").status_code == 403
        refused = post_form(client, f"{events}/{ref}/delete")
        assert refused.status_code == 403
        assert "only their own agency" in refused.get_data(as_text=True)
    _unbind_the_rep(db_session, world)
    assert client.get(f"{events}/{world.event_ref}/edit").status_code == 403


def test_good_practice_pages_follow_the_rule(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    other = _other_agency(db_session, world)
    login("agency_rep")
    new = f"/reviews/{world.review_id}/good-practice/new"
    form = {
        "title": "A title",
        "story": "A story.",
        "what_made_it_work": "",
        "source": "other",
        "themes": "",
        "account": "",
    }
    assert post_form(client, new, {**form, "agency": "POL"}).status_code == 302
    for ref in (other, ""):
        refused = post_form(client, new, {**form, "agency": ref})
        assert refused.status_code == 422
        assert "only their own agency" in refused.get_data(as_text=True)
    _unbind_the_rep(db_session, world)
    for ref in ("POL", ""):  # an entry of no agency is refused too
        refused = post_form(client, new, {**form, "agency": ref})
        assert refused.status_code == 422
        assert "names no agency" in refused.get_data(as_text=True)


# --- through the API --------------------------------------------------------------------------


def test_the_events_api_follows_the_rule(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    other = _other_agency(db_session, world)
    base = f"/api/v1/reviews/{world.review_id}/events"
    rep = api("agency_rep")
    assert client.post(base, json=_event("POL"), headers=rep).status_code == 201
    for ref in (other, None):
        refused = client.post(base, json=_event(ref), headers=rep)
        assert refused.status_code == 403
        assert refused.json == {"message": EVENTS_REFUSED, "errors": []}
    # Another agency's event is refused before its version is asked for: the answer is that
    # the rep may not change it, not that the change needs an If-Match header.
    theirs = client.post(base, json=_event(other), headers=api("chair")).json["ref"]
    for method in ("PATCH", "DELETE"):
        refused = client.open(
            f"{base}/{theirs}", method=method, json={"description": "Changed."}, headers=rep
        )
        assert (refused.status_code, refused.json) == (
            403,
            {"message": EVENTS_REFUSED, "errors": []},
        )
    _unbind_the_rep(db_session, world)
    refused = client.post(base, json=_event("POL"), headers=rep)
    assert refused.status_code == 403 and refused.json["message"] == EVENTS_REFUSED


def test_the_good_practice_api_follows_the_rule(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    other = _other_agency(db_session, world)
    rep = api("agency_rep")
    body = {"title": "t", "story": "s", "review": world.review_id}
    made = client.post("/api/v1/good-practice", json={**body, "agency": "POL"}, headers=rep)
    assert made.status_code == 201
    for extra in ({"agency": other}, {}):
        refused = client.post("/api/v1/good-practice", json={**body, **extra}, headers=rep)
        assert refused.status_code == 403
        assert refused.json == {"message": PRACTICE_REFUSED, "errors": []}
    _unbind_the_rep(db_session, world)
    refused = client.post("/api/v1/good-practice", json={**body, "agency": "POL"}, headers=rep)
    assert refused.status_code == 403 and refused.json["message"] == PRACTICE_REFUSED


# --- one copy of each rule --------------------------------------------------------------------

COPIES = re.compile(r"^\s*def (_check_agency_scope|_scope|_agency_scope|_review)\(", re.M)
RULES = re.compile(r"^\s*def (check_agency_scope|current_review)\(", re.M)


def test_no_view_keeps_its_own_agency_scope_or_review_helper() -> None:
    copies, rules = [], []
    for path in sorted(APP.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(APP.parent).as_posix()
        copies += [f"{where}: def {m.group(1)}" for m in COPIES.finditer(text)]
        rules += [f"{where}: def {m.group(1)}" for m in RULES.finditer(text)]
    assert copies == [], "row-level rules belong in app/policy/"
    assert sorted(rules) == [
        "app/policy/context.py: def current_review",
        "app/policy/rows.py: def check_agency_scope",
    ]
