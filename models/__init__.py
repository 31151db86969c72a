"""The domain's tables. Import models from here: ``from models import Review``."""

from models.audit.tables import AuditEntry, AuditKey
from models.base import Base, utcnow
from models.chronology import (
    ChronologyImport,
    DuplicateDismissal,
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
from models.job import Job
from models.partnership import Partnership
from models.review import Agency, Membership, Person, Review, ReviewAgency
from models.tracking import (
    ActionDueChange,
    ActionProgressNote,
    PatternDecision,
    ReviewMilestone,
)
from models.user import (
    AccountLink,
    ApiToken,
    IdentityProvider,
    RecoveryCode,
    SavedSearch,
    User,
    UserSession,
)
from models.workshop import Participant, Proposal, Upvote, Vote, Workshop, WorkshopNote

__all__ = [
    "Account",
    "AccountLink",
    "Action",
    "ActionDueChange",
    "ActionProgressNote",
    "Agency",
    "ApiToken",
    "AuditEntry",
    "AuditKey",
    "Base",
    "BoardResponse",
    "ChronologyImport",
    "DuplicateDismissal",
    "Event",
    "EventComment",
    "EventVersion",
    "Factor",
    "FactorEvidence",
    "FeedbackRecord",
    "Finding",
    "GoodPractice",
    "IdentityProvider",
    "ItemRef",
    "Job",
    "KeyPracticeEpisode",
    "Link",
    "Membership",
    "Participant",
    "Partnership",
    "PartnershipCondition",
    "PatternDecision",
    "Person",
    "Proposal",
    "RecoveryCode",
    "ReportNarrative",
    "ReportVersion",
    "Review",
    "ReviewAgency",
    "ReviewMilestone",
    "SavedSearch",
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
