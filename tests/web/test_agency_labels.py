"""How outputs a reader sees name an agency: a school (any sector that says "school") by
"A school" only, the same in the report and in the good-practice register's briefing, since
a school's name places the child; every other agency by its name."""

from __future__ import annotations

from typing import Any

from analysis.chronology.dates.parsing import parse_when
from app.services import chronology
from app.services import good_practice as good_practice_service
from app.services.anonymity import agency_label
from app.services.reviews import add_agency
from models import Review, User
from tests.conftest import World
from tests.helpers import generate_report


def test_the_report_and_the_good_practice_register_name_a_school_the_same_way(
    client: Any, api: Any, login: Any, world: World, db_session: Any
) -> None:
    review = db_session.get(Review, world.review_id)
    # "Primary school", not "School": a sector a bundle or the directory may bring.
    school = add_agency(
        session=db_session, review=review, name="Quillby Primary", sector="Primary school", ref="QP"
    )
    chronology.create_event(
        session=db_session,
        review=review,
        added_by_id=world.users["panel_member"],
        when=parse_when("20/01/2023"),
        agency="QP",
        description="The class teacher rang the duty team about bruising.",
        kpe=world.kpe_ref,
    )
    good_practice_service.create_entry(
        session=db_session,
        partnership_id=review.partnership_id,
        review=review,
        creator=db_session.get(User, world.users["panel_member"]),
        title="Same-day call about bruising",
        story="The class teacher rang the duty team the same morning.",
        agency="QP",
    )
    db_session.commit()
    assert agency_label(school) == "A school"
    assert (
        agency_label(school.agency) == "A school"
    )  # the directory's agency, as the register has it

    number = generate_report(client, world, api("lead_reviewer"))
    report = client.get(
        f"/api/v1/reviews/{world.review_id}/reports/{number}.html", headers=api("lead_reviewer")
    ).get_data(as_text=True)
    login("observer")
    briefing = client.get(f"/reviews/{world.review_id}/good-practice/briefing.html")
    assert briefing.status_code == 200
    register = briefing.get_data(as_text=True)
    for output in (report, register):
        assert "A school" in output
        assert "Quillby" not in output
    assert "Northshire Police" in report  # other agencies keep their names
