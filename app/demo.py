"""The fictional demo review, "Child F". Every name here is invented for the demo."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app import demo_chronology
from app.demo_factors import seed_factors
from app.demo_findings import seed_findings
from app.demo_good_practice import seed_good_practice
from app.services import chronology
from app.services import reviews as review_service
from app.services.reports import generate_report
from app.services.users import create_user, get_or_create_partnership
from models import Membership, Review

DEMO_PASSWORD = "learning-review-demo"  # noqa: S105 - fictional demo accounts, printed on purpose
DEMO_PARTNERSHIP = "Eastmere Safeguarding Children Partnership"
DEMO_USERS = [
    # (email, name, role on the review or None, site admin?)
    ("admin@demo.example.org", "Ada Admin", None, True),
    ("chair@demo.example.org", "Charlotte Chair", "chair", False),
    ("lead@demo.example.org", "Leo Lead-Reviewer", "lead_reviewer", False),
    ("panel@demo.example.org", "Pat Panel", "panel_member", False),
    ("agency@demo.example.org", "Aisha Agency-Rep", "agency_rep", False),
    ("facilitator@demo.example.org", "Femi Facilitator", "facilitator", False),
    ("board@demo.example.org", "Bea Board", "board_member", False),
    ("observer@demo.example.org", "Olu Observer", "observer", False),
]
# The partnership's business manager: a role for the whole partnership, not on the review.
DEMO_MANAGER = ("manager@demo.example.org", "Morgan Manager")
AGENCIES = [
    ("CSC", "Eastmere Children's Social Care", "Children's social care"),
    ("POL", "Eastmere Police", "Police"),
    ("HV", "Eastmere Health Visiting Service", "Health visiting"),
    ("GP", "Riverside Medical Practice", "GP"),
    ("HOSP", "Eastmere General Hospital", "Hospital"),
    ("MW", "Eastmere Midwifery Service", "Midwifery"),
    ("SCH", "Oakfield Primary School", "School"),
    ("HOU", "Eastmere Homes", "Housing"),
]
PEOPLE = [
    # (ref, pseudonym, role, real name, aliases, agency ref)
    ("P1", "Child F", "child", "Florence Ashdown", ["Flo"], None),
    ("P2", "Mother", "parent", "Kerry Ashdown", ["Kerry Ash"], None),
    ("P3", "Mother's partner", "household_adult", "Dean Colbeck", ["Deano"], None),
    ("P4", "Father", "parent", "Liam Petch", [], None),
    ("P5", "Sibling 1", "sibling", "Maisie Ashdown", [], None),
    ("P6", "Maternal grandmother", "relative", "Brenda Ashdown", [], None),
    ("P7", "Health Visitor 1", "practitioner", "Priya Nandhra", [], "HV"),
    ("P8", "Social Worker 1", "practitioner", "Tom Greaves", [], "CSC"),
    ("P9", "Team Manager 1", "practitioner", "Ruth Okafor", [], "CSC"),
    ("P10", "GP 1", "practitioner", "Dr Sam Whitlow", [], "GP"),
    ("P11", "Police Officer 1", "practitioner", "PC Jordan Lisle", [], "POL"),
    ("P12", "Class Teacher 1", "practitioner", "Hannah Brook", [], "SCH"),
]
TERMS_OF_REFERENCE = """\
The review asks how agencies worked together to understand **Child F's** daily life between
January 2022 and March 2025, and why concerns about the adults in the household were not
brought together.

- What did each agency know, and when?
- What made it hard to see the whole picture?
- What worked well, and how can it be spread?
"""


def seed_demo(session: Session, *, require_totp: bool = False) -> Review:
    """Load the demo partnership, users and the Child F review into ``session`` (no commit)."""
    partnership = get_or_create_partnership(DEMO_PARTNERSHIP, session=session)
    users = {}
    for email, name, _role, is_admin in DEMO_USERS:
        users[email] = create_user(
            session=session,
            email=email,
            name=name,
            password=DEMO_PASSWORD,
            partnership=partnership,
            is_admin=is_admin,
            mfa_exempt=not require_totp,
        )
    manager_email, manager_name = DEMO_MANAGER
    manager = create_user(
        session=session,
        email=manager_email,
        name=manager_name,
        password=DEMO_PASSWORD,
        partnership=partnership,
        mfa_exempt=not require_totp,
    )
    manager.partnership_role = "business_manager"
    chair = users["chair@demo.example.org"]
    review = review_service.create_review(
        session=session,
        creator=chair,
        title="Child F: local child safeguarding practice review",
        subject="Child F",
        review_type="local_cspr",
        stage="information_gathering",
        terms_of_reference=TERMS_OF_REFERENCE,
        period_start=date(2022, 1, 1),
        period_end=date(2025, 3, 31),
        incident_known_on=date(2025, 3, 24),
    )
    for ref, name, sector in AGENCIES:
        review_service.add_agency(session=session, review=review, name=name, sector=sector, ref=ref)
    for ref, pseudonym, person_role, real_name, aliases, agency in PEOPLE:
        review_service.create_person(
            session=session,
            review=review,
            ref=ref,
            pseudonym=pseudonym,
            role=person_role,
            real_name=real_name,
            aliases=aliases,
            agency=agency,
        )
    for email, _name, role, _admin in DEMO_USERS:
        if role and role != "chair":
            agency = (
                review_service.agency_by_ref(session, review, "POL")
                if role == "agency_rep"
                else None
            )
            session.add(
                Membership(review_id=review.id, user_id=users[email].id, role=role, agency=agency)
            )
    session.flush()
    for ref, title, summary in demo_chronology.KPES:
        kpe = chronology.create_kpe(
            session=session, review=review, title=title, summary=summary, ref=ref
        )
        kpe.narrative = demo_chronology.KPE_NARRATIVES[ref]
    panel = users["panel@demo.example.org"]
    for values in demo_chronology.demo_events():
        chronology.create_event(session=session, review=review, added_by_id=panel.id, **values)
    seed_factors(session, review)
    seed_findings(session, review)
    # A first draft of the report, generated by the lead reviewer: the chair or the board
    # member can approve it, as a second person.
    generate_report(session=session, review=review, user=users["lead@demo.example.org"])
    seed_good_practice(session, review, approver=chair, author=users["panel@demo.example.org"])
    return review
