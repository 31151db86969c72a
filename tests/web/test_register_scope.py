"""The people register: an agency representative changes only their own agency's
practitioners (web and API), and a register change after a report sends it to be rescanned."""

from __future__ import annotations

from typing import Any

from models import Person, Review
from tests.conftest import World, csrf_token


def _person(db_session: Any, world: World, ref: str) -> Person:
    db_session.expire_all()
    review = db_session.get(Review, world.review_id)
    return next(p for p in review.people if p.ref == ref)


def test_an_agency_rep_cannot_change_the_childs_entry_through_the_api(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("agency_rep")
    url = f"/api/v1/reviews/{world.review_id}/people/{world.person_ref}"
    etag = client.get(url, headers=headers).headers["ETag"]
    changed = client.patch(
        url, json={"real_name": "Someone Else"}, headers={**headers, "If-Match": etag}
    )
    assert changed.status_code == 403
    assert "own agency" in changed.json["message"]
    assert client.delete(url, headers=headers).status_code == 403
    child = _person(db_session, world, world.person_ref)
    assert child.real_name == "Tamsin Testcase"
    base = f"/api/v1/reviews/{world.review_id}/people"
    family = client.post(
        base, json={"pseudonym": "Mother", "role": "parent", "real_name": "X Y"}, headers=headers
    )
    assert family.status_code == 403


def test_an_agency_rep_manages_their_own_agencys_practitioners_only(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    headers = api("agency_rep")
    base = f"/api/v1/reviews/{world.review_id}"
    other = client.post(
        f"{base}/agencies",
        json={"name": "Northshire Health", "sector": "Health"},
        headers=api("chair"),
    )
    assert other.status_code == 201
    theirs = client.post(
        f"{base}/people",
        json={"pseudonym": "Nurse 1", "role": "practitioner", "agency": other.json["ref"]},
        headers=headers,
    )
    assert theirs.status_code == 403
    ours = client.post(
        f"{base}/people", json={"pseudonym": "Officer 1", "role": "practitioner"}, headers=headers
    )
    assert ours.status_code == 201 and ours.json["agency"] == world.agency_ref
    url = f"{base}/people/{ours.json['ref']}"
    etag = ours.headers["ETag"]
    moved = client.patch(url, json={"role": "parent"}, headers={**headers, "If-Match": etag})
    assert moved.status_code == 403
    renamed = client.patch(
        url, json={"pseudonym": "Officer A"}, headers={**headers, "If-Match": etag}
    )
    assert renamed.status_code == 200 and renamed.json["pseudonym"] == "Officer A"
    assert client.delete(url, headers=headers).status_code == 204


def test_an_agency_rep_cannot_edit_the_childs_entry_on_the_web(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("agency_rep")
    edit = f"/reviews/{world.review_id}/people/{world.person_ref}/edit"
    assert client.get(edit).status_code == 403
    token = csrf_token(client, f"/reviews/{world.review_id}/people/new")
    posted = client.post(
        edit,
        data={
            "csrf_token": token,
            "pseudonym": "Child T",
            "role": "child",
            "agency": "",
            "real_name": "Someone Else",
            "version": "1",
        },
    )
    assert posted.status_code == 403
    assert _person(db_session, world, world.person_ref).real_name == "Tamsin Testcase"
    overview = client.get(f"/reviews/{world.review_id}").get_data(as_text=True)
    assert edit not in overview


def test_a_register_change_after_a_report_is_rescanned_before_approval(
    client: Any, api: Any, world: World, db_session: Any
) -> None:
    from models import ReportVersion

    report = db_session.get(ReportVersion, world.report_id)
    # The public edition is what is published, so what the gate scans.
    report.markdown = "# Test review\n\nThe neighbour, Quentin Oddleby, called the police.\n"
    report.public_markdown = report.markdown
    db_session.commit()
    base = f"/api/v1/reviews/{world.review_id}/reports/{report.number}"
    assert client.get(base, headers=api("chair")).json["needs_rescan"] is False
    added = client.post(
        f"/api/v1/reviews/{world.review_id}/people",
        json={"pseudonym": "Neighbour 1", "role": "other", "real_name": "Quentin Oddleby"},
        headers=api("panel_member"),
    )
    assert added.status_code == 201
    assert client.get(base, headers=api("chair")).json["needs_rescan"] is True
    refused = client.post(f"{base}/approve", headers=api("chair"))
    assert refused.status_code == 409
    assert [h["text"] for h in refused.json["hits"]] == ["Quentin Oddleby"]
    db_session.expire_all()
    assert db_session.get(ReportVersion, world.report_id).approved_at is None
