"""A workshop participant who leaves ends their token on the server, not only in the browser:
a copy of it (a shared tablet, a saved cookie) opens nothing afterwards."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from models import Participant
from tests.conftest import World


def test_leaving_a_workshop_revokes_the_participants_token(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    made = client.post(f"/api/v1/reviews/{world.review_id}/workshops", headers=api("facilitator"))
    assert made.status_code == 201
    workshop = made.json
    joined = client.post(
        "/api/v1/workshops/join", json={"code": workshop["join_code"], "name": "Midwife"}
    )
    assert joined.status_code == 201
    bearer = {"Authorization": f"Bearer {joined.json['token']}"}
    material = f"/api/v1/workshops/{workshop['id']}/material"
    assert client.get(material, headers=bearer).status_code == 200
    home = f"/w/{workshop['id']}/"
    page = client.get(home, headers=bearer).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the participant's page"
    left = client.post(
        f"/w/{workshop['id']}/leave", data={"csrf_token": match.group(1)}, headers=bearer
    )
    assert left.status_code == 302
    assert client.get(material, headers=bearer).status_code == 401
    assert client.get(home, headers=bearer).status_code == 302  # sent back to join
    db_session.expire_all()
    participant = db_session.scalars(
        select(Participant).where(
            Participant.workshop_id == workshop["id"], Participant.display_name == "Midwife"
        )
    ).one()
    assert participant.revoked_at is not None
