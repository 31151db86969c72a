"""The built-in taxonomies (DESIGN.md §4) as data: machine values with their plain labels.

The machine values are the bundle schema's enums; labels are what people read.
"""

from __future__ import annotations

REVIEW_TYPES: dict[str, str] = {
    "rapid_review": "Rapid review",
    "local_cspr": "Local child safeguarding practice review",
    "national_review": "National review",
    "sar": "Safeguarding adults review",
    "dhr": "Domestic homicide review",
    "thematic": "Thematic review",
    "psii": "Patient safety incident investigation",
    "after_action": "After-action review",
    "multi_agency_audit": "Multi-agency audit",
}

STAGES: dict[str, str] = {
    "scoping": "Scoping",
    "information_gathering": "Information gathering",
    "analysis": "Analysis",
    "findings": "Findings",
    "report": "Report",
    "published": "Published",
    "monitoring": "Monitoring",
    "closed": "Closed",
}

# The roles a member of a review can hold (what each may do is app/policy.py's table).
ROLES: dict[str, str] = {
    "chair": "Chair",
    "lead_reviewer": "Lead reviewer",
    "panel_member": "Panel member",
    "agency_rep": "Agency representative",
    "facilitator": "Facilitator",
    "board_member": "Safeguarding board member",
    "observer": "Observer",
}

PERSON_ROLES: dict[str, str] = {
    "child": "Child",
    "sibling": "Sibling",
    "parent": "Parent",
    "carer": "Carer",
    "household_adult": "Other adult in the household",
    "relative": "Relative",
    "practitioner": "Practitioner",
    "other": "Other",
}

SYSTEM_LEVELS: dict[str, str] = {
    "national": "National",
    "partnership": "Partnership",
    "organisation": "Organisation",
    "team": "Team",
    "practice": "Practice",
    "child_and_family": "Child and family",
}

FACTOR_TYPES: dict[str, str] = {
    "active_failure": "Active failure",
    "latent_condition": "Latent condition",
    "protective": "Protective factor",
    "context": "Context",
}

SCIE_PATTERNS: dict[str, str] = {
    "human_tool": "Human–tool operation",
    "human_management_system": "Human–management system operation",
    "multi_agency_incidents": "Multi-agency working in response to incidents and crises",
    "multi_agency_longer_term": "Multi-agency working in assessment and longer-term work",
    "family_professional": "Family–professional interaction",
    "human_reasoning": "Human reasoning: cognitive and emotional biases",
}

CONTRIBUTORY_CATEGORIES: dict[str, str] = {
    "family": "Aspects of the family",
    "worker_role": "The worker's role",
    "conditions_of_work": "Conditions of work",
    "personal": "Personal aspects",
    "own_team": "Own team",
    "inter_agency_team": "Inter-agency and inter-professional team",
    "organisational_culture": "Organisational culture and management",
    "wider_context": "Wider political context",
    "other": "Other",
}

SEIPS_COMPONENTS: dict[str, str] = {
    "person": "Person(s)",
    "tasks": "Tasks",
    "tools_technology": "Tools and technology",
    "organisation": "Organisation",
    "internal_environment": "Internal environment",
    "external_environment": "External environment",
}

LOCAL_RATIONALITY_PROMPTS: dict[str, str] = {
    "what_going_on": "What did you think was going on?",
    "reasoning": "What was behind your thinking?",
    "information_in_mind": "What information was at the front of your mind?",
    "other_demands": "What else was occupying you?",
    "conflicting_concerns": "Which concerns clashed?",
    "hoped_to_achieve": "What were you hoping to achieve?",
    "options": "What options did you have?",
    "what_went_well": "What went well, and what helped?",
}

SOURCE_KINDS: dict[str, str] = {
    "agency_record": "Agency record",
    "practitioner_account": "Practitioner account",
    "family_account": "Family account",
    "childs_voice": "Child's voice",
    "audit": "Audit",
    "observation": "Observation",
    "document": "Policy or document",
    "research": "Research",
}

AGENCY_SECTORS: tuple[str, ...] = (
    "Children's social care",
    "Police",
    "Health visiting",
    "GP",
    "Hospital",
    "Midwifery",
    "School",
    "Early help",
    "Probation",
    "Housing",
    "Mental health",
    "Substance misuse",
    "Voluntary sector",
    "Other",
)

CONTRIBUTOR_KINDS: dict[str, str] = {
    "practitioner": "Practitioner",
    "manager": "Manager",
    "family": "Family member",
    "child": "Child",
    "learning_event_group": "Group at a learning event",
}

LINK_RELATIONS: dict[str, str] = {
    "contributed_to": "contributed to",
    "enabled": "enabled",
    "precondition_of": "was a precondition of",
    "mitigated": "mitigated",
}

CONFIDENCE_LEVELS: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High"}

# Where a good-practice entry came from (the bundle's good_practice.source).
GOOD_PRACTICE_SOURCES: dict[str, str] = {
    "event": "An event appraised as good practice",
    "account": 'An account\'s answer to "what went well"',
    "protective_factor": "A protective factor",
    "case_audit": "A case audit",
    "practice_observation": "A practice observation",
    "supervision": "Supervision",
    "feedback": "Feedback from a child or family",
    "other": "Other quality-assurance activity",
}

SHARE_STATUSES: dict[str, str] = {"draft": "Draft", "approved": "Approved", "shared": "Shared"}

# Appreciative inquiry's 4-D cycle, as the prompts the register asks.
FOUR_D_PROMPTS: dict[str, str] = {
    "discover": "Discover: what happened that worked?",
    "dream": "Dream: what would it look like if it happened every time?",
    "design": "Design: what would need to change?",
    "deliver": "Deliver: who will do what?",
}

# Where shared learning usually goes (the form offers these; any text is accepted).
SHARE_PLACES: tuple[str, ...] = ("Team meeting", "Learning circle", "Bulletin", "Briefing")
