"""What recurring-pattern grouping takes and gives: factors, actions and curators' decisions
in, patterns out (frozen dataclasses), and the panel's themes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class FactorIn:
    """One factor of one review, as the grouping needs it."""

    key: str  # unique across the partnership, e.g. "12:F3"
    review: str  # the review's key (its id as text)
    ref: str
    label: str
    type: str
    level: str
    description: str = ""
    scie_pattern: str | None = None
    seips_component: str | None = None
    category: str | None = None
    seen_on: date | None = None  # when the review saw it (its date)


@dataclass(frozen=True)
class ActionIn:
    """An action agreed against some factors (through its finding)."""

    review: str
    ref: str
    factor_keys: tuple[str, ...]
    agreed_on: date | None
    status: str


@dataclass(frozen=True)
class DecisionIn:
    """A curator's decision: ``confirm`` or ``merge`` (``factors`` are one pattern, named
    ``label`` if given), ``split`` (``factors`` and ``apart`` are not one pattern) or
    ``rename`` (the pattern holding most of ``factors`` is called ``label``)."""

    kind: str
    factors: tuple[str, ...]
    apart: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class PanelTheme:
    key: str
    title: str
    concepts: frozenset[str]


# The national Child Safeguarding Practice Review Panel's recurring themes (annual reports and
# national reviews), with the concepts that show a pattern belongs to one.
PANEL_THEMES: tuple[PanelTheme, ...] = (
    PanelTheme(
        "critical_thinking",
        "Critical thinking and challenge: accepting parents' accounts at face value",
        frozenset({"face_value"}),
    ),
    PanelTheme(
        "child_lived_experience",
        "Understanding what the child's daily life is like",
        frozenset({"daily_life"}),
    ),
    PanelTheme(
        "multi_agency_child_protection",
        "Multi-agency child protection: strategy discussions and section 47 enquiries",
        frozenset({"strategy"}),
    ),
    PanelTheme(
        "information_sharing",
        "Sharing information between agencies",
        frozenset({"info_sharing"}),
    ),
    PanelTheme(
        "workforce",
        "Organisational context: workforce capacity, caseloads and turnover",
        frozenset({"workforce"}),
    ),
    PanelTheme(
        "supervision",
        "Supervision and management oversight",
        frozenset({"supervision"}),
    ),
    PanelTheme(
        "invisible_men", "Fathers and male carers not seen or assessed", frozenset({"fathers"})
    ),
    PanelTheme(
        "non_mobile_injuries",
        "Injuries and bruising in non-mobile babies",
        frozenset({"disability_mobility"}),
    ),
    PanelTheme("neglect", "Recognising and responding to neglect", frozenset({"neglect"})),
    PanelTheme("domestic_abuse", "Domestic abuse", frozenset({"domestic_abuse"})),
    PanelTheme(
        "escalation",
        "Professional disagreement and escalation",
        frozenset({"escalation"}),
    ),
)


@dataclass
class Pattern:
    """Factors of one or more reviews that are the same thing said differently."""

    label: str
    factors: list[FactorIn]
    reviews: list[str]
    first_seen: date | None
    last_seen: date | None
    levels: list[str]
    types: list[str]
    actions: list[ActionIn] = field(default_factory=list)
    stubborn: bool = False
    panel_themes: list[PanelTheme] = field(default_factory=list)
    curated: bool = False

    @property
    def key(self) -> str:
        """Stable while the pattern keeps its factors: its lowest factor key."""
        return min(f.key for f in self.factors)

    @property
    def factor_keys(self) -> list[str]:
        return [f.key for f in self.factors]
