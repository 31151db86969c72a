"""Recurring patterns across reviews: quality on a labelled set, and time at size.

Quality: ``analysis.recurring.group_factors`` on the labelled set in
``tests/data/recurring/labelled.json`` (fictional factor labels worded the ways published
local reviews word recurring themes, each with the pattern it belongs to), scored by pairwise
precision and recall.

Time: 100 generated reviews x 40 factors (4,000 factors: labelled wordings with varied
openings, agencies and details, fixed seed), grouped with their actions; printed beside a
baseline measured in the same run (TF-IDF of the same labels and their cosine similarity
matrix with scikit-learn, the floor any text grouping pays).

Targets: precision ≥ 0.9 and recall ≥ 0.8 on the labelled set; at most 5 s for 100 x 40.
"""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.recurring import ActionIn, FactorIn, group_factors, pairwise_scores

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "recurring" / "labelled.json"
SEED = 20_261_204
REVIEWS, FACTORS_PER_REVIEW = 100, 40
TARGET_SECONDS = 5.0
TARGET_PRECISION, TARGET_RECALL = 0.9, 0.8
OPENINGS = ("", "In this case, ", "During the period, ", "Across agencies, ", "At times, ")
DETAILS = (
    "",
    " in the months before the incident",
    " by the duty team",
    " by health visiting",
    " despite earlier concerns",
    " at the front door",
)
LEVELS = ("practice", "team", "organisation", "partnership")


def labelled() -> list[dict[str, str]]:
    items: list[dict[str, str]] = json.loads(LABELLED.read_text(encoding="utf-8"))["items"]
    return items


def quality() -> tuple[float, float, int]:
    items = labelled()
    factors = [
        FactorIn(
            key=str(i), review=item["review"], ref=str(i), label=item["label"],
            type="active_failure", level="practice",
        )
        for i, item in enumerate(items)
    ]  # fmt: skip
    patterns = group_factors(factors)
    predicted = {f.key: p.key for p in patterns for f in p.factors}
    precision, recall = pairwise_scores(
        predicted, {str(i): it["group"] for i, it in enumerate(items)}
    )
    return precision, recall, len(patterns)


def generate(seed: int = SEED) -> tuple[list[FactorIn], list[ActionIn]]:
    rng = random.Random(seed)
    items = labelled()
    factors, actions = [], []
    for review in range(REVIEWS):
        seen = date(2015 + review // 10, 1 + review % 12, 1)
        for number in range(FACTORS_PER_REVIEW):
            item = rng.choice(items)
            label = rng.choice(OPENINGS) + item["label"][0].lower() + item["label"][1:]
            label = (label[0].upper() + label[1:]).rstrip(".") + rng.choice(DETAILS)
            factors.append(
                FactorIn(
                    key=f"{review}:F{number}",
                    review=str(review),
                    ref=f"F{number}",
                    label=label,
                    type=rng.choice(("active_failure", "latent_condition")),
                    level=rng.choice(LEVELS),
                    seen_on=seen,
                )
            )
        for number in range(5):
            keys = tuple(f"{review}:F{rng.randrange(FACTORS_PER_REVIEW)}" for _ in range(2))
            actions.append(ActionIn(str(review), f"A{number}", keys, seen, "agreed"))
    return factors, actions


def _baseline(factors: list[FactorIn]) -> float:
    started = time.perf_counter()
    matrix = TfidfVectorizer().fit_transform([f.label for f in factors])
    (matrix @ matrix.T).toarray()
    return time.perf_counter() - started


def run() -> bool:
    """Print quality and time; return whether both meet their targets."""
    precision, recall, count = quality()
    print(
        f"recurring: labelled set of {len(labelled())} factors -> {count} patterns, "
        f"pairwise precision {precision:.2f} (target ≥ {TARGET_PRECISION}), "
        f"recall {recall:.2f} (target ≥ {TARGET_RECALL})"
    )
    factors, actions = generate()
    baseline = _baseline(factors)
    started = time.perf_counter()
    patterns = group_factors(factors, actions)
    elapsed = time.perf_counter() - started
    multi = sum(1 for p in patterns if len(p.reviews) > 1)
    print(
        f"recurring: {REVIEWS} reviews x {FACTORS_PER_REVIEW} factors grouped in {elapsed:.2f} s "
        f"(target ≤ {TARGET_SECONDS} s; {elapsed / baseline:.1f}x the TF-IDF and cosine baseline "
        f"of {baseline:.2f} s), {len(patterns)} patterns, {multi} across reviews"
    )
    return precision >= TARGET_PRECISION and recall >= TARGET_RECALL and elapsed <= TARGET_SECONDS


if __name__ == "__main__":
    run()
