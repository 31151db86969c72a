"""No hindsight in a workshop's material: an episode's slides, graph, handout and pack hold
only the events that could be known at its end and the factors those events evidence. A
protective factor seen months later stays out of the earlier episode."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.services import chronology as chronology_service
from app.services import factors as factor_service
from app.services import workshop_outputs
from app.services import workshops as service
from models import Review, Workshop
from tests.conftest import World
from tests.helpers import new_workshop, pdf_text

LATER = "Teacher wrote down the child's words"
LATER_EVENT = "School records the child's words in December"


@pytest.fixture
def workshop(client: Any, api: Any, world: World, db_session: Session) -> Workshop:
    """K1 (January 2023: E1) and K2 (March 2024: E3); a protective factor evidenced only by
    a December 2023 entry mitigates a failure of K1 and an event of K2."""
    review = db_session.get_one(Review, world.review_id)
    chronology_service.create_event(
        session=db_session,
        review=review,
        added_by_id=None,
        ref="E2",
        when=chronology_service.to_when("05/12/2023"),
        description=LATER_EVENT,
    )
    chronology_service.create_kpe(session=db_session, review=review, title="Later", ref="K2")
    chronology_service.create_event(
        session=db_session,
        review=review,
        added_by_id=None,
        ref="E3",
        when=chronology_service.to_when("01/03/2024"),
        description="Referral to children's social care",
        kpe="K2",
    )
    factor_service.create_factor(
        session=db_session,
        review=review,
        ref="F2",
        label="Call closed as a one-off",
        type="active_failure",
        level="practice",
        evidence=[{"source": "agency_record", "event": "E1"}],
    )
    factor_service.create_factor(
        session=db_session,
        review=review,
        ref="F3",
        label=LATER,
        type="protective",
        level="practice",
        evidence=[{"source": "agency_record", "event": "E2"}],
    )
    for source, target, relation in (
        ("F2", "E1", "contributed_to"),
        ("F3", "F2", "mitigated"),
        ("F3", "E3", "mitigated"),
    ):
        factor_service.create_link(
            session=db_session, review=review, source=source, target=target, relation=relation
        )
    db_session.commit()
    made = new_workshop(
        client, api, review_id=world.review_id, kpes=["K1", "K2"], graph_views=["kpe"]
    )
    return db_session.get_one(Workshop, made["id"])


def _episode(workshop: Workshop, ref: str) -> dict[str, Any]:
    return next(k for k in workshop.snapshot["kpes"] if k["ref"] == ref)


def test_an_episodes_slides_and_graph_hold_nothing_dated_after_it(
    workshop: Workshop, client: Any, login: Any, world: World
) -> None:
    slides = service.presenter_slides(workshop)
    for slide in slides:
        kpe = (slide.get("kpe") or {}).get("ref")
        refs = {n["ref"] for n in slide.get("nodes", [])} | {
            e["ref"] for e in slide.get("events", [])
        }
        if kpe == "K1":
            assert refs <= {"E1", "F1", "F2"}, slide
    k2_factors = {n["ref"] for n in service.reveal_nodes(workshop, _episode(workshop, "K2"), 3)}
    assert "F3" in k2_factors  # known by then: the later episode shows it
    assert "F3" not in service.episode_factor_refs(workshop, _episode(workshop, "K1"))

    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{workshop.id}"
    k1 = client.get(f"{base}/graph/K1/3.svg").get_data(as_text=True)
    assert "Call closed" in k1
    assert "Teacher wrote" not in k1 and "December" not in k1
    k2 = client.get(f"{base}/graph/K2/3.svg").get_data(as_text=True)
    assert "Teacher wrote" in k2


def test_the_handout_and_pack_give_each_episode_only_what_was_known_then(
    workshop: Workshop, client: Any, login: Any, world: World
) -> None:
    document = workshop_outputs.handout_document(workshop)
    sections = {s.heading.split(":")[0]: repr(s) for s in document.sections}
    assert "Call closed as a one-off" in sections["K1"]
    assert LATER not in sections["K1"] and LATER_EVENT not in sections["K1"]
    assert LATER in sections["K2"]
    login("facilitator")
    pack = client.get(f"/reviews/{world.review_id}/workshops/{workshop.id}/pack.pdf")
    assert pack.status_code == 200
    text = pdf_text(pack.data)
    # The episode's card: after the contents list, up to the next episode's heading.
    parts = [part.split("K2: Later")[0] for part in text.split("K1: First episode")[1:]]
    k1 = next(part for part in parts if "Police attend" in part)
    assert "Call closed as a one-off" in k1 and LATER not in k1


def test_each_episode_has_its_own_page_with_only_its_own_events_and_uk_dates(
    workshop: Workshop, client: Any, login: Any, world: World
) -> None:
    login("facilitator")
    base = f"/reviews/{world.review_id}/workshops/{workshop.id}"
    handout = client.get(f"{base}/handout.pdf")
    assert handout.status_code == 200
    pages = pdf_text(handout.data).split("\f")
    k1 = next(page for page in pages if "K1: First episode" in page)
    k2 = next(page for page in pages if "K2: Later" in page)
    assert k1 is not k2 and "K2: Later" not in k1  # one page per episode
    assert "Police attend" in k1 and "14 Jan 2023" in k1
    # K2's page: its own event only, not the chronology again from the start.
    assert "Referral to children's social care" in k2 and "1 Mar 2024" in k2
    assert "Police attend" not in k2 and LATER_EVENT not in k2
    pack = pdf_text(client.get(f"{base}/pack.pdf").data)
    held_on = workshop.held_on
    assert held_on.isoformat() not in pack
    assert f"{held_on.day} {held_on:%b %Y}" in pack
