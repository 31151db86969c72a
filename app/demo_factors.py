"""The fictional accounts, contributing factors and links of the "Child F" demo review.

Eight accounts (six practitioners and managers, the family, and the child's voice), thirty
factors (ten active failures at the front line, fourteen latent conditions across the four
upper system levels, six protective factors) and the links between them and the chronology.
Accounts are written for local rationality: why what was done made sense at the time. Every
name is invented, and the text uses pseudonyms only.

Event refs (E1..E83) are the ones ``seed_demo`` gives the chronology after sorting it by date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.services.factors import create_account, create_factor, create_link
from models import Review

ACCOUNTS: list[dict[str, Any]] = [
    {
        "ref": "AC1",
        "contributor_kind": "practitioner",
        "contributor": "P7",
        "contributor_role": "Health Visitor 1",
        "taken_on": date(2025, 5, 6),
        "consent_to_quote": True,
        "narrative": (
            "I had known the family since the new birth visit in August 2022. The listening visits went well: Mother talked openly about money and about Father leaving, and her mood score improved. "
            "When the MASH notification came in June 2023 it said there had been a verbal argument, a man who was not named, the children asleep, and no further action by children's social care. "
            "I rang Mother that week. She told me it had been a friend who had since left, which fitted with what I knew of her.\n\n"
            "At the time our team had three health visitor posts vacant and the service had moved many routine contacts to the telephone. The sibling's one-year review in September 2023 was one of them. "
            "In March 2024 I wrote twice about the two-year review and, with no reply, the case closed to the universal service as the procedure set out. "
            "I could not see police, school or social care records, and I did not know that another adult had moved into the home."
        ),
        "prompts": {
            "what_going_on": "I thought the argument was a one-off with a visitor, and that Mother was coping better than she had in 2022.",
            "reasoning": "Children's social care had looked at it and decided no further action. Mother had been honest with me before, so her explanation made sense.",
            "information_in_mind": "The notification itself, which had no name for the man, and my notes from the listening visits.",
            "other_demands": "More than 600 children under five on the caseload I shared, three vacancies, and new birth visits that cannot be moved.",
            "conflicting_concerns": "Seeing every new baby face to face against going back to families we already knew. The interim guidance during the shortage put new births first.",
            "hoped_to_achieve": "To check that Mother and the children were safe, and to remind her she could call me at any time.",
            "options": "A home visit needed a slot I did not have that fortnight. A telephone call was what the interim procedure allowed for a notification marked no further action.",
            "what_went_well": "The listening visits. Mother told me they were the first time anyone had asked how she was. Safeguarding supervision, when I could get it, helped me think.",
        },
        "events": ["E10", "E13", "E29", "E35", "E48"],
    },
    {
        "ref": "AC2",
        "contributor_kind": "practitioner",
        "contributor": "P8",
        "contributor_role": "Social Worker 1",
        "taken_on": date(2025, 5, 14),
        "consent_to_quote": True,
        "narrative": (
            "In June 2023 I was covering the MASH rota. The police notification about the family was one of more than forty that day. It was graded standard risk, the children had been asleep, "
            "and the threshold guidance placed it as information to share rather than a referral. I shared it with health visiting and the school and closed it the same day, as the team target asked.\n\n"
            "In May 2024 I was allocated the school's referral for an assessment. I had 27 children against an agreed 18. At the home visit Mother was welcoming; Child F sat next to her and said she was happy. "
            "I asked who lived there and Mother said only her and the girls. I spoke to the school, who knew Child F best. Police checks go through a request form to the MASH and were taking about two weeks; "
            "I expected them to show only the 2023 incident, which we already had. I did not know about the 2024 arrest at the address. The GP was not part of my usual checks for a child without health needs. In supervision we had about ten minutes for Child F, and we talked about the plan rather than who lived in the home.\n\n"
            "In January 2025 I made sure I saw Child F on her own, in her bedroom."
        ),
        "prompts": {
            "what_going_on": "A family under money pressure with a mother who had been through a hard break-up, and a child doing reasonably at school. The worry-box note worried me, but it looked like arguments that had stopped.",
            "reasoning": "Mother's account matched the school's picture of a child who was settled most days. Nothing I had said there was a man living in the home.",
            "information_in_mind": "The referral, the 2023 notification on our own system, and what the school told me.",
            "other_demands": "Two children on child protection plans with court deadlines that month, and covering a colleague's duty days.",
            "conflicting_concerns": "Being thorough against getting the assessment done within the timescale so it did not sit unallocated again.",
            "hoped_to_achieve": "To understand Child F's daily life and offer the family help they would accept.",
            "options": "Early help, a further visit, or asking for police checks and waiting. With Mother declining early help there was little else within an assessment of low-level concerns.",
            "what_went_well": "The school's referral was clear and had Child F's own words in it. Seeing Child F alone in January felt like the right thing, and she chatted about her drawings.",
        },
        "events": ["E28", "E53", "E54", "E57", "E70", "E72"],
    },
    {
        "ref": "AC3",
        "contributor_kind": "manager",
        "contributor": "P9",
        "contributor_role": "Team Manager 1",
        "taken_on": date(2025, 5, 20),
        "consent_to_quote": True,
        "narrative": (
            "In 2024 the assessment team had four of nine social worker posts vacant and relied on agency staff who came and went. My supervision sessions covered every child on a worker's caseload, "
            "so an hour with Social Worker 1 in June meant 22 children; I gave most time to the children on plans and in proceedings. Child F's assessment read as low-level concerns with a school that was engaged, and I agreed the step-down.\n\n"
            "When the school called in November 2024 the MASH had the hospital's confirmation that the explanation for the burn was consistent, and no concern from the hospital. The procedure leaves a strategy discussion to the manager's judgement, "
            "and I sent the case for assessment, which I judged proportionate on what we had. In December the allocated worker was off sick and there was nobody to reallocate to, so the visit was postponed twice."
        ),
        "prompts": {
            "what_going_on": "A family known for arguments, with a child who had an accident that the hospital saw as consistent with the explanation.",
            "reasoning": "A strategy discussion is for reasonable cause to suspect significant harm. The medical view was the strongest information I had.",
            "information_in_mind": "The hospital's view, the closed 2024 assessment and Child F's words as the school reported them.",
            "other_demands": "Four vacancies, two new agency workers to induct, and an inspection expected that winter.",
            "conflicting_concerns": "Acting quickly on what the child said against the medical opinion and the thresholds we are asked to hold.",
            "hoped_to_achieve": "A proportionate response: a fresh assessment by someone who knew the family.",
            "options": "A strategy discussion, an assessment, or no further action. An assessment seemed the middle course.",
            "what_went_well": "The DSL's call was detailed and quick. The team pulled together to cover the most urgent visits while we were short.",
        },
        "events": ["E56", "E57", "E69", "E70"],
    },
    {
        "ref": "AC4",
        "contributor_kind": "practitioner",
        "contributor": "P10",
        "contributor_role": "GP 1",
        "taken_on": date(2025, 6, 3),
        "consent_to_quote": False,
        "narrative": (
            "I see about 35 patients a day in ten-minute appointments. When Mother came in with a bruised wrist in March 2024 she told me she had fallen on the stairs, the injury matched that, and I treated it. "
            "Our consultation template has no prompt to ask about domestic abuse, and the practice has no routine enquiry outside antenatal care. I had no reason from her record to think of it.\n\n"
            "Mother's partner registered with us in October 2023 at the same address, but our system links records by family only when someone does it by hand, so his record and the children's were not connected. "
            "The hospital's letter about the burn in November 2024 (it gives the 3rd, though the attendance was on the 2nd) said the explanation was consistent, and it was filed. "
            "When I saw Mother's partner about alcohol in February 2025 I did not know that children lived with him. Nobody from the MASH or children's social care asked us for information in this case."
        ),
        "prompts": {
            "what_going_on": "An accident at home, which is common and fitted what I saw.",
            "reasoning": "The explanation was consistent with the injury, and Mother seemed relaxed.",
            "information_in_mind": "Her history of low mood, which was improving on treatment.",
            "other_demands": "A full morning list running late and two urgent home visits after it.",
            "conflicting_concerns": "Time with each patient against the number waiting.",
            "hoped_to_achieve": "To treat the injury and check on her mood.",
            "options": "Asking about safety at home was always open to me, but nothing in front of me prompted it, and there was no safe moment alone with the template in use.",
            "what_went_well": "Child F's asthma care was good and regular; the practice knew the children well on the health side.",
        },
        "events": ["E37", "E47", "E66", "E78"],
    },
    {
        "ref": "AC5",
        "contributor_kind": "practitioner",
        "contributor": "P12",
        "contributor_role": "Class Teacher 1",
        "taken_on": date(2025, 4, 29),
        "consent_to_quote": True,
        "narrative": (
            "When Child F told me that 'he shouts at Mummy' I wrote down her exact words, the time and what we were doing, and took it to the DSL before the end of the day, as our training says. "
            "The DSL spoke to Mother and told me the man was a family friend, so we would keep an eye on things. I kept noting what I saw: she was tired, and for three weeks in April she had no PE kit, so I gave her the spare one.\n\n"
            "The worry box was set up so that children who find it hard to talk can write or draw. When Child F's note came out of it in May 2024 the DSL referred the same day. "
            "Attendance letters are produced by the office when a child drops below 90%, and I did not see them, so I did not know how many Mondays she had missed until the DSL told me. "
            "In November 2024 she came in with a bandaged arm and said she had been 'in the way'. I wrote that down as well and took it straight to the DSL."
        ),
        "prompts": {
            "what_going_on": "A lovely, bright girl who was sometimes tired and quiet after weekends. I wondered what was happening at home.",
            "reasoning": "Her words matter, so I wrote them as she said them and passed them on. The DSL decides what happens next.",
            "information_in_mind": "What she told me, and that the DSL had a notification from the summer before.",
            "other_demands": "A class of 30, two children with high needs and no teaching assistant in the afternoons.",
            "conflicting_concerns": "Wanting to ask her more against not wanting to lead her.",
            "hoped_to_achieve": "That Child F knew she was listened to and that the right people knew what she said.",
            "options": "Listen, record, pass to the DSL, and keep noticing.",
            "what_went_well": "The worry box and the DSL. Our DSL was always there the same day, and briefed me properly at the start of each year.",
        },
        "events": ["E39", "E49", "E50", "E61", "E67"],
    },
    {
        "ref": "AC6",
        "contributor_kind": "practitioner",
        "contributor": "P11",
        "contributor_role": "Police Officer 1",
        "taken_on": date(2025, 5, 8),
        "consent_to_quote": True,
        "narrative": (
            "The call in June 2023 came in at 23:40. There were eight calls waiting and two cars covering the area. When we arrived it was quiet; Mother said it had been words, nothing physical, and the man gave his first name. "
            "No offence was disclosed and he was not under arrest, so there was no power to require his details. Mother answered the DASH questions and the score came out standard. "
            "Standard risk means a notification to the MASH and no further police contact; that is how the system is set up.\n\n"
            "In February 2024 I did the address check after the man was arrested in town. It linked him to the June 2023 incident. The arrest was a public order matter, not domestic, "
            "and our notification route to children's social care is for domestic incidents and offences against children, so there was no form to send. Children's social care cannot see our system. "
            "In January 2025 Mother called us herself about the door; he had gone when we arrived, she did not want action, and I sent a notification."
        ),
        "prompts": {
            "what_going_on": "A couple who had argued, calmed down by the time we got there, with the children asleep upstairs.",
            "reasoning": "Mother was calm and said she felt safe; the DASH answers supported that.",
            "information_in_mind": "The DASH questions, the other calls waiting and the children being asleep.",
            "other_demands": "A night shift two officers short, and a call about a missing teenager straight afterwards.",
            "conflicting_concerns": "Getting a full picture of the man against the lack of any power to make him give it.",
            "hoped_to_achieve": "That everyone was safe that night and that children's social care knew.",
            "options": "Take details offered voluntarily, complete DASH, notify. Everything beyond that needed an offence.",
            "what_went_well": "The notification went to the MASH the next morning, and in January 2025 Mother felt able to call us herself.",
        },
        "events": ["E24", "E25", "E45", "E73"],
    },
    {
        "ref": "AC7",
        "contributor_kind": "family",
        "contributor": "P6",
        "contributor_role": "Maternal grandmother",
        "taken_on": date(2025, 6, 10),
        "consent_to_quote": True,
        "narrative": (
            "I was at the hospital when the baby was born, and I saw the girls most weeks after that. My daughter had a hard time with her mood, and the health visitor was very kind to her. "
            "In spring 2023 she met her new partner. He seemed all right at first. She told me about the police coming that night in June; she was embarrassed and said it was nothing.\n\n"
            "By the autumn he was living there, whatever anyone was told. I knew, and so did the neighbours. Nobody from any service ever asked me about the family, and I did not know who I could tell. "
            "I stopped going round in the summer of 2024 after he shouted at me on the doorstep, and I have thought about that every day since. "
            "I want this review to help the next family: please ask the grandparents, and ask who is really living in the house."
        ),
        "prompts": {
            "what_going_on": "I thought my daughter was frightened of losing him and frightened of losing the flat, so she kept quiet.",
            "hoped_to_achieve": "I hoped that if I stayed close she would come to me when she was ready.",
            "options": "I did not know I could ring children's services myself, or that they would listen to a grandmother.",
            "what_went_well": "The health visitor after the baby, and the school. Child F loved her teacher and the worry box.",
        },
        "events": ["E8", "E22", "E24", "E59"],
    },
    {
        "ref": "AC8",
        "contributor_kind": "child",
        "contributor": "P1",
        "contributor_role": "Child F, speaking with a trusted adult from her school",
        "taken_on": date(2025, 6, 18),
        "consent_to_quote": True,
        "narrative": (
            "Child F chose to talk with the school's learning mentor, whom she knows well, with her carer's agreement. She drew pictures while they talked, and these are her words.\n\n"
            "\"I like school. My teacher listens and writes it down. The worry box is good because you don't have to say it out loud. "
            "When the grown-ups were shouting I was scared and I went under my covers with my sister. "
            "When the social worker came to my house Mummy was there so I said I was fine. When I was in my bedroom on my own it was a bit easier. "
            "Grown-ups should ask children on their own, somewhere nice, and keep asking even if you say you're fine.\""
        ),
        "prompts": {
            "what_went_well": '"My teacher, the worry box, and my nana."',
        },
        "events": ["E39", "E50", "E53", "E67", "E72"],
    },
]


def _ev(
    source: str, note: str, *, event: str | None = None, account: str | None = None
) -> dict[str, Any]:
    return {"source": source, "event": event, "account": account, "note": note}


# (ref, label, type, level, scie_pattern, seips_component, contributory_category,
#  description, evidence)
FACTORS: list[tuple[str, str, str, str, str, str, str, str, list[dict[str, Any]]]] = [
    # --- active failures (practice) ---------------------------------------------------------
    (
        "F1",
        "Man present at the June 2023 call not identified",
        "active_failure",
        "practice",
        "multi_agency_incidents",
        "tasks",
        "worker_role",
        "Officers attending the verbal argument recorded the man's first name only. With no offence disclosed and the call queue waiting, identifying him was not part of the task as it was set up, so no checks on him were possible downstream.",
        [
            _ev("agency_record", "Police log: 'male present, gave first name only'.", event="E24"),
            _ev(
                "practitioner_account",
                "Eight calls waiting; no power to require details without an offence.",
                event="E24",
                account="AC6",
            ),
            _ev(
                "family_account",
                "Maternal grandmother knew the man and that he was Mother's new partner; nobody asked her.",
                account="AC7",
            ),
        ],
    ),
    (
        "F2",
        "MASH closed the notification without checks on the adult in the household",
        "active_failure",
        "practice",
        "multi_agency_incidents",
        "tasks",
        "worker_role",
        "The MASH shared the notification with health visiting and the school and took no further action. The unnamed man was not identified or checked, so each agency that received the notification had nothing to follow up.",
        [
            _ev("agency_record", "MASH decision record, 20 June 2023.", event="E28"),
            _ev(
                "practitioner_account",
                "More than forty notifications that day; standard risk placed as information-sharing.",
                event="E28",
                account="AC2",
            ),
            _ev(
                "audit",
                "MASH dip sample (spring 2025): 9 of 30 standard-risk notifications with an unnamed adult closed without checks.",
                event="E28",
            ),
        ],
    ),
    (
        "F3",
        "Health visitor's follow-up of the notification by telephone",
        "active_failure",
        "practice",
        "family_professional",
        "tasks",
        "conditions_of_work",
        "The health visitor followed up the MASH notification with a telephone call and accepted Mother's explanation that the man was a friend who had left. A trusted relationship from the listening visits made the explanation believable, and a call was what the interim procedure allowed.",
        [
            _ev("agency_record", "HV record of the call, 22 June 2023.", event="E29"),
            _ev(
                "practitioner_account",
                "A home visit needed a slot that was not there that fortnight.",
                event="E29",
                account="AC1",
            ),
        ],
    ),
    (
        "F4",
        "Sibling's one-year review by telephone, then closure after unanswered letters",
        "active_failure",
        "practice",
        "human_management_system",
        "tasks",
        "conditions_of_work",
        "The sibling's one-year review was done by telephone because of staffing, and the two-year review was closed after two letters went unanswered. Nobody from health visiting saw the children or the home after the new partner moved in.",
        [
            _ev(
                "agency_record",
                "One-year review recorded as a telephone contact 'because of staffing'.",
                event="E35",
            ),
            _ev(
                "agency_record",
                "Two letters, no reply, case closed to the universal service.",
                event="E48",
            ),
            _ev(
                "practitioner_account",
                "Interim guidance put new births first; closure followed the procedure.",
                event="E48",
                account="AC1",
            ),
        ],
    ),
    (
        "F5",
        "Tenancy check recorded Mother living alone with the children",
        "active_failure",
        "practice",
        "human_tool",
        "tools_technology",
        "worker_role",
        "At the tenancy check Mother said she lived alone with the children, and this was recorded. The form asked who the tenant was, not who else stayed at the address.",
        [
            _ev("agency_record", "Tenancy check record, November 2023.", event="E38"),
        ],
    ),
    (
        "F6",
        "Arrest giving the family address not shared with children's social care",
        "active_failure",
        "practice",
        "multi_agency_longer_term",
        "tools_technology",
        "inter_agency_team",
        "The address check after the public order arrest linked Mother's partner to the 2023 domestic incident at a home with two young children. Because the arrest was not domestic, there was no route to tell children's social care, and the link stayed in police records.",
        [
            _ev("agency_record", "Police address check, 5 February 2024.", event="E45"),
            _ev(
                "practitioner_account",
                "The notification route covers domestic incidents and offences against children only.",
                event="E45",
                account="AC6",
            ),
            _ev(
                "document",
                "Force information-sharing procedure (2021), section 4: triggers for notifying children's social care.",
            ),
        ],
    ),
    (
        "F7",
        "No enquiry about domestic abuse when Mother attended with a bruised wrist",
        "active_failure",
        "practice",
        "human_reasoning",
        "tasks",
        "worker_role",
        "Mother's explanation of a fall on the stairs was consistent with the injury and was accepted. Nothing in the record or the consultation template prompted a question about safety at home.",
        [
            _ev("agency_record", "GP consultation note, 14 March 2024.", event="E47"),
            _ev(
                "practitioner_account",
                "Ten-minute appointment; no prompt in the template.",
                event="E47",
                account="AC4",
            ),
        ],
    ),
    (
        "F8",
        "Child F seen with Mother present; Mother's account of the household accepted",
        "active_failure",
        "practice",
        "family_professional",
        "person",
        "worker_role",
        "At the first assessment visit Child F was seen with Mother in the room, and Mother's statement that nobody else lived there was accepted. Child F later said that with Mother there she said she was fine.",
        [
            _ev("agency_record", "Social work visit record, 20 May 2024.", event="E53"),
            _ev(
                "practitioner_account",
                "Mother welcoming; Child F sat next to her and said she was happy.",
                event="E53",
                account="AC2",
            ),
            _ev(
                "childs_voice",
                "'When the social worker came to my house Mummy was there so I said I was fine.'",
                event="E53",
                account="AC8",
            ),
            _ev(
                "family_account",
                "'By the autumn he was living there, whatever anyone was told.'",
                account="AC7",
            ),
        ],
    ),
    (
        "F9",
        "Assessment drew on the school only, without police or GP checks",
        "active_failure",
        "practice",
        "multi_agency_longer_term",
        "tasks",
        "inter_agency_team",
        "The 2024 assessment gathered information from the school but not from the police or the GP, who held the February 2024 arrest at the address, the partner's registration there, and Mother's bruised wrist.",
        [
            _ev(
                "agency_record", "Case note: social worker speaks to the school only.", event="E54"
            ),
            _ev(
                "practitioner_account",
                "Police checks were taking about two weeks; GP not part of the usual checks.",
                event="E54",
                account="AC2",
            ),
            _ev(
                "practitioner_account",
                "Supervision covered 22 children in an hour.",
                event="E56",
                account="AC3",
            ),
        ],
    ),
    (
        "F10",
        "No strategy discussion after the burn and Child F's words",
        "active_failure",
        "practice",
        "human_reasoning",
        "tasks",
        "worker_role",
        "When the school reported the burn and Child F's words ('in the way'), the MASH had the hospital's view that the explanation was consistent and the 2023 police record. The case was sent for assessment rather than a strategy discussion.",
        [
            _ev("agency_record", "MASH record, 6 November 2024.", event="E69"),
            _ev(
                "practitioner_account",
                "The medical view was the strongest information; strategy discussion left to manager's judgement.",
                event="E69",
                account="AC3",
            ),
        ],
    ),
    # --- latent conditions: national -------------------------------------------------------
    (
        "F11",
        "National guidance says little on identifying and engaging men in the household",
        "latent_condition",
        "national",
        "multi_agency_longer_term",
        "external_environment",
        "wider_context",
        "National reviews have described the 'invisible men' in children's lives for years, but statutory guidance and inspection frameworks give practitioners few concrete expectations on finding out who lives in or visits a home.",
        [
            _ev(
                "research",
                "National Panel thematic review of men in children's lives, and earlier biennial analyses of serious case reviews.",
            ),
            _ev(
                "document",
                "Statutory guidance: no specific expectation to identify other adults at assessment.",
            ),
            _ev(
                "practitioner_account",
                "'Nothing I had said there was a man living in the home.'",
                account="AC2",
            ),
        ],
    ),
    (
        "F12",
        "Risk grading drives the response: 'standard' DASH risk brings no follow-up",
        "latent_condition",
        "national",
        "human_tool",
        "tools_technology",
        "wider_context",
        "The DASH risk checklist rests largely on the victim's answers on the night. A standard grading leads to a notification only, with no later contact from police or the MASH, whatever else is unknown (such as who the other adult is).",
        [
            _ev("agency_record", "DASH recorded as standard; notification sent.", event="E25"),
            _ev(
                "practitioner_account",
                "'Standard risk means a notification to the MASH and no further police contact.'",
                account="AC6",
            ),
        ],
    ),
    (
        "F13",
        "National shortage of health visitors",
        "latent_condition",
        "national",
        "human_management_system",
        "external_environment",
        "wider_context",
        "Health visitor numbers have fallen nationally while caseloads rose. Services prioritise mandated contacts and new births and move others to the telephone.",
        [
            _ev("research", "National workforce surveys of health visiting, 2022 to 2024."),
        ],
    ),
    # --- latent conditions: partnership ----------------------------------------------------
    (
        "F14",
        "MASH threshold guidance treats 'verbal only, children asleep' as information-sharing",
        "latent_condition",
        "partnership",
        "multi_agency_incidents",
        "organisation",
        "inter_agency_team",
        "The partnership's threshold document places standard-risk domestic notifications where children were not present or awake at level 1 (information-sharing), with no step to identify unknown adults.",
        [
            _ev("document", "Eastmere threshold document (2022), domestic abuse annex."),
            _ev("audit", "MASH dip sample (spring 2025) of standard-risk notifications."),
            _ev(
                "practitioner_account",
                "'The threshold guidance placed it as information to share rather than a referral.'",
                account="AC2",
            ),
        ],
    ),
    (
        "F15",
        "Police and children's social care systems do not share records",
        "latent_condition",
        "partnership",
        "human_tool",
        "tools_technology",
        "inter_agency_team",
        "Police and children's social care use separate case systems with no shared view or alerts. Checks depend on a manual request through the MASH, which took about two weeks in 2024, and links police make stay inside police systems.",
        [
            _ev("agency_record", "Address link made in police records only.", event="E45"),
            _ev("agency_record", "MASH checks show the 2023 incident only.", event="E69"),
            _ev(
                "practitioner_account",
                "Police checks go through a request form and were taking two weeks.",
                account="AC2",
            ),
            _ev(
                "practitioner_account",
                "'Children's social care cannot see our system.'",
                account="AC6",
            ),
        ],
    ),
    (
        "F16",
        "School attendance procedures run separately from safeguarding",
        "latent_condition",
        "partnership",
        "multi_agency_longer_term",
        "organisation",
        "organisational_culture",
        "The local attendance protocol sends automatic letters when attendance falls below 90%. Patterns such as repeated Monday absences are not shared with the DSL or with other agencies as a safeguarding signal.",
        [
            _ev("agency_record", "Autumn 2023 attendance 88%, mostly Mondays.", event="E41"),
            _ev("agency_record", "Attendance 86% at the end of Year 1.", event="E58"),
            _ev("document", "Eastmere school attendance protocol (2021)."),
            _ev(
                "practitioner_account",
                "The teacher did not see the attendance letters.",
                account="AC5",
            ),
        ],
    ),
    (
        "F17",
        "GP information not routinely sought by the MASH or in assessments",
        "latent_condition",
        "partnership",
        "multi_agency_longer_term",
        "organisation",
        "inter_agency_team",
        "There is no agreed route for the MASH or assessing social workers to ask GP practices about adults in a child's household, and GPs are not members of the MASH.",
        [
            _ev(
                "practitioner_account",
                "GP 1: no request for information came from the MASH or children's social care in this case.",
                account="AC4",
            ),
            _ev("audit", "Assessment audit (spring 2025): GP contacted in 6 of 25 assessments."),
        ],
    ),
    # --- latent conditions: organisation ---------------------------------------------------
    (
        "F18",
        "Social work caseloads above the agreed level, with vacancies",
        "latent_condition",
        "organisation",
        "human_management_system",
        "organisation",
        "conditions_of_work",
        "In 2024 the assessment team had four of nine posts vacant. Social workers held up to 27 children against an agreed 18, and sickness could not be covered.",
        [
            _ev("agency_record", "Visit postponed twice for sickness and caseload.", event="E70"),
            _ev("practitioner_account", "27 children against an agreed 18.", account="AC2"),
            _ev(
                "practitioner_account",
                "Four of nine posts vacant; nobody to reallocate to.",
                account="AC3",
            ),
        ],
    ),
    (
        "F19",
        "Tenancy checks do not ask about other adults in the home",
        "latent_condition",
        "organisation",
        "human_tool",
        "tools_technology",
        "organisational_culture",
        "The housing provider's tenancy check form asks the tenant to confirm their household, with no question about partners or visitors who stay, and no link to safeguarding when the answer differs from what neighbours report.",
        [
            _ev("document", "Eastmere Homes tenancy check form (version 3)."),
            _ev("agency_record", "Tenancy check: 'lives alone with the children'.", event="E38"),
        ],
    ),
    (
        "F20",
        "Health visiting contacts moved to telephone during staffing shortages",
        "latent_condition",
        "organisation",
        "human_management_system",
        "organisation",
        "conditions_of_work",
        "During 2023 and 2024 the health visiting service's interim procedure allowed notifications and non-mandated reviews to be done by telephone, with no exception for families with a recent domestic abuse notification.",
        [
            _ev(
                "agency_record", "One-year review by telephone 'because of staffing'.", event="E35"
            ),
            _ev(
                "practitioner_account",
                "A telephone call was what the interim procedure allowed.",
                account="AC1",
            ),
            _ev("document", "Health visiting interim service prioritisation procedure (2023)."),
            _ev("audit", "Health visiting audit of telephone contacts in 2023."),
        ],
    ),
    (
        "F21",
        "No routine enquiry about domestic abuse in GP consultations",
        "latent_condition",
        "organisation",
        "human_tool",
        "tools_technology",
        "organisational_culture",
        "The practice asks about domestic abuse only in antenatal care. Consultation templates have no prompt, and household members' records are linked only by hand.",
        [
            _ev(
                "practitioner_account",
                "No prompt in the template; records linked by family only by hand.",
                account="AC4",
            ),
            _ev(
                "agency_record",
                "Partner registered at the address; record not linked to the children.",
                event="E37",
            ),
        ],
    ),
    # --- latent conditions: team -----------------------------------------------------------
    (
        "F22",
        "Supervision too short to reflect on each child",
        "latent_condition",
        "team",
        "human_management_system",
        "organisation",
        "own_team",
        "Case supervision covered every child on a worker's caseload in one hour, so children assessed as low-level concerns got a few minutes, without time to test the family's account or ask what was missing.",
        [
            _ev(
                "agency_record",
                "Ten minutes of a one-hour session covering 22 children.",
                event="E56",
            ),
            _ev(
                "practitioner_account",
                "Most time went to children on plans and in proceedings.",
                account="AC3",
            ),
            _ev(
                "practitioner_account",
                "Supervision discussed the plan rather than who lived in the home.",
                account="AC2",
            ),
        ],
    ),
    (
        "F23",
        "MASH team works to same-day targets for notifications",
        "latent_condition",
        "team",
        "multi_agency_incidents",
        "organisation",
        "conditions_of_work",
        "The MASH team measures itself on notifications closed the same day. With more than forty a day, a standard-risk notification gets a few minutes, and identifying an unknown adult would keep it open.",
        [
            _ev(
                "practitioner_account",
                "'I closed it the same day, as the team target asked.'",
                event="E28",
                account="AC2",
            ),
            _ev("document", "MASH team performance dashboard, 2023."),
        ],
    ),
    (
        "F24",
        "Response officers have little time for enquiries about other adults at domestic incidents",
        "latent_condition",
        "team",
        "multi_agency_incidents",
        "internal_environment",
        "conditions_of_work",
        "Night shifts in the response team often ran short, with calls queued. Without an offence, officers could take only what adults offered, and nobody followed up later.",
        [
            _ev(
                "practitioner_account",
                "Eight calls waiting, two cars, two officers short.",
                event="E24",
                account="AC6",
            ),
            _ev("agency_record", "Police log: first name only.", event="E24"),
        ],
    ),
    # --- protective factors ----------------------------------------------------------------
    (
        "F25",
        "Teacher recorded Child F's own words and passed them on the same day",
        "protective",
        "practice",
        "family_professional",
        "person",
        "worker_role",
        "The class teacher wrote down exactly what Child F said, with the time and context, and took it to the DSL the same day. Her words were later in the referral and kept the concern alive after the 2023 notification was closed.",
        [
            _ev("agency_record", "School record, 5 December 2023.", event="E39"),
            _ev("childs_voice", "'He shouts at Mummy.'", event="E39"),
            _ev(
                "practitioner_account",
                "'I wrote down her exact words ... as our training says.'",
                event="E39",
                account="AC5",
            ),
            _ev("childs_voice", "'My teacher listens and writes it down.'", account="AC8"),
        ],
    ),
    (
        "F26",
        "The school's worry box gave Child F a safe way to speak",
        "protective",
        "organisation",
        "family_professional",
        "tools_technology",
        "organisational_culture",
        "The school's worry box lets children write or draw a worry without saying it out loud. Child F used it in May 2024, and her note started the referral.",
        [
            _ev(
                "childs_voice",
                "Worry-box note: she does not like it when 'the grown-ups fight'.",
                event="E50",
            ),
            _ev(
                "childs_voice",
                "'The worry box is good because you don't have to say it out loud.'",
                account="AC8",
            ),
            _ev(
                "practitioner_account",
                "Set up for children who find it hard to talk.",
                account="AC5",
            ),
            _ev("family_account", "'Child F loved her teacher and the worry box.'", account="AC7"),
        ],
    ),
    (
        "F27",
        "The DSL's referrals brought Child F back to children's social care",
        "protective",
        "practice",
        "multi_agency_longer_term",
        "person",
        "worker_role",
        "The school's DSL referred the same day with the worry-box note and the attendance record (May 2024), and called the MASH the day after Child F said she had been 'in the way' (November 2024). Each time the case came back to children's social care with the child's own words.",
        [
            _ev(
                "agency_record",
                "Referral with the worry-box note and attendance record.",
                event="E51",
            ),
            _ev("agency_record", "DSL's call to the MASH about the injury.", event="E68"),
            _ev(
                "practitioner_account",
                "'The school's referral was clear and had Child F's own words in it.'",
                account="AC2",
            ),
            _ev("practitioner_account", "'The DSL's call was detailed and quick.'", account="AC3"),
        ],
    ),
    (
        "F28",
        "Health visitor's listening visits for Mother's low mood",
        "protective",
        "practice",
        "family_professional",
        "person",
        "worker_role",
        "After a raised mood score at the six-week contact, the health visitor offered listening visits. Mother valued them, and they built the only trusting relationship she had with a professional in that period.",
        [
            _ev(
                "agency_record",
                "Listening visit 1: money worries and the relationship ending.",
                event="E13",
            ),
            _ev(
                "practitioner_account",
                "'The first time anyone had asked how she was.'",
                account="AC1",
            ),
            _ev("family_account", "'The health visitor was very kind to her.'", account="AC7"),
        ],
    ),
    (
        "F29",
        "Maternal grandmother's regular contact with the children",
        "protective",
        "child_and_family",
        "family_professional",
        "external_environment",
        "family",
        "Maternal grandmother saw the children most weeks until the summer of 2024, when an argument with Mother's partner ended her visits. While she visited she was a safe adult the children knew.",
        [
            _ev(
                "family_account",
                "'I saw the girls most weeks after that ... I stopped going round in the summer of 2024.'",
                event="E59",
                account="AC7",
            ),
        ],
    ),
    (
        "F30",
        "Child F seen alone in January 2025",
        "protective",
        "practice",
        "family_professional",
        "person",
        "worker_role",
        "At the January 2025 visit the social worker saw Child F on her own in her bedroom. She said she was fine, but later said it was 'a bit easier' to talk there.",
        [
            _ev("agency_record", "Home visit: Child F seen alone in her bedroom.", event="E72"),
            _ev(
                "childs_voice",
                "'When I was in my bedroom on my own it was a bit easier.'",
                event="E72",
                account="AC8",
            ),
            _ev(
                "practitioner_account",
                "'I made sure I saw Child F on her own.'",
                event="E72",
                account="AC2",
            ),
        ],
    ),
]

# (source, target, relation, confidence)
LINKS: list[tuple[str, str, str, str]] = [
    # national -> partnership -> organisation -> team
    ("F11", "F14", "precondition_of", "medium"),
    ("F11", "F19", "precondition_of", "low"),
    ("F11", "F24", "precondition_of", "medium"),
    ("F12", "F14", "precondition_of", "high"),
    ("F12", "F24", "precondition_of", "medium"),
    ("F13", "F20", "precondition_of", "high"),
    ("F14", "F23", "precondition_of", "medium"),
    ("F15", "F23", "precondition_of", "medium"),
    ("F18", "F22", "precondition_of", "high"),
    # latent -> active failure
    ("F11", "F8", "contributed_to", "medium"),
    ("F12", "F1", "contributed_to", "low"),
    ("F24", "F1", "contributed_to", "high"),
    ("F14", "F2", "enabled", "high"),
    ("F23", "F2", "contributed_to", "high"),
    ("F20", "F3", "enabled", "high"),
    ("F20", "F4", "enabled", "high"),
    ("F19", "F5", "enabled", "high"),
    ("F15", "F6", "enabled", "high"),
    ("F21", "F7", "enabled", "medium"),
    ("F22", "F8", "contributed_to", "medium"),
    ("F22", "F9", "contributed_to", "high"),
    ("F18", "F9", "contributed_to", "medium"),
    ("F17", "F9", "enabled", "medium"),
    ("F15", "F9", "contributed_to", "medium"),
    ("F14", "F10", "contributed_to", "medium"),
    ("F15", "F10", "contributed_to", "medium"),
    ("F23", "F10", "contributed_to", "low"),
    # latent -> event (no active failure between)
    ("F16", "E41", "contributed_to", "medium"),
    ("F16", "E58", "contributed_to", "medium"),
    ("F16", "E79", "contributed_to", "low"),
    ("F18", "E70", "contributed_to", "high"),
    ("F22", "E57", "contributed_to", "medium"),
    ("F19", "E62", "contributed_to", "low"),
    # active failure -> problematic event
    ("F1", "E28", "contributed_to", "high"),
    ("F1", "E29", "contributed_to", "medium"),
    ("F2", "E29", "contributed_to", "medium"),
    ("F2", "E40", "contributed_to", "medium"),
    ("F3", "E48", "contributed_to", "medium"),
    ("F4", "E48", "contributed_to", "high"),
    ("F5", "E62", "contributed_to", "medium"),
    ("F6", "E53", "contributed_to", "high"),
    ("F6", "E57", "contributed_to", "medium"),
    ("F7", "E47", "contributed_to", "high"),
    ("F8", "E57", "contributed_to", "high"),
    ("F9", "E57", "contributed_to", "high"),
    ("F10", "E70", "contributed_to", "medium"),
    ("F10", "E72", "contributed_to", "low"),
    ("F6", "E69", "contributed_to", "medium"),
    ("F9", "E69", "contributed_to", "medium"),
    # protective -> active failure or event
    ("F25", "F2", "mitigated", "medium"),
    ("F25", "F8", "mitigated", "medium"),
    ("F26", "F8", "mitigated", "medium"),
    ("F27", "F2", "mitigated", "high"),
    ("F27", "E40", "mitigated", "medium"),
    ("F28", "E3", "mitigated", "medium"),
    ("F29", "F4", "mitigated", "low"),
    ("F30", "F8", "mitigated", "medium"),
]


def seed_factors(session: Session, review: Review) -> None:
    """Add the demo accounts, factors and links to ``review`` (its events must exist)."""
    for values in ACCOUNTS:
        create_account(session=session, review=review, **values)
    for (
        ref,
        label,
        factor_type,
        level,
        scie_pattern,
        seips_component,
        category,
        description,
        evidence,
    ) in FACTORS:
        create_factor(
            session=session,
            review=review,
            ref=ref,
            label=label,
            description=description,
            type=factor_type,
            level=level,
            scie_pattern=scie_pattern,
            seips_component=seips_component,
            contributory_category=category,
            evidence=evidence,
        )
    for source, target, relation, confidence in LINKS:
        create_link(
            session=session,
            review=review,
            source=source,
            target=target,
            relation=relation,
            confidence=confidence,
        )
