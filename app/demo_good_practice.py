"""The fictional good-practice register of the "Child F" demo: eight entries of the review
from six agencies (from events, accounts and protective factors, at every sharing stage), and
one entry from a partnership case audit outside any review. Pseudonyms only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.services.good_practice import create_entry
from models import Review, User

ENTRIES: list[dict[str, Any]] = [
    {
        "ref": "GP1",
        "title": "Routine enquiry about domestic abuse at the booking appointment",
        "story": (
            "At the booking appointment the midwife asked Mother, alone, whether she felt safe "
            "at home, as the service's routine enquiry sets out. Mother said she did, and knew "
            "she could be asked again at any appointment."
        ),
        "what_made_it_work": (
            "The question is part of the booking template, and partners are asked to wait "
            "outside for part of the appointment, so asking alone is the normal way of working."
        ),
        "agency": "MW",
        "themes": ["Domestic abuse", "Routine enquiry"],
        "events": ["E2"],
        "source": "event",
        "consent_to_share": True,
        "four_d": {
            "discover": "Mother was asked about her safety on her own, in a routine way.",
            "dream": "Every pregnant woman is asked, alone, at booking and again later on.",
            "design": "Keep the time alone in the template when appointments move online.",
            "deliver": "Midwifery safeguarding lead to check the online booking form by June.",
        },
        "share_status": "shared",
        "shared": [{"where": "Learning circle", "on": "2025-06-12"}],
    },
    {
        "ref": "GP2",
        "title": "Listening visits for a mother's low mood",
        "story": (
            "After the six-week contact showed a raised mood score, Health Visitor 1 offered four "
            "listening visits. Mother talked about money worries and the end of her relationship "
            "with Father, and her mood score improved."
        ),
        "what_made_it_work": (
            "Health visitors trained in listening visits, and a service that protected time for "
            "them even when posts were vacant."
        ),
        "agency": "HV",
        "themes": ["Parental mental health", "Relationship-based practice"],
        "events": ["E10", "E13"],
        "factors": ["F28"],
        "source": "protective_factor",
        "consent_to_share": True,
        "four_d": {
            "discover": "Mother said it was the first time anyone had asked how she was.",
            "dream": "Every mother with a raised score is offered listening visits within a month.",
        },
        "share_status": "approved",
    },
    {
        "ref": "GP3",
        "title": "The child's own words recorded and passed on the same day",
        "story": (
            "When Child F told her class teacher that 'he shouts at Mummy', Class Teacher 1 wrote "
            "down her exact words and gave them to the designated safeguarding lead that "
            "afternoon."
        ),
        "what_made_it_work": (
            "Regular briefings by the DSL, and a simple form that asks for the child's words, "
            "not an interpretation of them."
        ),
        "agency": "SCH",
        "themes": ["Voice of the child", "Professional curiosity"],
        "events": ["E39"],
        "factors": ["F25"],
        "source": "protective_factor",
        "consent_to_share": True,
        "four_d": {
            "discover": "The child's words reached the DSL within hours.",
            "dream": "Every disclosure is written down as said and passed on the same day.",
            "design": "Share the school's form with early years settings.",
            "deliver": "Education safeguarding adviser to circulate it at the next DSL network.",
        },
        "share_status": "shared",
        "shared": [
            {"where": "Bulletin", "on": "2025-07-01"},
            {"where": "Team meeting", "on": "2025-07-08"},
        ],
    },
    {
        "ref": "GP4",
        "title": "A worry box gave the child a safe way to speak",
        "story": (
            "Child F used the classroom worry box to write that she did not like it when 'the "
            "grown-ups fight'. The DSL read it the same day and referred to children's social "
            "care with the note and the attendance record."
        ),
        "agency": "SCH",
        "themes": ["Voice of the child"],
        "events": ["E50", "E51"],
        "factors": ["F26"],
        "source": "protective_factor",
        "consent_to_share": False,
        "share_status": "draft",
    },
    {
        "ref": "GP5",
        "title": "Regular asthma care kept the family in touch with the practice",
        "story": (
            "GP 1 saw Child F regularly for her asthma, and the practice knew the children well "
            "on the health side. Appointments were kept."
        ),
        "what_made_it_work": "A named GP and recall letters for children with asthma.",
        "agency": "GP",
        "themes": ["Health", "Continuity of care"],
        "account": "AC4",
        "source": "account",
        "consent_to_share": True,
        "share_status": "draft",
    },
    {
        "ref": "GP6",
        "title": "Police notification reached the MASH the next morning",
        "story": (
            "After the call-out in June 2023 the notification reached the MASH the next morning. "
            "In January 2025 Mother felt able to call the police herself."
        ),
        "what_made_it_work": (
            "The force's overnight notification process, and officers who had treated Mother "
            "with respect at the first call."
        ),
        "agency": "POL",
        "themes": ["Domestic abuse", "Information sharing"],
        "events": ["E27", "E73"],
        "account": "AC6",
        "source": "account",
        "consent_to_share": True,
        "share_status": "approved",
    },
    {
        "ref": "GP7",
        "title": "The child seen alone, in her own room",
        "story": (
            "At the home visit in January 2025 Social Worker 1 made sure to see Child F on her "
            "own, in her bedroom. She chatted about her drawings."
        ),
        "what_made_it_work": (
            "A social worker who planned time alone with the child before the visit."
        ),
        "agency": "CSC",
        "themes": ["Voice of the child", "Direct work"],
        "events": ["E72"],
        "factors": ["F30"],
        "source": "protective_factor",
        "consent_to_share": True,
        "four_d": {
            "discover": "Seeing the child alone, in her own space.",
            "dream": "Every child in an assessment is seen alone, somewhere they choose.",
            "design": "Add 'where was the child seen alone?' to the assessment record.",
            "deliver": "Principal social worker to change the form and brief teams.",
        },
        "share_status": "shared",
        "shared": [{"where": "Learning circle", "on": "2025-06-12"}],
    },
    {
        "ref": "GP8",
        "title": "Same-day call from the school about an injury",
        "story": (
            "When Child F came back with a bandaged arm and said she was 'in the way', the DSL "
            "called the MASH straight away with what she had said."
        ),
        "agency": "SCH",
        "themes": ["Professional curiosity", "Information sharing"],
        "events": ["E67", "E68"],
        "factors": ["F27"],
        "source": "event",
        "consent_to_share": True,
        "share_status": "draft",
    },
]

# From the partnership's multi-agency case audit, outside any review.
AUDIT_ENTRY: dict[str, Any] = {
    "title": "Tenancy officer's joint visit with the health visitor",
    "story": (
        "In a case audit, a tenancy officer who had noticed damp and a crying baby arranged a "
        "joint visit with the health visitor rather than sending a letter."
    ),
    "what_made_it_work": "A named health visiting contact for the housing team.",
    "agency_name": "Eastmere Homes",
    "themes": ["Information sharing", "Housing"],
    "source": "case_audit",
    "consent_to_share": True,
}


def seed_good_practice(session: Session, review: Review, *, approver: User, author: User) -> None:
    """Add the demo entries to ``session`` (no commit)."""
    approved_at = datetime(2025, 6, 5, 10, 0, tzinfo=UTC)
    for values in ENTRIES:
        entry = create_entry(
            session=session,
            partnership_id=review.partnership_id,
            review=review,
            creator=author,
            with_status=True,
            **values,
        )
        if entry.share_status != "draft":
            entry.approved_by_id = approver.id
            entry.approved_at = approved_at
    create_entry(
        session=session, partnership_id=review.partnership_id, creator=approver, **AUDIT_ENTRY
    )
    session.flush()
