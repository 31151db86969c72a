"""Saving a finding, factor, account or good-practice entry that names someone in the people
register, or holds an identifying detail, says so at once (not only when a report is made),
with the pseudonym readers who may not see real names will read there."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.helpers import post_form

READ_AS = "readers who may not see real names will read “Child T” there"


FACTOR_FORM = {
    "description": "",
    "condition": "",
    "scie_pattern": "",
    "seips_component": "",
    "contributory_category": "",
    "evidence_rows": "2",
}


def test_a_factor_naming_the_child_warns_with_the_pseudonym(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/factors/new",
        {
            **FACTOR_FORM,
            "label": "No one asked Tamsin Testcase",
            "type": "latent_condition",
            "level": "team",
            "description": "Tam's school rang 07700 900123.",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"Label names someone in the people register: {READ_AS}." in page
    assert f"Description names someone in the people register: {READ_AS}." in page
    assert "Description may identify someone (phone number): change it before it is shared." in (
        page
    )


def test_an_account_saved_by_a_facilitator_warns_without_quoting_the_name(
    client: Any, login: Any, world: World
) -> None:
    login("facilitator")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/accounts/new",
        {"contributor_kind": "family", "narrative": "Tamsin Testcase said nobody listened."},
    )
    assert response.status_code == 302
    # The warning travels in the session cookie until it is shown: it holds no real name.
    cookie = client.get_cookie("lr_session")
    assert cookie is not None and "Tamsin" not in str(cookie.decoded_value)
    page = client.get(response.location).get_data(as_text=True)
    assert f"Narrative names someone in the people register: {READ_AS}." in page
    assert "Tamsin" not in page


def test_a_clean_factor_is_saved_without_a_warning(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/factors/new",
        {
            **FACTOR_FORM,
            "label": "Caseloads too high to read files",
            "type": "latent_condition",
            "level": "team",
        },
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "people register" not in page and "may identify someone" not in page


def test_the_api_answer_carries_warnings(client: Any, api: Any, world: World) -> None:
    headers = api("panel_member")
    base = f"/api/v1/reviews/{world.review_id}"
    created = client.post(
        f"{base}/findings",
        json={"title": "Nobody asked Tamsin Testcase", "questions_for_board": ["How?"]},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["warnings"] == [
        f"Title names someone in the people register: {READ_AS}. "
        "Write the pseudonym if the real name is not needed."
    ]
    clean = client.post(
        f"{base}/factors",
        json={"label": "Caseloads too high", "type": "latent_condition", "level": "team"},
        headers=headers,
    )
    assert clean.status_code == 201 and "warnings" not in clean.get_json()
    ref = clean.get_json()["ref"]
    patched = client.patch(
        f"{base}/factors/{ref}",
        json={"description": "Mother's number is 07700 900123."},
        headers={**headers, "If-Match": clean.headers["ETag"]},
    )
    assert patched.status_code == 200
    assert patched.get_json()["warnings"] == [
        "Description may identify someone (phone number): change it before it is shared."
    ]
