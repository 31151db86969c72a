"""Suggested findings: the analysis' themes that no finding covers yet, each with a working
title and summary, and a finding made from one for the panel to rewrite."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.graph.analysis import analyse
from analysis.taxonomy import SCIE_PATTERNS, SYSTEM_LEVELS
from app.services import review_cache
from app.services.errors import ServiceError
from app.services.findings.findings import create_finding, factors_by_ref, review_findings
from app.services.graph import review_graph
from models import Factor, Finding, Review


@dataclass(frozen=True)
class Suggestion:
    """A candidate finding from the analysis' themes: the factors it rests on, the theme's
    labels (taxonomy and key words) and its factors' own labels, most central first."""

    refs: tuple[str, ...]
    labels: tuple[str, ...]
    scie_pattern: str | None
    factor_labels: tuple[str, ...] = ()
    level: str | None = None

    @property
    def title(self) -> str:
        return suggestion_title(self.factor_labels or self.labels)

    @property
    def summary(self) -> str:
        return suggestion_summary(len(self.refs), self.scie_pattern, self.level)


def suggestion_title(labels: Sequence[str]) -> str:
    """A working title in words, for the panel to rewrite: the theme's most central factor,
    as the sentence its label is (not a list of taxonomy labels)."""
    lead = next((" ".join(label.split()) for label in labels if label.strip()), "")
    if not lead:
        return "Suggested finding"
    lead = lead.rstrip(" .;:")
    return (lead[0].upper() + lead[1:])[:300]


def suggestion_summary(count: int, pattern: str | None, level: str | None) -> str:
    """One sentence on what a suggested finding rests on ("It links 3 factors, mostly about
    human reasoning at the team level.")."""
    about = []
    if pattern in SCIE_PATTERNS:
        about.append(f"about {SCIE_PATTERNS[pattern][0].lower()}{SCIE_PATTERNS[pattern][1:]}")
    if level in SYSTEM_LEVELS:
        about.append(f"at the {SYSTEM_LEVELS[level].lower()} level")
    tail = f", mostly {' '.join(about)}" if about else ""
    return f"It links {count} factor{'s' if count != 1 else ''}{tail}."


def suggested_findings(session: Session, review: Review) -> list[Suggestion]:
    """The analysis' themes not yet covered by a finding (one resting on all their factors)."""
    # The graph's themes are worked out once per change to the review.
    themes = review_cache.cached(
        session, review.id, "themes", lambda: analyse(review_graph(session, review)).themes
    )
    covered = [{f.ref for f in finding.factors} for finding in review_findings(session, review)]
    factors = {
        f.ref: f for f in session.scalars(select(Factor).where(Factor.review_id == review.id))
    }
    suggestions = []
    for theme in themes:
        refs = set(theme.refs)
        if any(refs <= done for done in covered):
            continue
        members = [factors[r] for r in theme.refs if r in factors]
        counts = Counter(f.scie_pattern for f in members if f.scie_pattern)
        levels = Counter(f.level for f in members if f.level)
        suggestions.append(
            Suggestion(
                refs=tuple(theme.refs),
                labels=tuple(theme.labels),
                scie_pattern=counts.most_common(1)[0][0] if counts else None,
                factor_labels=tuple(f.label for f in members),
                level=levels.most_common(1)[0][0] if levels else None,
            )
        )
    return suggestions


def accept_suggestion(*, session: Session, review: Review, refs: Sequence[str]) -> Finding:
    """Create a finding from a suggested theme, pre-filled with its factors and their labels,
    for the panel to edit."""
    factors = factors_by_ref(session, review, refs)
    if not factors:
        raise ServiceError("The suggestion names no factors", "factors")
    counts = Counter(f.scie_pattern for f in factors if f.scie_pattern)
    issue = "The factors behind this theme:\n\n" + "\n".join(f"- {f.label}" for f in factors)
    order = {ref: index for index, ref in enumerate(refs)}
    lead = sorted(factors, key=lambda f: order.get(f.ref, len(order)))
    return create_finding(
        session=session,
        review=review,
        title=suggestion_title([f.label for f in lead]),
        scie_pattern=counts.most_common(1)[0][0] if counts else None,
        issue=issue,
        factors=[f.ref for f in factors],
    )
