"""Recurring patterns across reviews: the same active failure or latent condition said
differently in different reviews, grouped into one pattern.

The method, in pure Python over frozen dataclasses:

1. **Words** (``lexicon``, ``similarity``): TF-IDF weights over words, word pairs and
   *concepts*.
2. **Taxonomy** (``similarity``): shared SCIE patterns, SEIPS components and categories.
3. **Grouping** (``grouping``): average-linkage clustering cut at a similarity threshold.
4. **Curators** (``grouping``): decisions replayed as must-link and cannot-link constraints.

The inputs and the patterns are in ``model``. Every name is re-exported here.

``group_factors`` returns the patterns; ``pairwise_scores`` measures a grouping against a
labelled one (pairwise precision and recall).
"""

from __future__ import annotations

from analysis.recurring.grouping import (
    INHERIT_THRESHOLD,
    THRESHOLD,
    group_factors,
    pairwise_scores,
    panel_themes_for,
)
from analysis.recurring.lexicon import (
    CONCEPTS,
    CORE_CONCEPTS,
    STOPWORDS,
    SYNONYMS,
    concepts_of,
    normalised,
)
from analysis.recurring.model import (
    PANEL_THEMES,
    ActionIn,
    DecisionIn,
    FactorIn,
    PanelTheme,
    Pattern,
)
from analysis.recurring.similarity import LEVEL_ORDER, similarity_matrix

__all__ = [
    "CONCEPTS",
    "CORE_CONCEPTS",
    "INHERIT_THRESHOLD",
    "LEVEL_ORDER",
    "PANEL_THEMES",
    "STOPWORDS",
    "SYNONYMS",
    "THRESHOLD",
    "ActionIn",
    "DecisionIn",
    "FactorIn",
    "PanelTheme",
    "Pattern",
    "concepts_of",
    "group_factors",
    "normalised",
    "pairwise_scores",
    "panel_themes_for",
    "similarity_matrix",
]
