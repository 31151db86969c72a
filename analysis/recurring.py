"""Recurring patterns across reviews: the same active failure or latent condition said
differently in different reviews, grouped into one pattern.

The method, in pure Python over frozen dataclasses:

1. **Words.** Each factor's label (and, more lightly, its description) becomes TF-IDF weights
   (scikit-learn) over its words, word pairs and *concepts*: a small lexicon of the ways
   reviews say the same thing ("accepted at face value", "taken at their word", "accepted too
   readily" are all ``face_value``; parents, carers, mothers and fathers are all ``parent``).
   Nothing is downloaded: the lexicon is data in this module.
2. **Taxonomy.** The cosine similarity of two factors is raised when they share a SCIE pattern,
   SEIPS component or contributory category, and lowered when their SCIE patterns differ or
   their system levels are far apart; two factors whose *core* concepts differ (workforce
   pressure and face-value acceptance) are kept apart whatever their words share.
3. **Grouping.** Average-linkage agglomerative clustering (no chaining of loosely similar
   pairs), cut at a similarity threshold.
4. **Curators.** Decisions (confirm, merge, split, rename) are replayed as must-link and
   cannot-link constraints; a factor that was not part of a decision but is very like one of
   its factors inherits the decision, so the grouping learns from curators rather than only
   remembering them.

``group_factors`` returns the patterns; ``pairwise_scores`` measures a grouping against a
labelled one (pairwise precision and recall).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import pairwise

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

LEVEL_ORDER = {
    "national": 0,
    "partnership": 1,
    "organisation": 2,
    "team": 3,
    "practice": 4,
    "child_and_family": 5,
}
# The similarity two factors need to be one pattern (tuned on the labelled set in bench/).
THRESHOLD = 0.36
# A factor this like a curated factor inherits the curator's decision about it.
INHERIT_THRESHOLD = 0.62

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


# --- similarity ---------------------------------------------------------------------------------


def similarity_matrix(factors: Sequence[FactorIn]) -> np.ndarray:
    """Pairwise similarity of ``factors`` (0 to 1): words and concepts, then the taxonomy."""
    n = len(factors)
    if n == 0:
        return np.zeros((0, 0))
    vectoriser = TfidfVectorizer(
        analyzer=lambda pair: _terms(*pair), sublinear_tf=True, norm="l2", dtype=np.float32
    )
    matrix = vectoriser.fit_transform([(f.label, f.description) for f in factors])
    sim = np.asarray(matrix @ matrix.T.toarray(), dtype=np.float32)
    sim += _taxonomy_adjustment(factors)
    np.clip(sim, 0.0, 1.0, out=sim)
    np.fill_diagonal(sim, 1.0)
    return sim


def _column(values: Iterable[str | None]) -> np.ndarray:
    codes: dict[str | None, int] = {}
    return np.array([-1 if v is None else codes.setdefault(v, len(codes)) for v in values])


def _taxonomy_adjustment(factors: Sequence[FactorIn]) -> np.ndarray:
    """What the taxonomy adds to (or takes from) each pair's similarity, in hundredths kept as
    small integers while summing (n x n arrays of 4,000 factors are large)."""
    n = len(factors)
    score = np.zeros((n, n), dtype=np.int16)

    def add(mask: np.ndarray, hundredths: int) -> None:
        np.add(score, mask.view(np.int8) * np.int16(hundredths), out=score)

    for values, bonus, penalty in (
        (_column(f.scie_pattern for f in factors), 8, 8),
        (_column(f.seips_component for f in factors), 4, 0),
        (_column(f.category for f in factors), 4, 0),
    ):
        known = values >= 0
        both = known[:, None] & known[None, :]
        same = values[:, None] == values[None, :]
        add(both & same, bonus)
        if penalty:
            add(both & ~same, -penalty)
    levels = np.array([LEVEL_ORDER.get(f.level, 3) for f in factors], dtype=np.int8)
    add(np.abs(levels[:, None] - levels[None, :]) > 2, -15)
    # Unlike failures stay apart: different core concepts and none shared.
    index: dict[str, int] = {}
    bits = np.array(
        [
            sum(1 << index.setdefault(c, len(index)) for c in concepts_of(f.label) & CORE_CONCEPTS)
            for f in factors
        ],
        dtype=np.int16,
    )
    has = bits != 0
    both_named = has[:, None] & has[None, :]
    add(both_named & ((bits[:, None] & bits[None, :]) == 0), -100)
    # The same failure named: a boost; one of several named: the words decide.
    add(both_named & (bits[:, None] == bits[None, :]), 25)
    return score.astype(np.float32) / np.float32(100)


# --- grouping -----------------------------------------------------------------------------------


class _Groups:
    """Union-find over factor indexes (the must-links)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def _inherit(
    keys: Sequence[str], sim: np.ndarray, position: Mapping[str, int], curated: set[str]
) -> dict[int, int]:
    """For each factor no decision names, the curated factor it is very like (if any)."""
    if not curated:
        return {}
    curated_index = np.array(sorted(position[k] for k in curated))
    heirs = {}
    for i, key in enumerate(keys):
        if key in curated:
            continue
        row = sim[i, curated_index]
        best = int(np.argmax(row))
        if row[best] >= INHERIT_THRESHOLD:
            heirs[i] = int(curated_index[best])
    return heirs


def _apply_decisions(
    factors: Sequence[FactorIn], sim: np.ndarray, decisions: Sequence[DecisionIn]
) -> tuple[np.ndarray, list[tuple[set[int], set[int]]], list[tuple[set[int], str]]]:
    keys = [f.key for f in factors]
    position = {k: i for i, k in enumerate(keys)}
    curated = {k for d in decisions for k in (*d.factors, *d.apart) if k in position}
    heirs = _inherit(keys, sim, position, curated)
    # Who stands for a curated factor: itself and every factor that inherits from it.
    stands_for: dict[int, set[int]] = defaultdict(set)
    for i in (position[k] for k in curated):
        stands_for[i].add(i)
    for heir, source in heirs.items():
        stands_for[source].add(heir)

    def members(refs: Iterable[str]) -> set[int]:
        out: set[int] = set()
        for key in refs:
            if key in position:
                out |= stands_for[position[key]]
        return out

    sim = sim.copy()
    splits: list[tuple[set[int], set[int]]] = []
    labels: list[tuple[set[int], str]] = []
    for decision in decisions:
        group = members(decision.factors)
        if decision.kind in ("confirm", "merge") and group:
            idx = np.array(sorted(group))
            sim[np.ix_(idx, idx)] = 1.0
            for other_side, other in splits:  # a later merge overrides an earlier split
                if group & other_side and group & other:
                    splits.remove((other_side, other))
                    break
        elif decision.kind == "split":
            apart = members(decision.apart) - group
            if group and apart:
                a, b = np.array(sorted(group)), np.array(sorted(apart))
                sim[np.ix_(a, b)] = 0.0
                sim[np.ix_(b, a)] = 0.0
                splits.append((group, apart))
        if decision.label and decision.kind in ("confirm", "merge", "rename") and group:
            labels.append((group, decision.label))
    return sim, splits, labels


def _cluster(sim: np.ndarray, threshold: float) -> list[int]:
    n = sim.shape[0]
    if n == 1:
        return [0]
    distance = 1.0 - sim
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return [int(c) for c in fcluster(tree, t=1.0 - threshold, criterion="distance")]


def _enforce_splits(
    clusters: list[int], sim: np.ndarray, splits: list[tuple[set[int], set[int]]]
) -> list[int]:
    """A cluster that still holds both sides of a split is cut in two: each factor goes
    with the side it is more like."""
    clusters = list(clusters)
    next_id = max(clusters, default=0) + 1
    for side_a, side_b in splits:
        for cid in {clusters[i] for i in side_a} & {clusters[i] for i in side_b}:
            members = [i for i, c in enumerate(clusters) if c == cid]
            a = [i for i in members if i in side_a]
            b = [i for i in members if i in side_b]
            for i in members:
                if i in side_b or (i not in side_a and sim[i, b].mean() > sim[i, a].mean()):
                    clusters[i] = next_id
            next_id += 1
    return clusters


def _central_label(members: Sequence[int], factors: Sequence[FactorIn], sim: np.ndarray) -> str:
    if len(members) == 1:
        return factors[members[0]].label
    idx = np.array(members)
    scores = sim[np.ix_(idx, idx)].mean(axis=1)
    # Prefer a latent condition's wording: it names the system, not the practitioner.
    order = sorted(
        range(len(members)),
        key=lambda k: (-round(float(scores[k]), 2), len(factors[members[k]].label)),
    )
    return factors[members[order[0]]].label


def panel_themes_for(labels: Iterable[str]) -> list[PanelTheme]:
    """The Panel's themes the pattern's wording matches (by the concepts most of it shares)."""
    counts: Counter[str] = Counter()
    total = 0
    for label in labels:
        total += 1
        counts.update(concepts_of(label))
    present = {c for c, k in counts.items() if k * 2 >= total}
    return [t for t in PANEL_THEMES if t.concepts & present]


def group_factors(
    factors: Sequence[FactorIn],
    actions: Sequence[ActionIn] = (),
    decisions: Sequence[DecisionIn] = (),
    threshold: float = THRESHOLD,
) -> list[Pattern]:
    """Group ``factors`` (active failures and latent conditions; other types are ignored)
    into patterns, apply the curators' ``decisions`` in order, and say for each pattern which
    ``actions`` were agreed against it and whether it came back after them.

    Returns patterns that span most reviews first. Raises nothing on empty input.
    """
    kept = [f for f in factors if f.type in ("active_failure", "latent_condition")]
    if not kept:
        return []
    sim = similarity_matrix(kept)
    sim, splits, labels = _apply_decisions(kept, sim, decisions)
    clusters = _enforce_splits(_cluster(sim, threshold), sim, splits)
    grouped: dict[int, list[int]] = defaultdict(list)
    for i, cid in enumerate(clusters):
        grouped[cid].append(i)
    by_factor: dict[str, list[ActionIn]] = defaultdict(list)
    for action in actions:
        for key in action.factor_keys:
            by_factor[key].append(action)
    patterns = []
    for members in grouped.values():
        chosen = [kept[i] for i in members]
        label, curated = _central_label(members, kept, sim), False
        for group, name in labels:
            if len(group & set(members)) * 2 > len(members) or set(members) <= group:
                label, curated = name, True
        dates = sorted(f.seen_on for f in chosen if f.seen_on)
        agreed = {
            (a.review, a.ref): a
            for f in chosen
            for a in by_factor.get(f.key, [])
            if a.status not in ("proposed", "dropped")
        }
        patterns.append(
            Pattern(
                label=label,
                factors=sorted(chosen, key=lambda f: (f.seen_on or date.min, f.key)),
                reviews=sorted({f.review for f in chosen}, key=_natural),
                first_seen=dates[0] if dates else None,
                last_seen=dates[-1] if dates else None,
                levels=sorted({f.level for f in chosen}, key=lambda v: LEVEL_ORDER.get(v, 9)),
                types=sorted({f.type for f in chosen}),
                actions=sorted(agreed.values(), key=lambda a: (a.agreed_on or date.min, a.ref)),
                stubborn=_came_back(chosen, list(agreed.values())),
                panel_themes=panel_themes_for(f.label for f in chosen),
                curated=curated,
            )
        )
    return sorted(patterns, key=lambda p: (-len(p.reviews), -len(p.factors), p.label.casefold()))


def _natural(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def _came_back(factors: Sequence[FactorIn], actions: Sequence[ActionIn]) -> bool:
    """Stubborn: seen again in a later review after an action was agreed against it."""
    agreed = [a.agreed_on for a in actions if a.agreed_on]
    if not agreed:
        return False
    first_action = min(agreed)
    return any(f.seen_on is not None and f.seen_on > first_action for f in factors)


# --- quality ------------------------------------------------------------------------------------


def pairwise_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of a grouping (item -> group) against a labelled one:
    of the pairs put together, how many belong together; of those that belong together, how
    many were put together. Items missing from either mapping are ignored."""
    items = sorted(set(predicted) & set(truth))
    together_predicted = together_true = both = 0
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            p = predicted[a] == predicted[b]
            t = truth[a] == truth[b]
            together_predicted += p
            together_true += t
            both += p and t
    precision = both / together_predicted if together_predicted else 1.0
    recall = both / together_true if together_true else 1.0
    return precision, recall
