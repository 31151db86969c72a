"""What must never be allowed, written out by hand and checked twice: against the policy's
tables (so a wrong entry in a table fails here, though the generated access matrix would
follow it) and against the running app.

1. Observers change nothing.
2. Board members, observers and facilitators never read real names or the register's
   restricted fields.
3. Agency representatives never change another agency's items, nor the register's entries
   other than their own agency's practitioners.
4. Only a chair appoints (or removes) a chair.
5. A participant's token reaches only its own workshop.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from app import policy
from tests.conftest import World, csrf_token

NEVER_REAL_NAMES = ("board_member", "observer", "facilitator")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


# --- against the tables -----------------------------------------------------------------------


def test_table_observers_only_view() -> None:
    allowed = sorted(a for a, roles in policy.REVIEW_ACTIONS.items() if "observer" in roles)
    assert all(action.endswith(".view") for action in allowed), allowed


def test_table_searches_only_read() -> None:
    for endpoint in policy.SEARCH_POSTS:
        action = policy.action_for(endpoint, "POST")
        assert action is not None and action.endswith(".view"), (endpoint, action)


def test_table_no_real_names_for_boards_observers_or_facilitators() -> None:
    readers = policy.REVIEW_ACTIONS["people.real_names"]
    assert not readers & set(NEVER_REAL_NAMES)
    # Reading real names needs a second factor: every such role is checked for it.
    assert policy.REVIEW_ACTIONS[policy.SECOND_FACTOR_ACTION] == readers


def test_table_only_a_chair_appoints_a_chair() -> None:
    assert policy.REVIEW_ACTIONS["review.chairs"] == frozenset({"chair"})
    assert frozenset({"practitioner"}) == policy.REGISTER_ROLES_FOR_AGENCY_REPS


def test_table_participant_routes_name_their_workshop(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        entry = policy.ROUTES.get(rule.endpoint)
        actions = set(entry.values()) if isinstance(entry, dict) else {entry}
        if policy.PARTICIPANT in actions:
            assert "workshop_id" in rule.arguments, rule.rule
        if policy.JOIN in actions:
            assert rule.endpoint.startswith(("participate.join", "api.join_workshop")), rule.rule


# --- against the running app ------------------------------------------------------------------


def _review_write_routes(app: Flask, review_id: int) -> list[tuple[str, str, str]]:
    """(endpoint, url, method) of every write route of one review, filled with test values."""
    values = {"review_id": str(review_id), "ref": "E1", "version": "1", "fmt": "md"}
    routes = []
    for rule in app.url_map.iter_rules():
        if "review_id" not in rule.arguments or rule.arguments & {"entry_id", "workshop_id"}:
            continue
        for method in sorted((rule.methods or set()) & set(WRITE_METHODS)):
            url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), rule.rule)
            routes.append((rule.endpoint, url, method))
    return routes


def test_app_observers_change_nothing(
    app: Flask, client: Any, api: Any, login: Any, world: World
) -> None:
    headers = api("observer")
    login("observer")
    token = csrf_token(client, "/account")
    routes = _review_write_routes(app, world.review_id)
    assert len(routes) > 40
    for endpoint, url, method in routes:
        if endpoint in policy.SEARCH_POSTS:
            continue  # a search that changes nothing: test_table_searches_only_read
        if endpoint.startswith("api."):
            response = client.open(url, method=method, json={}, headers=headers)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, f"{method} {url} as observer: {response.status_code}"


@pytest.mark.parametrize("who", NEVER_REAL_NAMES)
def test_app_no_real_names_for_boards_observers_or_facilitators(
    client: Any, api: Any, login: Any, world: World, who: str
) -> None:
    base = f"/api/v1/reviews/{world.review_id}"
    headers = api(who)
    assert client.get(f"{base}/people?reveal=real_names", headers=headers).status_code == 403
    assert client.get(f"{base}/people/P1?reveal=real_names", headers=headers).status_code == 403
    assert client.get(f"{base}/export", headers=headers).status_code == 403
    plain = client.get(f"{base}/people", headers=headers).get_data(as_text=True)
    assert "Tamsin" not in plain and "Tam" not in plain.replace("Child T", "")
    login(who)
    assert client.get(f"/reviews/{world.review_id}/people/real-names").status_code == 403
    overview = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert "Tamsin" not in overview


def test_app_agency_reps_change_only_their_agencys_items(
    client: Any, api: Any, world: World
) -> None:
    base = f"/api/v1/reviews/{world.review_id}"
    chair, rep = api("chair"), api("agency_rep")
    other = client.post(f"{base}/agencies", json={"name": "Northshire Health"}, headers=chair)
    theirs = client.post(
        f"{base}/events",
        json={
            "date": "2023-02-01",
            "date_precision": "day",
            "agency": other.json["ref"],
            "description": "A visit.",
        },
        headers=chair,
    )
    assert theirs.status_code == 201, theirs.json
    event_url = f"{base}/events/{theirs.json['ref']}"
    changed = client.patch(
        event_url,
        json={"description": "Changed"},
        headers={**rep, "If-Match": theirs.headers["ETag"]},
    )
    assert changed.status_code == 403
    assert client.delete(event_url, headers=rep).status_code == 403
    child = f"{base}/people/{world.person_ref}"
    etag = client.get(child, headers=rep).headers["ETag"]
    renamed = client.patch(child, json={"pseudonym": "X"}, headers={**rep, "If-Match": etag})
    assert renamed.status_code == 403


@pytest.mark.parametrize("who", ["lead_reviewer", "panel_member", "agency_rep", "board_member"])
def test_app_only_a_chair_appoints_a_chair(client: Any, api: Any, world: World, who: str) -> None:
    url = f"/api/v1/reviews/{world.review_id}/members"
    body = {"email": "other-member@test.example.org", "role": "chair"}
    assert client.post(url, json=body, headers=api(who)).status_code == 403
    assert client.post(url, json=body, headers=api("chair")).status_code == 201


def test_app_a_participant_token_reaches_only_its_workshop(
    client: Any, api: Any, world: World
) -> None:
    base = f"/api/v1/reviews/{world.review_id}/workshops"
    first = client.post(base, headers=api("facilitator")).json
    second = client.post(base, headers=api("facilitator")).json
    joined = client.post("/api/v1/workshops/join", json={"code": first["join_code"], "name": "GP"})
    bearer = {"Authorization": f"Bearer {joined.json['token']}"}
    assert (
        client.get(f"/api/v1/workshops/{first['id']}/material", headers=bearer).status_code == 200
    )
    assert (
        client.get(f"/api/v1/workshops/{second['id']}/material", headers=bearer).status_code == 403
    )
    assert client.get(f"/api/v1/reviews/{world.review_id}", headers=bearer).status_code == 403
    assert client.get(f"/w/{second['id']}/", headers=bearer).status_code == 403
