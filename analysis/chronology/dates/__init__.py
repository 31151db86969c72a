"""Fuzzy event dates: what a chronology says about *when*, and how sure it is.

``when`` holds the value (``When``) and how it reads; ``parsing`` reads what people write
(``parse_when``, ``parse_cell``). Every name is re-exported here.
"""

from __future__ import annotations

from analysis.chronology.dates.parsing import parse_cell, parse_time, parse_when
from analysis.chronology.dates.when import (
    EN_DASH,
    MONTH_ABBRS,
    PRECISIONS,
    DateParseError,
    When,
    age_at,
    day_first,
    two_digit_year,
    when_from_bundle,
)

__all__ = [
    "EN_DASH",
    "MONTH_ABBRS",
    "PRECISIONS",
    "DateParseError",
    "When",
    "age_at",
    "day_first",
    "parse_cell",
    "parse_time",
    "parse_when",
    "two_digit_year",
    "when_from_bundle",
]
