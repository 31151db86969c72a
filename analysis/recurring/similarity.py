"""How alike two factors are.

1. **Words.** Each factor's label (and, more lightly, its description) becomes TF-IDF weights
   (scikit-learn) over its words, word pairs and *concepts*: a small lexicon of the ways
   reviews say the same thing ("accepted at face value", "taken at their word", "accepted too
   readily" are all ``face_value``; parents, carers, mothers and fathers are all ``parent``).
   Nothing is downloaded: the lexicon is data in ``analysis.recurring.lexicon``.
2. **Taxonomy.** The cosine similarity of two factors is raised when they share a SCIE pattern,
   SEIPS component or contributory category, and lowered when their SCIE patterns differ or
   their system levels are far apart; two factors whose *core* concepts differ (workforce
   pressure and face-value acceptance) are kept apart whatever their words share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from analysis.recurring.lexicon import CORE_CONCEPTS, _terms, concepts_of
from analysis.recurring.model import FactorIn

LEVEL_ORDER = {
    "national": 0,
    "partnership": 1,
    "organisation": 2,
    "team": 3,
    "practice": 4,
    "child_and_family": 5,
}


# --- similarity ---------------------------------------------------------------------------------


def similarity_matrix(factors: Sequence[FactorIn]) -> np.ndarray:
    """Pairwise similarity of ``factors`` (0 to 1): words and concepts, then the taxonomy."""
    n = len(factors)
    if n == 0:
        return np.zeros((0, 0))
    # Imported here: scikit-learn takes most of a second to import, and only this needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer

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
