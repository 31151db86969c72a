"""Accounts and contributing factors: prompts, checks, triangulation, wording, links, the
partnership's condition library, the voice of the child and family, API and bundle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Account, Factor, PartnershipCondition
from tests.conftest import World
from tests.helpers import BUNDLE, post_form


def _factor_form(**values: str) -> dict[str, str]:
    form = {
        "label": "Supervision time is squeezed",
        "type": "latent_condition",
        "level": "team",
        "description": "",
        "condition": "",
        "scie_pattern": "",
        "seips_component": "",
        "contributory_category": "",
        "evidence_rows": "2",
    }
    form.update(values)
    return form


def test_an_account_keeps_each_prompt_answer_separately(
    client: Any, login: Any, world: World, db_session: Any
) -> None:
    login("panel_member")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/accounts/new",
        {
            "contributor_kind": "practitioner",
            "contributor": "",
            "contributor_role": "Health visitor",
            "taken_on": "2025-04-02",
            "consent_to_quote": "y",
            "narrative": "",
            "prompt_what_going_on": "A family coping with a new baby.",
            "prompt_other_demands": "Twelve new births that week.",
            "events": ["E1"],
        },
    )
    assert response.status_code == 302
    account = db_session.scalar(select(Account).where(Account.contributor_role == "Health visitor"))
    assert account.prompts == {
        "what_going_on": "A family coping with a new baby.",
        "other_demands": "Twelve new births that week.",
    }
    page = client.get(response.location).get_data(as_text=True)
    assert "What else was occupying you?" in page and "Twelve new births that week." in page


def test_an_empty_account_is_refused_with_a_reason(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/accounts/new",
        {"contributor_kind": "family", "narrative": ""},
    )
    assert response.status_code == 422 and "Write what was said" in response.get_data(as_text=True)


def test_checks_warn_but_never_block(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/factors/new",
        _factor_form(label="Home visit made by phone", type="active_failure", level="team"),
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    for code in ("active_not_practice", "active_without_event", "no_evidence"):
        assert f'data-code="{code}"' in page


def test_wording_that_blames_is_highlighted_not_refused(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    response = post_form(
        client,
        f"/reviews/{world.review_id}/factors/new",
        _factor_form(description="The worker failed to check, which was obviously wrong."),
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert '<mark class="lr-wording"' in page and "failed to" in page and "obviously" in page


def test_triangulation_badge_counts_kinds_of_source(client: Any, login: Any, world: World) -> None:
    login("panel_member")
    form = _factor_form(evidence_rows="3")
    form.update(
        {
            "evidence-0-source": "agency_record",
            "evidence-0-event": "E1",
            "evidence-1-source": "practitioner_account",
            "evidence-1-account": "AC1",
            "evidence-2-source": "family_account",
            "evidence-2-note": "Grandmother",
        }
    )
    response = post_form(client, f"/reviews/{world.review_id}/factors/new", form)
    page = client.get(response.location).get_data(as_text=True)
    assert "Strong: 3 kinds of source" in page


def test_a_latent_condition_added_from_an_event_is_linked_to_it(
    client: Any, login: Any, world: World
) -> None:
    login("panel_member")
    form = _factor_form(
        label="Police and social care records are not shared",
        level="partnership",
        event="E1",
        **{"evidence-0-source": "agency_record", "evidence-0-event": "E1"},
    )
    response = post_form(client, f"/reviews/{world.review_id}/factors/new", form)
    assert response.status_code == 302
    ref = response.location.rsplit("/", 1)[1]
    event_page = client.get(f"/reviews/{world.review_id}/events/E1").get_data(as_text=True)
    assert "Police and social care records are not shared" in event_page.split('id="why"')[1]
    post_form(
        client,
        f"/reviews/{world.review_id}/links",
        {"source": ref, "target": "F1", "relation": "precondition_of"},
    )
    factor_page = client.get(f"/reviews/{world.review_id}/factors/{ref}").get_data(as_text=True)
    assert "was a precondition of" in factor_page and "F1:" in factor_page


def test_latent_conditions_join_the_partnership_library(
    client: Any, world: World, api: Any, db_session: Any
) -> None:
    body = {
        "label": "Domestic incidents graded STANDARD get no follow-up",
        "type": "latent_condition",
        "level": "organisation",
    }
    other = client.post(
        f"/api/v1/reviews/{world.other_review_id}/factors", json=body, headers=api("other_member")
    )
    assert other.status_code == 201
    conditions = db_session.scalars(select(PartnershipCondition)).all()
    shared = [
        c
        for c in conditions
        if c.label_key == "domestic incidents graded standard get no follow-up"
    ]
    assert len(shared) == 1
    factors = db_session.scalars(select(Factor).where(Factor.condition_id == shared[0].id)).all()
    assert {f.review_id for f in factors} == {world.review_id, world.other_review_id}


def test_kpe_shows_whether_the_child_and_family_are_heard(
    client: Any, login: Any, world: World, api: Any
) -> None:
    login("observer")
    assert "Not heard" in client.get(f"/reviews/{world.review_id}/kpes").get_data(as_text=True)
    client.post(
        f"/api/v1/reviews/{world.review_id}/accounts",
        json={
            "contributor_kind": "family",
            "narrative": "We asked for help twice.",
            "events": ["E1"],
        },
        headers=api("chair"),
    )
    page = client.get(f"/reviews/{world.review_id}/kpes").get_data(as_text=True)
    assert "Not heard" not in page and "Heard" in page


def test_api_factors_need_if_match_and_keep_evidence(client: Any, world: World, api: Any) -> None:
    headers = api("panel_member")
    url = f"/api/v1/reviews/{world.review_id}/factors"
    made = client.post(
        url,
        json={
            "label": "Records checked by phone",
            "type": "active_failure",
            "level": "practice",
            "evidence": [{"source": "agency_record", "event": "E1"}],
        },
        headers=headers,
    )
    assert made.status_code == 201 and made.json["ref"] == "F2"
    one = f"{url}/F2"
    assert client.patch(one, json={"level": "team"}, headers=headers).status_code == 428
    ok = client.patch(
        one, json={"level": "team"}, headers={**headers, "If-Match": made.headers["ETag"]}
    )
    assert ok.status_code == 200 and ok.json["evidence"] == [
        {"source": "agency_record", "event": "E1"}
    ]
    stale = client.patch(
        one, json={"label": "x"}, headers={**headers, "If-Match": made.headers["ETag"]}
    )
    assert stale.status_code == 412
    bad = client.post(
        f"/api/v1/reviews/{world.review_id}/links",
        json={"source": "F2", "target": "E99", "relation": "enabled"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert client.delete(one, headers=headers).status_code == 204
    assert all(
        lk["source"] != "F2"
        for lk in client.get(f"/api/v1/reviews/{world.review_id}/links", headers=headers).json[
            "items"
        ]
    )


def test_board_members_see_factors_but_not_accounts(client: Any, login: Any, world: World) -> None:
    login("board_member")
    assert client.get(f"/reviews/{world.review_id}/factors").status_code == 200
    assert client.get(f"/reviews/{world.review_id}/accounts").status_code == 403


def test_bundle_with_accounts_factors_and_links_round_trips_exactly(client: Any, api: Any) -> None:

    bundle = {
        **BUNDLE,
        "events": [
            {
                "ref": "E1",
                "date": "2021-05-04",
                "date_precision": "day",
                "agency": "A1",
                "source": "agency_record",
                "description": "Call logged.",
                "appraisal": "problematic",
            }
        ],
        "accounts": [
            {
                "ref": "AC1",
                "contributor_kind": "practitioner",
                "contributor": "HV1",
                "taken_on": "2023-10-01",
                "consent_to_quote": True,
                "narrative": "It felt routine.",
                "prompts": {"what_going_on": "A routine call.", "what_went_well": "The notes."},
                "events": ["E1"],
            }
        ],
        "factors": [
            {
                "ref": "F1",
                "label": "Caseloads over 30",
                "description": "Every worker over capacity.",
                "type": "latent_condition",
                "level": "team",
                "scie_pattern": "human_management_system",
                "seips_component": "organisation",
                "evidence": [
                    {"source": "agency_record", "event": "E1"},
                    {"source": "practitioner_account", "account": "AC1", "note": "said twice"},
                ],
                "contributory_category": "conditions_of_work",
            },
            {
                "ref": "F2",
                "label": "Call not followed up",
                "type": "active_failure",
                "level": "practice",
            },
        ],
        "links": [
            {
                "source": "F1",
                "target": "F2",
                "relation": "contributed_to",
                "confidence": "high",
                "ref": "L1",
            },
            {"source": "F2", "target": "E1", "relation": "contributed_to", "ref": "L2"},
        ],
    }
    headers = api("chair")
    imported = client.post("/api/v1/reviews/import", json=bundle, headers=headers)
    assert imported.status_code == 201, imported.json
    assert (
        client.get(f"/api/v1/reviews/{imported.json['id']}/export", headers=headers).json == bundle
    )


def test_factor_evidence_from_accounts_is_hidden_from_roles_that_cannot_read_accounts(
    client: Any, world: World, api: Any, login: Any
) -> None:
    url = f"/api/v1/reviews/{world.review_id}/factors"
    made = client.post(
        url,
        json={
            "label": "Family not asked",
            "type": "latent_condition",
            "level": "team",
            "evidence": [
                {
                    "source": "family_account",
                    "account": "AC1",
                    "note": "'Nobody asked us,' she said.",
                }
            ],
        },
        headers=api("panel_member"),
    )
    ref = made.json["ref"]
    board = client.get(f"{url}/{ref}", headers=api("board_member")).json
    assert board["evidence"] == [{"source": "family_account"}]
    panel = client.get(f"{url}/{ref}", headers=api("panel_member")).json
    assert panel["evidence"][0]["note"] == "'Nobody asked us,' she said."
    login("board_member")
    page = client.get(f"/reviews/{world.review_id}/factors/{ref}").get_data(as_text=True)
    assert "Nobody asked us" not in page and "/accounts/AC1" not in page
