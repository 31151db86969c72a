"""Whole-review results stay cached while people only read (a chair reading the audit trail
records a view, not a change), and the likely duplicates are shown a page of groups at a time
(a big review has hundreds). All data fictional."""

from __future__ import annotations

from typing import Any

import pytest

from app.chronology import merges as merge_pages
from app.services import review_cache
from app.services.reviews import directory_agency
from models import Review, ReviewAgency
from models.audit import record
from tests.conftest import World


def test_reading_restricted_data_leaves_the_change_counter_alone(
    world: World, db_session: Any
) -> None:
    before = review_cache.change_counter(db_session, world.review_id)
    record(db_session, "view_real_names", entity_type="people", review_id=world.review_id)
    record(db_session, "export_bundle", entity_type="reviews", review_id=world.review_id)
    db_session.flush()
    assert review_cache.change_counter(db_session, world.review_id) == before
    review = db_session.get(Review, world.review_id)
    review.terms_of_reference = "Changed."
    db_session.flush()
    assert review_cache.change_counter(db_session, world.review_id) != before


def test_likely_duplicates_come_a_page_of_groups_at_a_time(
    client: Any,
    api: Any,
    login: Any,
    world: World,
    db_session: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    review = db_session.get(Review, world.review_id)
    health = directory_agency(db_session, review.partnership_id, "Northshire Health", "Health")
    db_session.add(ReviewAgency(review_id=review.id, agency=health, ref="HV"))
    db_session.commit()
    headers = api("chair")
    base = f"/api/v1/reviews/{world.review_id}"
    for day, words in (("2024-01-21", "emergency department"), ("2024-03-02", "school exclusion")):
        for agency in ("POL", "HV"):
            body = {
                "date": day,
                "date_precision": "day",
                "agency": agency,
                "description": f"Child T at the {words} meeting about her bruised arm.",
            }
            assert client.post(f"{base}/events", json=body, headers=headers).status_code == 201
    monkeypatch.setattr(merge_pages, "GROUPS_PER_PAGE", 1)
    login("chair")
    page = client.get(f"/reviews/{world.review_id}/merges").get_data(as_text=True)
    assert "2 suggestions, the likeliest first: page 1 of 2." in page
    assert page.count('class="govuk-summary-card" id="group-') == 1
    assert 'rel="next"' in page and 'id="group-1"' in page
    second = client.get(f"/reviews/{world.review_id}/merges?page=2").get_data(as_text=True)
    assert 'id="group-2"' in second and 'rel="prev"' in second
