"""The recurring patterns over time, drawn as SVG on the server: one row per pattern, one
column per year, a circle sized by how many of the year's reviews showed it. The page puts
an accessible table of the same numbers beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from analysis.recurring.model import Pattern

ROW = 28
LABEL_WIDTH = 300
COLUMN = 56
TOP = 36


@dataclass(frozen=True)
class ChartRow:
    number: int
    label: str
    counts: tuple[int, ...]  # reviews showing the pattern, per year


def chart_rows(patterns: Sequence[Pattern]) -> tuple[list[int], list[ChartRow]]:
    """Years (first to last seen) and, per pattern, the reviews that showed it each year."""
    seen = [f.seen_on.year for p in patterns for f in p.factors if f.seen_on]
    if not seen:
        return [], []
    years = list(range(min(seen), max(seen) + 1))
    rows = []
    for number, pattern in enumerate(patterns, start=1):
        per_year: dict[int, set[str]] = {year: set() for year in years}
        for f in pattern.factors:
            if f.seen_on:
                per_year[f.seen_on.year].add(f.review)
        rows.append(ChartRow(number, pattern.label, tuple(len(per_year[year]) for year in years)))
    return years, rows


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline_svg(patterns: Sequence[Pattern], title: str = "Recurring patterns over time") -> str:
    """An SVG document (as text): every string is escaped, so labels cannot inject markup."""
    years, rows = chart_rows(patterns)
    width = LABEL_WIDTH + COLUMN * max(len(years), 1) + 16
    height = TOP + ROW * max(len(rows), 1) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="chart-title chart-desc" '
        'font-family="Arial, sans-serif" font-size="13">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">One row per pattern and one column per year; a larger circle '
        "means more reviews showed the pattern that year. The table beside the chart gives "
        "the same numbers.</desc>",
    ]
    for column, year in enumerate(years):
        x = LABEL_WIDTH + COLUMN * column + COLUMN // 2
        parts.append(f'<text x="{x}" y="20" text-anchor="middle" fill="#0b0c0c">{year}</text>')
    for index, row in enumerate(rows):
        y = TOP + ROW * index + ROW // 2
        if index % 2 == 0:
            parts.append(
                f'<rect x="0" y="{y - ROW // 2}" width="{width}" height="{ROW}" fill="#f3f2f1"/>'
            )
        label = escape(f"{row.number}. {_short(row.label)}")
        parts.append(f'<text x="4" y="{y + 4}" fill="#0b0c0c">{label}</text>')
        for column, count in enumerate(row.counts):
            if count:
                x = LABEL_WIDTH + COLUMN * column + COLUMN // 2
                radius = min(4 + 3 * count, ROW // 2 - 1)
                parts.append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="#1d70b8"/>')
    parts.append("</svg>")
    return "".join(parts)
