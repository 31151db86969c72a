"""What fuzzing the running app found: no answer is a 500. Deeply nested JSON is a 400 with a
clear message (also when joining a workshop, unauthenticated); ids beyond 64 bits are 404
(also on the public report pages); a finding takes every SCIE pattern; an unauthenticated
write is 401, not a CSRF 400; limit=0 is accepted; the OpenAPI document lists the statuses
the API answers."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from analysis.taxonomy import SCIE_PATTERNS
from tests.conftest import World

NESTED = "[" * 1000 + "]" * 1000
HUGE = 2**63


@pytest.mark.parametrize("path", ["/api/v1/workshops/join", "/api/v1/reviews/{id}/findings"])
def test_deeply_nested_json_is_a_clear_400(client: Any, api: Any, world: World, path: str) -> None:
    url = path.format(id=world.review_id)
    response = client.post(url, data=NESTED, content_type="application/json", headers=api("chair"))
    assert response.status_code == 400
    assert "nested too deeply" in response.json["message"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/reviews/{HUGE}",
        f"/api/v1/reviews/{2**31}",  # past PostgreSQL's INTEGER ids
        f"/api/v1/reviews/{HUGE * 2}/events/E1",
        f"/api/v1/workshops/{HUGE}/material",
        f"/p/{HUGE}/reports",
        f"/reviews/{HUGE}",
    ],
)
def test_ids_beyond_64_bits_are_not_found(client: Any, api: Any, path: str) -> None:
    assert client.get(path, headers=api("chair")).status_code == 404


def test_a_cursor_beyond_64_bits_is_refused_clearly(client: Any, api: Any) -> None:
    cursor = base64.urlsafe_b64encode(str(HUGE).encode()).decode()
    response = client.get(f"/api/v1/reviews?cursor={cursor}", headers=api("chair"))
    assert response.status_code == 400 and "cursor" in response.json["message"]


@pytest.mark.parametrize("pattern", sorted(SCIE_PATTERNS))
def test_a_finding_takes_every_scie_pattern(
    client: Any, api: Any, world: World, pattern: str
) -> None:
    base = f"/api/v1/reviews/{world.review_id}/findings"
    headers = api("chair")
    made = client.post(base, json={"title": "A pattern", "scie_pattern": pattern}, headers=headers)
    assert made.status_code == 201 and made.json["scie_pattern"] == pattern
    refused = client.post(base, json={"title": "x", "scie_pattern": "nonsense"}, headers=headers)
    assert refused.status_code == 422


def test_an_unauthenticated_write_is_401_not_a_csrf_400(client: Any, world: World) -> None:
    response = client.post(f"/api/v1/reviews/{world.review_id}/events", json={})
    assert response.status_code == 401
    assert client.delete(f"/api/v1/reviews/{world.review_id}/people/P1").status_code == 401


def test_a_signed_in_browser_write_still_needs_its_csrf_token(
    client: Any, login: Any, world: World
) -> None:
    login("chair")
    response = client.post(f"/api/v1/reviews/{world.review_id}/events", json={})
    assert response.status_code == 400
    assert "CSRF" in response.json["message"]


@pytest.mark.parametrize("path", ["/api/v1/reviews", "/api/v1/reviews/{id}/events"])
def test_limit_zero_is_an_empty_page(client: Any, api: Any, world: World, path: str) -> None:
    response = client.get(path.format(id=world.review_id) + "?limit=0", headers=api("chair"))
    assert response.status_code == 200 and response.json["items"] == []
    assert response.json["next_cursor"] is not None  # there is more to read


def test_a_kpe_drawing_with_a_real_ref_is_drawn(client: Any, api: Any, world: World) -> None:
    url = f"/api/v1/reviews/{world.review_id}/graph.dot?view=kpe&ref={world.kpe_ref}"
    assert client.get(url, headers=api("chair")).status_code == 200


def test_the_openapi_document_lists_the_error_statuses(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    patch = paths["/api/v1/reviews/{review_id}/people/{ref}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "412", "422", "428"} <= set(patch)
    join = paths["/api/v1/workshops/join"]["post"]["responses"]
    assert "401" not in join and {"400", "422", "429"} <= set(join)
