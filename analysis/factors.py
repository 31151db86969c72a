"""Contributing-factor analysis: checks on each factor, triangulation, wording, family voice.

A systems review (DESIGN.md §1) separates active failures at the front line from the latent
conditions higher in the system that made them likely, and records what protected the child.
The checks here help a reviewer keep to that method. They only ever warn: the reviewer may
have good reason to depart from the usual pattern, so nothing here blocks a save.

``wording_flags`` and ``highlight_wording`` point out blame and hindsight wording ("failed
to", "should have") so it can be reframed around what happened and why it made sense at the
time. ``voice_by_kpe`` shows which key practice episodes hear from the child or family.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.taxonomy import FACTOR_TYPES, SEIPS_COMPONENTS, SOURCE_KINDS, SYSTEM_LEVELS

# The front line, where active failures happen (Reason; Learning Together).
FRONT_LINE_LEVEL = "practice"
# Latent conditions act across many cases from team level upwards (SYSTEM_LEVELS runs top
# to bottom, so "team or above" is everything up to and including team).
_LEVEL_ORDER = tuple(SYSTEM_LEVELS)
LATENT_LEVELS = frozenset(_LEVEL_ORDER[: _LEVEL_ORDER.index("team") + 1])
# A tool or form is designed higher up but shows itself wherever it is used, so a latent
# condition in a tool may sit at any level.
TOOL_COMPONENT = "tools_technology"
MITIGATED = "mitigated"
# Sources that carry the voice of the child or family, and the accounts they give.
FAMILY_VOICE_SOURCES = frozenset({"family_account", "childs_voice"})
FAMILY_ACCOUNT_KINDS = frozenset({"family", "child"})

STRENGTH_BY_COUNT = ("none", "weak", "moderate")
STRONG = "strong"


@dataclass(frozen=True)
class EvidenceFacts:
    """One piece of evidence for a factor.

    ``source`` is a ``SOURCE_KINDS`` key; ``event`` and ``account`` are the refs of the
    chronology entry and the account it rests on, when it rests on one.
    """

    source: str
    event: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class FactorFacts:
    """A contributing factor: ``type`` is a ``FACTOR_TYPES`` key, ``level`` a
    ``SYSTEM_LEVELS`` key and ``seips_component`` a ``SEIPS_COMPONENTS`` key
    (``"tools_technology"`` marks a tool or form)."""

    ref: str
    type: str
    level: str
    label: str
    description: str = ""
    seips_component: str | None = None
    evidence: tuple[EvidenceFacts, ...] = ()


@dataclass(frozen=True)
class LinkFacts:
    """A directed link between two refs; ``relation`` is ``contributed_to``, ``enabled``,
    ``precondition_of`` or ``mitigated``."""

    source: str
    target: str
    relation: str


@dataclass(frozen=True)
class FactorWarning:
    """A check a factor did not meet: a stable machine ``code`` and a plain ``message``."""

    code: str
    message: str


@dataclass(frozen=True)
class Triangulation:
    """How many distinct kinds of source support a factor, and what that amounts to.

    ``strength`` is ``"none"`` (0 kinds), ``"weak"`` (1), ``"moderate"`` (2) or
    ``"strong"`` (3 or more); ``label`` says it in words, e.g. ``"Strong: 3 kinds of source"``.
    """

    count: int
    strength: str
    label: str


@dataclass(frozen=True)
class WordingFlag:
    """Blame or hindsight wording found in a text.

    ``phrase`` is the text as written (original case and spacing), at ``text[start:end]``;
    ``kind`` is ``"blame"`` or ``"hindsight"``; ``suggestion`` is advice in plain words.
    """

    phrase: str
    start: int
    end: int
    kind: str
    suggestion: str


@dataclass(frozen=True)
class AccountFacts:
    """An account: ``kind`` is the contributor kind (``practitioner``, ``manager``,
    ``family``, ``child``, ``learning_event_group``); ``events`` the refs it speaks to."""

    ref: str
    kind: str
    events: frozenset[str]


def _type_label(factor_type: str) -> str:
    return FACTOR_TYPES.get(factor_type, factor_type).lower()


def _level_label(level: str) -> str:
    return SYSTEM_LEVELS.get(level, level).lower()


def _source_label(source: str) -> str:
    return SOURCE_KINDS.get(source, source).lower()


def triangulation(evidence: Sequence[EvidenceFacts]) -> Triangulation:
    """How well a factor's evidence is triangulated.

    Takes the factor's evidence and counts the distinct source kinds in it (two agency
    records are one kind of source). Returns a ``Triangulation`` with the count, a strength
    (``none`` for 0, ``weak`` for 1, ``moderate`` for 2, ``strong`` for 3 or more) and a label
    in words. Source kinds outside ``SOURCE_KINDS`` (a partnership's own) count like any
    other. Raises nothing.
    """
    count = len({item.source for item in evidence})
    if count == 0:
        return Triangulation(count=0, strength="none", label="None: no evidence yet")
    strength = STRENGTH_BY_COUNT[count] if count < len(STRENGTH_BY_COUNT) else STRONG
    kinds = "kind" if count == 1 else "kinds"
    return Triangulation(
        count=count,
        strength=strength,
        label=f"{strength.capitalize()}: {count} {kinds} of source",
    )


def factor_warnings(
    factor: FactorFacts, links: Sequence[LinkFacts], event_refs: frozenset[str]
) -> list[FactorWarning]:
    """The method checks a factor does not meet, as warnings (never errors).

    Takes the factor, the review's links (only those whose ``source`` is this factor's ref
    are read) and the refs of the review's events. Returns warnings in a fixed order, each
    code at most once:

    - ``active_not_practice``: an active failure not at practice level;
    - ``active_without_event``: an active failure with no evidence resting on an event and no
      link from it to a ref in ``event_refs``;
    - ``latent_too_low``: a latent condition below team level that is not a tool or form
      (``seips_component == "tools_technology"``);
    - ``protective_without_target``: a protective factor with no ``mitigated`` link from it;
    - ``mitigated_not_protective``: a ``mitigated`` link from a factor that is not protective;
    - ``no_evidence`` (no evidence at all) or ``single_source`` (one kind of source only).

    Values outside the taxonomies trigger only the checks that do not depend on them.
    Raises nothing.
    """
    outgoing = [link for link in links if link.source == factor.ref]
    mitigated_targets = [link.target for link in outgoing if link.relation == MITIGATED]
    warnings: list[FactorWarning] = []

    if factor.type == "active_failure":
        if factor.level != FRONT_LINE_LEVEL:
            warnings.append(
                FactorWarning(
                    code="active_not_practice",
                    message=(
                        "Active failures are acts or omissions at the front line, close in "
                        "time to the harm, so they sit at practice level. This one is at "
                        f"{_level_label(factor.level)} level: if it describes a feature of "
                        "the system that acts across many cases, it may be a latent "
                        "condition."
                    ),
                )
            )
        rests_on_event = any(item.event is not None for item in factor.evidence)
        linked_to_event = any(link.target in event_refs for link in outgoing)
        if not (rests_on_event or linked_to_event):
            warnings.append(
                FactorWarning(
                    code="active_without_event",
                    message=(
                        "An active failure is something that happened at a particular time, "
                        "so it should rest on at least one entry in the chronology. Add "
                        "evidence from an event, or link this factor to the event it "
                        "contributed to."
                    ),
                )
            )

    if (
        factor.type == "latent_condition"
        and factor.level in SYSTEM_LEVELS
        and factor.level not in LATENT_LEVELS
        and factor.seips_component != TOOL_COMPONENT
    ):
        warnings.append(
            FactorWarning(
                code="latent_too_low",
                message=(
                    "Latent conditions are features of the system (workload, supervision, "
                    "policy, IT, culture) that sit at team level or above and act across "
                    f"many cases. This one is at {_level_label(factor.level)} level: "
                    "consider whether it belongs higher up, or is an active failure or "
                    "context. A tool or form may sit at any level: mark its SEIPS "
                    f"component as {SEIPS_COMPONENTS[TOOL_COMPONENT].lower()} if it is one."
                ),
            )
        )

    if factor.type == "protective" and not mitigated_targets:
        warnings.append(
            FactorWarning(
                code="protective_without_target",
                message=(
                    "A protective factor is stronger learning when it shows what it "
                    "protected. Add a 'mitigated' link from it to the event or factor whose "
                    "effect it reduced."
                ),
            )
        )

    if factor.type != "protective" and mitigated_targets:
        targets = ", ".join(sorted(set(mitigated_targets)))
        warnings.append(
            FactorWarning(
                code="mitigated_not_protective",
                message=(
                    "Only a protective factor mitigates. This factor is recorded as "
                    f"{_type_label(factor.type)} but has a 'mitigated' link to {targets}: "
                    "either change its type to protective factor or choose another relation."
                ),
            )
        )

    support = triangulation(factor.evidence)
    if support.count == 0:
        warnings.append(
            FactorWarning(
                code="no_evidence",
                message=(
                    "No evidence is recorded for this factor yet. Add the records, accounts "
                    "or documents it rests on so the panel can see how we know."
                ),
            )
        )
    elif support.count == 1:
        warnings.append(
            FactorWarning(
                code="single_source",
                message=(
                    "This factor rests on one kind of source only "
                    f"({_source_label(factor.evidence[0].source)}). A factor is stronger when "
                    "different kinds of source support it, such as agency records, "
                    "practitioner accounts, the family's and child's voice, audit or "
                    "observation."
                ),
            )
        )

    return warnings


_BLAME_SUGGESTION = (
    "This wording judges the person. Describe what happened and why it made sense to them at "
    "the time: what they knew, what else was occupying them, what the system asked of them."
)
_HINDSIGHT_SUGGESTION = (
    "This wording reads with hindsight: it judges by what we know now. Describe what "
    "happened and why it made sense at the time, from what was known then."
)
SUGGESTIONS: dict[str, str] = {"blame": _BLAME_SUGGESTION, "hindsight": _HINDSIGHT_SUGGESTION}

# Phrases as people write them; spaces stand for any run of whitespace, an apostrophe for a
# straight or curly one.
WORDING_PHRASES: dict[str, str] = {
    "failed to": "blame",
    "fail to": "blame",
    "fails to": "blame",
    "failing to": "blame",
    "failure to": "blame",
    "negligent": "blame",
    "negligence": "blame",
    "careless": "blame",
    "carelessly": "blame",
    "neglected to": "blame",
    "didn't bother": "blame",
    "did not bother": "blame",
    "ignored": "blame",
    "should have": "hindsight",
    "should've": "hindsight",
    "should not have": "hindsight",
    "shouldn't have": "hindsight",
    "could have": "hindsight",
    "could've": "hindsight",
    "ought to have": "hindsight",
    "obviously": "hindsight",
    "clearly": "hindsight",
    "it was obvious": "hindsight",
    "missed the signs": "hindsight",
}


def _phrase_pattern(phrase: str) -> str:
    words = [re.escape(word).replace("'", "['\u2019]") for word in phrase.split()]
    return r"\s+".join(words)


# Longest first, so a phrase that begins a longer one ("careless", "carelessly") never cuts
# the longer one short; the look-arounds keep matches to whole words ("unclearly" is not
# "clearly").
_WORDING_RE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(_phrase_pattern(p) for p in sorted(WORDING_PHRASES, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
_WHITESPACE_RE = re.compile(r"\s+")


def _kind_of(found: str) -> str:
    key = _WHITESPACE_RE.sub(" ", found.lower()).replace("\u2019", "'")
    return WORDING_PHRASES[key]


def wording_flags(text: str) -> list[WordingFlag]:
    """Blame and hindsight wording in ``text``, in order of position.

    Takes any text. Matches the phrases of ``WORDING_PHRASES`` case-insensitively, as whole
    words, with any whitespace (line breaks included) between words and a straight or curly
    apostrophe. Returns one ``WordingFlag`` per match, with the phrase as written, its
    ``start``/``end`` offsets in ``text``, its kind and a suggestion. Raises nothing.
    """
    flags = []
    for match in _WORDING_RE.finditer(text):
        kind = _kind_of(match.group())
        flags.append(
            WordingFlag(
                phrase=match.group(),
                start=match.start(),
                end=match.end(),
                kind=kind,
                suggestion=SUGGESTIONS[kind],
            )
        )
    return flags


def highlight_wording(text: str) -> str:
    """``text`` as HTML with blame and hindsight wording marked, safe to put in a page.

    Takes plain text. Returns it HTML-escaped, with each flag from ``wording_flags`` wrapped
    in ``<mark class="lr-wording" title="…">`` whose (escaped) title is the suggestion.
    Raises nothing.
    """
    parts: list[str] = []
    position = 0
    for flag in wording_flags(text):
        parts.append(html.escape(text[position : flag.start]))
        parts.append(
            f'<mark class="lr-wording" title="{html.escape(flag.suggestion)}">'
            f"{html.escape(flag.phrase)}</mark>"
        )
        position = flag.end
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def voice_by_kpe(
    kpe_events: Mapping[str, frozenset[str]],
    accounts: Sequence[AccountFacts],
    factors: Sequence[FactorFacts],
) -> dict[str, bool]:
    """Whether the child's or family's voice is heard in each key practice episode.

    Takes each KPE's ref with the refs of its events, the review's accounts and its factors.
    A KPE hears the voice when a family or child account speaks to any of its events, or a
    factor's evidence from the family's account or the child's voice rests on one of its
    events. (Evidence resting on a family or child account that speaks to the KPE counts
    through that account.) Returns every KPE ref mapped to ``True`` or ``False``.
    Raises nothing.
    """
    voiced_events: set[str] = set()
    for account in accounts:
        if account.kind in FAMILY_ACCOUNT_KINDS:
            voiced_events.update(account.events)
    for factor in factors:
        for item in factor.evidence:
            if item.source in FAMILY_VOICE_SOURCES and item.event is not None:
                voiced_events.add(item.event)
    return {kpe: not events.isdisjoint(voiced_events) for kpe, events in kpe_events.items()}
