"""The domain's tables. Import models from here: ``from models import Review``."""

from models.audit import AuditEntry
from models.base import Base, utcnow
from models.chronology import (
    ChronologyImport,
    Event,
    EventComment,
    EventVersion,
    ItemRef,
    KeyPracticeEpisode,
    event_people,
)
from models.factors import (
    Account,
    Factor,
    FactorEvidence,
    Link,
    PartnershipCondition,
    account_events,
)
from models.findings import (
    Action,
    BoardResponse,
    FeedbackRecord,
    Finding,
    ReportNarrative,
    ReportVersion,
    finding_factors,
)
from models.good_practice import GoodPractice, good_practice_events, good_practice_factors
from models.partnership import Partnership
from models.review import Agency, Membership, Person, Review, ReviewAgency
from models.user import ApiToken, RecoveryCode, User, UserSession
from models.workshop import Participant, Proposal, Upvote, Vote, Workshop, WorkshopNote

__all__ = [
    "Account",
    "Action",
    "Agency",
    "ApiToken",
    "AuditEntry",
    "Base",
    "BoardResponse",
    "ChronologyImport",
    "Event",
    "EventComment",
    "EventVersion",
    "Factor",
    "FactorEvidence",
    "FeedbackRecord",
    "Finding",
    "GoodPractice",
    "ItemRef",
    "KeyPracticeEpisode",
    "Link",
    "Membership",
    "Participant",
    "Partnership",
    "PartnershipCondition",
    "Person",
    "Proposal",
    "RecoveryCode",
    "ReportNarrative",
    "ReportVersion",
    "Review",
    "ReviewAgency",
    "Upvote",
    "User",
    "UserSession",
    "Vote",
    "Workshop",
    "WorkshopNote",
    "account_events",
    "event_people",
    "finding_factors",
    "good_practice_events",
    "good_practice_factors",
    "utcnow",
]
