"""The words of factors: stems, synonyms and *concepts*.

1. **Words.** Each factor's label (and, more lightly, its description) becomes TF-IDF weights
   (scikit-learn) over its words, word pairs and *concepts*: a small lexicon of the ways
   reviews say the same thing ("accepted at face value", "taken at their word", "accepted too
   readily" are all ``face_value``; parents, carers, mothers and fathers are all ``parent``).
   Nothing is downloaded: the lexicon is data in this module.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

# The ways reviews say the same thing. A phrase (matched on the lower-cased, stemmed text)
# adds its concept; "core" concepts name a failure, and two factors with different core
# concepts and none in common are not one pattern.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "face_value": (
        "face value",
        "at their word",
        "at her word",
        "at his word",
        "too readily",
        "without question",
        "without challenge",
        "not challeng",
        "unchalleng",
        "not question",
        "uncritical",
        "accept explan",
        "explan accept",
        "account accept",
        "accept account",
        "accept reassur",
        "reassur accept",
        "plausib",
        "professional curios",
        "respectful uncertain",
        "optimism",
        "benefit of the doubt",
    ),
    "daily_life": (
        "daily life",
        "day to day",
        "day-to-day",
        "lived experi",
        "what life was like",
        "what life is like",
        "life at home",
        "experi of the child",
        "child experi",
        "child world",
        "routin",
        "typical day",
    ),
    "workforce": (
        "caseload",
        "workload",
        "vacanc",
        "turnover",
        "agency staff",
        "locum",
        "staffing",
        "understaff",
        "capacity",
        "sick",
        "workforce",
        "staff shortag",
        "too many cases",
        "pressure on staff",
        "stretched",
    ),
    "strategy": (
        "strategy discuss",
        "strategy meet",
        "strategy call",
        "section 47",
        "s47",
        "multi-agency discuss",
    ),
    "info_sharing": (
        "information shar",
        "share information",
        "shared information",
        "not shared",
        "not share",
        "not passed on",
        "did not pass",
        "record not",
        "records not",
        "separate record",
        "system do not talk",
        "systems do not talk",
        "not copied",
    ),
    "supervision": ("supervis", "management oversight", "oversight"),
    "fathers": (
        "father not",
        "fathers not",
        "male carer",
        "men in the household",
        "invisible men",
        "new partner",
        "mother partner",
    ),
    "disability_mobility": ("non-mobile", "not mobile", "bruis", "injur"),
    "neglect": ("neglect", "home condit", "poor home", "cumulative harm"),
    "domestic_abuse": ("domestic abuse", "domestic violen", "coercive control"),
    "escalation": ("escalat", "disagree", "resolution of professional"),
    "threshold": ("threshold", "front door", "mash", "referral not accept", "no further action"),
}
CORE_CONCEPTS = frozenset(
    {
        "face_value",
        "daily_life",
        "workforce",
        "strategy",
        "info_sharing",
        "fathers",
        "escalation",
        "supervision",
    }
)
# Words that mean the same for grouping: the people whose explanations are accepted, the
# child, the professionals.
SYNONYMS: dict[str, str] = {
    "parental": "parent",
    "parents": "parent",
    "carer": "parent",
    "carers": "parent",
    "caregiver": "parent",
    "caregivers": "parent",
    "mother": "parent",
    "mothers": "parent",
    "father": "parent",
    "fathers": "parent",
    "mum": "parent",
    "dad": "parent",
    "family": "parent",
    "families": "parent",
    "baby": "child",
    "infant": "child",
    "children": "child",
    "childs": "child",
    "young": "child",
    "practitioners": "practitioner",
    "professionals": "practitioner",
    "professional": "practitioner",
    "workers": "practitioner",
    "worker": "practitioner",
    "staff": "practitioner",
}
STOPWORDS = frozenset(
    """a an the of to in on at for and or but not no by with from as is are was were be been
    being it its this that these those their there they them he she his her we our you your
    into than then so such too very can could would should may might will did do does done
    had has have having about over under after before between during when where which who
    whom what why how all any both each few more most other some same own only also just""".split()  # noqa: SIM905 - a paragraph of words reads better than 90 quoted ones
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ness", "ments", "ment", "ies", "ed", "es", "s")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


# --- text -------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.replace("'", "")
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def normalised(text: str) -> str:
    """Lower case, possessives dropped, each word stemmed: what concept phrases match."""
    words = _WORD.findall(text.casefold().replace("\u2019", "'"))
    return " ".join(_stem(SYNONYMS.get(w.removesuffix("'s"), w.removesuffix("'s"))) for w in words)


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    return tuple(
        (concept, tuple((" " + normalised(p), " " + p) for p in phrases))
        for concept, phrases in CONCEPTS.items()
    )


@lru_cache(maxsize=65536)
def concepts_of(text: str) -> frozenset[str]:
    """The lexicon's concepts that ``text`` expresses."""
    plain = " " + normalised(text) + " "
    raw = " " + " ".join(_WORD.findall(text.casefold())) + " "
    found = set()
    for concept, phrases in _phrases():
        if any(stemmed in plain or phrase in raw for stemmed, phrase in phrases):
            found.add(concept)
    return frozenset(found)


def _terms(label: str, description: str) -> list[str]:
    words = [w for w in normalised(label).split() if w not in STOPWORDS]
    terms = list(words)
    terms += [f"{a}_{b}" for a, b in pairwise(words)]
    terms += [f"~{c}" for c in sorted(concepts_of(label)) for _ in range(3)]
    extra = [w for w in normalised(description).split() if w not in STOPWORDS]
    terms += [f"d:{w}" for w in extra[:40]]
    terms += [f"~{c}" for c in sorted(concepts_of(description) - concepts_of(label))]
    return terms
