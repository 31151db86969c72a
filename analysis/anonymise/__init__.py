"""Pseudonymisation of generated outputs and the pre-publication scan for identifying details.

One module a concern, every name re-exported here: ``model`` (:class:`RegisterPerson`,
:class:`Hit`), ``plain`` (text as a reader sees it), ``names`` (a register name's variants
and where they occur), ``substitute`` (:func:`substitute` and friends), ``identifiers`` (NHS
numbers, postcodes, addresses, schools…) and ``scan`` (:func:`scan`, near-miss names and
:func:`redact`).
"""

from __future__ import annotations

from analysis.anonymise.identifiers import nhs_number_is_valid
from analysis.anonymise.model import CONTEXT_CHARS, HIT_KINDS, Hit, RegisterPerson
from analysis.anonymise.names import ABBREVIATIONS, COMMON_WORDS, name_without_titles
from analysis.anonymise.scan import (
    REDACTED,
    redact,
    redact_document,
    scan,
    scan_document,
    scan_markdown,
)
from analysis.anonymise.substitute import (
    AMBIGUOUS_PEOPLE,
    AMBIGUOUS_PERSON,
    substitute,
    substitute_document,
    substitute_svg,
    substituter,
)

__all__ = [
    "ABBREVIATIONS",
    "AMBIGUOUS_PEOPLE",
    "AMBIGUOUS_PERSON",
    "COMMON_WORDS",
    "CONTEXT_CHARS",
    "HIT_KINDS",
    "REDACTED",
    "Hit",
    "RegisterPerson",
    "name_without_titles",
    "nhs_number_is_valid",
    "redact",
    "redact_document",
    "scan",
    "scan_document",
    "scan_markdown",
    "substitute",
    "substitute_document",
    "substitute_svg",
    "substituter",
]
