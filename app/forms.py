"""Helpers shared by the feature forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wtforms.fields.choices import SelectChoice


def select_choices(pairs: Mapping[Any, str] | Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return [SelectChoice(value, label) for value, label in items]
