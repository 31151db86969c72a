"""Grouping factors into recurring patterns, and measuring a grouping.

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

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import numpy as np

from analysis.recurring.lexicon import concepts_of
from analysis.recurring.model import (
    PANEL_THEMES,
    ActionIn,
    DecisionIn,
    FactorIn,
    PanelTheme,
    Pattern,
)
from analysis.recurring.similarity import LEVEL_ORDER, similarity_matrix

# The similarity two factors need to be one pattern (tuned on the labelled set in bench/).
THRESHOLD = 0.36
# A factor this like a curated factor inherits the curator's decision about it.
INHERIT_THRESHOLD = 0.62


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
    # Imported here: SciPy's clustering takes a third of a second to import, only this needs it.
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

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
