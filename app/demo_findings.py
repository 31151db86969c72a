"""The fictional findings, actions, board responses, feedback and report narrative of the
"Child F" demo review. The findings rest on the demo's latent conditions (F11..F24); action due
dates are set relative to the day the demo is loaded, so some are always overdue. Pseudonyms
only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.services.findings import (
    create_action,
    create_feedback,
    create_finding,
    record_board_response,
    update_narrative,
)
from models import Finding, Review

FINDINGS: list[dict[str, Any]] = [
    {
        "ref": "FN1",
        "title": "Information about the adults in a child's household is not brought together",
        "scie_pattern": "multi_agency_longer_term",
        "issue": (
            "Each agency held a piece of what was known about Mother's partner: the police knew "
            "of an arrest giving the family's address, housing recorded Mother living alone, the "
            "school heard Child F speak of 'him'. No system, meeting or form asked who lived in "
            "the home, so the pieces were never put side by side."
        ),
        "evidence": (
            "- Police and children's social care records are on separate systems (F15).\n"
            "- Tenancy checks do not ask about other adults (F19).\n"
            "- GP information is not routinely sought by the MASH (F17).\n"
            "- Practitioner accounts AC1, AC2 and AC5 each describe knowing 'part of the picture'."
        ),
        "how_widespread": (
            "A partnership audit of 20 MASH contacts in 2024 found the household's adults named "
            "in 6. National reviews describe the same gap ('the invisible man')."
        ),
        "why_it_matters": (
            "Risk to a child often comes from an adult agencies do not know is there. While no "
            "one owns the question, each agency can act reasonably and the child still goes unseen."
        ),
        "questions_for_board": [
            "How will the partnership know who lives with a child when a concern is raised?",
            "What would it take for police and children's social care records to be seen together?",
            "Who should own the question 'who else lives here?' in each agency's work?",
        ],
        "factors": ["F11", "F15", "F16", "F17", "F19"],
    },
    {
        "ref": "FN2",
        "title": "Risk grading and same-day targets close notifications without checks",
        "scie_pattern": "multi_agency_incidents",
        "issue": (
            "A 'standard' DASH grading, threshold guidance that treats 'verbal only, children "
            "asleep' as information-sharing, and a target to clear notifications the same day "
            "together made closing the June 2023 notification without checks the expected outcome."
        ),
        "evidence": (
            "The MASH decision (E29), the threshold guidance (F14), the same-day target (F23) "
            "and Social Worker 1's account (AC2): more than forty notifications that day."
        ),
        "how_widespread": (
            "Every standard-risk domestic abuse notification passes through the same route: "
            "about 2,400 a year in the partnership."
        ),
        "why_it_matters": (
            "Repeated 'low-level' incidents are how coercive control often first shows. A system "
            "that closes each one alone cannot see a pattern."
        ),
        "questions_for_board": [
            "Should a repeat notification about the same household be looked at as a pattern, "
            "whatever its grading?",
            "Is the same-day target helping children, or the MASH's figures?",
        ],
        "factors": ["F12", "F14", "F23", "F24"],
    },
    {
        "ref": "FN3",
        "title": "Health visiting by telephone misses what a home visit would see",
        "scie_pattern": "human_management_system",
        "issue": (
            "During the health visitor shortage, contacts with families already known were moved "
            "to the telephone. Health Visitor 1 could not see the home, who was in it, or the "
            "children."
        ),
        "evidence": "F13 and F20; events E35 and E48; Health Visitor 1's account (AC1).",
        "how_widespread": (
            "The interim procedure applied to every family on the universal caseload from 2022 "
            "to 2024; three posts in the team were vacant."
        ),
        "why_it_matters": (
            "The home visit is the one universal contact that sees a young child where they live."
        ),
        "questions_for_board": [
            "How does the partnership decide which contacts must stay face to face when "
            "services are short of staff?",
        ],
        "factors": ["F13", "F20"],
    },
    {
        "ref": "FN4",
        "title": "High caseloads and short supervision leave no room to think about each child",
        "scie_pattern": "human_management_system",
        "issue": (
            "Social Worker 1 held 27 children against an agreed 18. Supervision lasted 30 "
            "minutes a month and worked through a list of cases, not the child's experience."
        ),
        "evidence": "F18 and F22; the assessment (E57); accounts AC2 and AC3.",
        "how_widespread": (
            "Four of the six assessment teams were above the agreed caseload in 2024."
        ),
        "why_it_matters": (
            "Reflective supervision is where a worker's first view of a family gets challenged. "
            "Without it, a parent's account is accepted because there is no time to test it."
        ),
        "questions_for_board": [
            "What caseload does the partnership regard as safe, and what happens when it is "
            "exceeded?",
            "How will the board know that supervision gives time to reflect on each child?",
        ],
        "factors": ["F18", "F22"],
    },
    {
        "ref": "FN5",
        "title": "Routine enquiry about domestic abuse is not part of GP consultations",
        "scie_pattern": "human_tool",
        "issue": (
            "When Mother attended with a bruised wrist, nothing in the consultation prompted a "
            "question about domestic abuse."
        ),
        "evidence": "F7 and F21; the GP record (E47).",
        "how_widespread": "None of the partnership's GP practices has a routine-enquiry prompt.",
        "why_it_matters": "A GP may be the only professional an adult victim sees alone.",
        "questions_for_board": [
            "How can routine enquiry be built into the GP record rather than left to memory?",
        ],
        "factors": ["F7", "F21"],
    },
]

# (ref, finding, owner agency, description, due in days from today, status, strength,
#  impact evidence, dropped reason)
ACTIONS: list[tuple[str, str, str, str, int | None, str, str, str, str]] = [
    (
        "A1",
        "FN1",
        "CSC",
        (
            "Add 'who else lives in the home?' with a named check to the MASH "
            "contact record, so it cannot be closed without an answer."
        ),
        60,
        "in_progress",
        "strong",
        "",
        "",
    ),
    (
        "A2",
        "FN1",
        "POL",
        ("Give MASH social workers read access to police custody records for addresses they hold."),
        -20,
        "agreed",
        "strong",
        "",
        "",
    ),
    (
        "A3",
        "FN1",
        "HOU",
        "Ask about every adult in the home at each tenancy check.",
        -45,
        "done",
        "medium",
        "",
        "",
    ),
    (
        "A4",
        "FN1",
        "CSC",
        "Run a briefing on 'the invisible man' for all agencies.",
        -90,
        "evidenced",
        "weak",
        "Attendance 212; a re-audit of 20 contacts found adults named in 15.",
        "",
    ),
    (
        "A5",
        "FN2",
        "CSC",
        (
            "Review every repeat notification about a household as a pattern, "
            "whatever its DASH grading."
        ),
        30,
        "agreed",
        "strong",
        "",
        "",
    ),
    (
        "A6",
        "FN2",
        "CSC",
        "Replace the same-day target with a target on the quality of checks.",
        -10,
        "proposed",
        "medium",
        "",
        "",
    ),
    (
        "A7",
        "FN2",
        "POL",
        "Remind response officers to record other adults present at incidents.",
        None,
        "dropped",
        "weak",
        "",
        "Superseded by A2, which gives the MASH the records directly.",
    ),
    (
        "A8",
        "FN3",
        "HV",
        (
            "Keep the one-year and two-year reviews face to face for families with "
            "any notification in the past year."
        ),
        -5,
        "in_progress",
        "medium",
        "",
        "",
    ),
    (
        "A9",
        "FN3",
        "HV",
        ("Fill the three health visitor vacancies through the regional recruitment scheme."),
        120,
        "in_progress",
        "medium",
        "",
        "",
    ),
    (
        "A10",
        "FN4",
        "CSC",
        "Cap assessment caseloads at 20 with a named escalation when exceeded.",
        90,
        "proposed",
        "strong",
        "",
        "",
    ),
    (
        "A11",
        "FN5",
        "GP",
        "Training for GP practices on routine enquiry about domestic abuse.",
        -30,
        "agreed",
        "weak",
        "",
        "",
    ),
    (
        "A12",
        "FN5",
        "GP",
        "Send a reminder to GP practices about the domestic abuse pathway.",
        14,
        "proposed",
        "weak",
        "",
        "",
    ),
]

BOARD_RESPONSES = [
    (
        "FN1",
        "How will the partnership know who lives with a child when a concern is raised?",
        "The board has asked the MASH to make 'who else lives here?' a required field (action "
        "A1) and will audit 20 contacts each quarter.",
    ),
    (
        "FN1",
        "What would it take for police and children's social care records to be seen together?",
        "Read access for MASH social workers to police custody records is agreed (A2); a "
        "shared system is beyond the partnership's budget this year.",
    ),
    (
        "FN2",
        "Is the same-day target helping children, or the MASH's figures?",
        "The board agrees the target measures speed, not safety, and has asked for a quality "
        "measure in its place (A6).",
    ),
    (
        "FN3",
        "How does the partnership decide which contacts must stay face to face when services "
        "are short of staff?",
        "Health visiting will keep reviews face to face for any family with a notification in "
        "the past year (A8). The board will review the interim procedure every six months.",
    ),
]

NARRATIVE = {
    "introduction": (
        "Eastmere Safeguarding Children Partnership commissioned this review after Child F, then "
        "five, was seriously injured at home in March 2025. The review was led by an independent "
        "reviewer with a panel from children's social care, police, health and education.\n\n"
        "The review thanks Child F's family and the practitioners who spoke to it openly."
    ),
    "childs_experience": (
        "Child F lived with Mother and Sibling 1. She was described by her teacher as bright and "
        "funny, and as a child who noticed everything. From the summer of 2023 an adult she called "
        "'him' lived in the home for much of the time. At school she began to arrive late and "
        "tired. In December 2023 she told her teacher that 'he shouts at Mummy'. She spent "
        "weekends with her Maternal grandmother, whom she talked about often."
    ),
    "good_practice": (
        "Child F's teacher listened to her, wrote down her own words and passed them on the same "
        "day. The school's worry box gave her a safe way to speak."
    ),
    "conclusion": (
        "No single agency could have seen the whole picture. The findings ask the board to change "
        "the systems that kept the pieces apart."
    ),
}

FEEDBACK = [
    (
        "family",
        "Maternal grandmother",
        "Nobody asked us who was living in the house.",
        "The MASH contact record now asks about every adult in the home (action A1).",
        -14,
        "FN1",
    ),
    (
        "practitioners",
        "Health visiting team",
        "Telephone contacts meant we could not see the children.",
        ("Reviews for families with a recent notification are face to face again (action A8)."),
        -7,
        "FN3",
    ),
]


def seed_findings(session: Session, review: Review, *, today: date | None = None) -> list[Finding]:
    """Add the demo findings, actions, board responses, feedback and narrative to ``review``."""
    today = today or date.today()
    findings = {
        item["ref"]: create_finding(session=session, review=review, **item) for item in FINDINGS
    }
    for ref, finding, agency, description, due_in, status, strength, impact, reason in ACTIONS:
        create_action(
            session=session,
            review=review,
            ref=ref,
            finding=finding,
            owner_agency=agency,
            description=description,
            due=today + timedelta(days=due_in) if due_in is not None else None,
            status=status,
            strength=strength,
            impact_evidence=impact,
            dropped_reason=reason,
        )
    for finding_ref, question, response in BOARD_RESPONSES:
        record_board_response(
            session=session,
            finding=findings[finding_ref],
            question=question,
            response=response,
            responded_on=today - timedelta(days=21),
        )
    for audience, recipients, you_said, we_did, days, finding_ref in FEEDBACK:
        create_feedback(
            session=session,
            review=review,
            audience=audience,
            recipients=recipients,
            you_said=you_said,
            we_did=we_did,
            fed_back_on=today + timedelta(days=days),
            finding=finding_ref,
        )
    update_narrative(session=session, review=review, expected_version=None, **NARRATIVE)
    return list(findings.values())
