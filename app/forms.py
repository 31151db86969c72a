"""Helpers shared by the feature forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import flash
from wtforms.fields.choices import SelectChoice

from app.db import db
from app.services.anonymity import save_warnings
from app.services.errors import ServiceError, StaleVersionError


def select_choices(pairs: Mapping[Any, str] | Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return [SelectChoice(value, label) for value, label in items]


def show_service_error(form: Any, error: ServiceError) -> None:
    """Put a service's error on the field it names, or at the top of the form."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors), error.message]
    else:
        form.form_errors.append(error.message)


def save_versioned(form: Any, save: Callable[[int], object], current: Any) -> tuple[bool, Any]:
    """Run ``save`` with the version the form was loaded at.

    Returns ``(True, None)`` when saved; ``(False, current)`` when someone else saved first (the
    page then shows their version beside what the user typed); ``(False, None)`` when the
    service refused the values (the errors are on the form).
    """
    try:
        save(int(form.version.data or 0))
    except StaleVersionError as error:
        form.form_errors.append(error.message)
        return False, current
    except ServiceError as error:
        show_service_error(form, error)
        return False, None
    return True, None


def edit_status(method: str, theirs: object) -> int:
    """200 for the blank form, 409 for a lost race, 422 for refused values."""
    if method == "GET":
        return 200
    return 409 if theirs is not None else 422


def flash_save_warnings(item: object, kind: str) -> None:
    """Warn, as an item is saved, that it names someone in the people register or holds an
    identifying detail (see ``anonymity.save_warnings``): not only when a report is made."""
    for message in save_warnings(db(), item, kind):
        flash(message, "warning")
