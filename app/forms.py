"""Helpers shared by the feature forms."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from flask import flash, get_template_attribute
from wtforms import Field, Form

# WTForms 3.3 added SelectChoice; types-WTForms (stubs for 3.2) lacks it, so mypy sees Any.
# Re-exported: the other forms and views import it from here (one ignore, not one each).
from wtforms.fields.choices import SelectChoice as SelectChoice  # type: ignore[attr-defined]
from wtforms.utils import unset_value

from app.db import db
from app.services.anonymity import save_warnings
from app.services.errors import ServiceError, StaleVersionError

_T = TypeVar("_T")


def select_choices(pairs: Mapping[Any, str] | Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return [SelectChoice(value, label) for value, label in items]


def show_service_error(form: Form, error: ServiceError) -> None:
    """Put a service's error on the field it names, or at the top of the form."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors), error.message]
    else:
        form.form_errors.append(error.message)


def save_versioned(form: Any, save: Callable[[int], object], current: _T) -> tuple[bool, _T | None]:
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


# --- dates: the GOV.UK date input (day, month and year boxes) ---------------------------------

DATE_PARTS = ("day", "month", "year")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


_MONTH_BY_NAME = {
    key: number
    for number, name in enumerate(_MONTH_NAMES, start=1)
    for key in (name.casefold(), name[:3].casefold(), *(("sept",) if number == 9 else ()))
}


def read_day_month_year(
    day: str, month: str, year: str, label: str
) -> tuple[date | None, str | None, tuple[str, ...]]:
    """The date typed in a GOV.UK date input's three boxes: ``(date, None, ())``; ``(None,
    None, ())`` when all three are blank; or ``(None, message, boxes)`` naming the boxes to
    highlight, with a message that quotes what was typed."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    if not any(parts.values()):
        return None, None, ()
    typed = f"“{' '.join(v or '…' for v in parts.values())}”"
    # The GOV.UK pattern accepts a month's name or its first three letters ("Jan", "january").
    named = _MONTH_BY_NAME.get(parts["month"].casefold().rstrip("."))
    if named is not None:
        parts["month"] = str(named)
    missing = tuple(p for p in DATE_PARTS if not parts[p])
    if missing:
        needs = " and a ".join(missing)
        return None, f"{label} must include a {needs}: you typed {typed}", missing
    not_numbers = tuple(p for p in DATE_PARTS if not parts[p].isdigit())
    if not_numbers:
        return (
            None,
            f"{label} must be a real date in numbers, for example 27 3 2026: you typed {typed}",
            not_numbers,
        )
    if len(parts["year"]) != 4:
        return (
            None,
            f"{label} must have the year in full, for example 2026: you typed {typed}",
            ("year",),
        )
    number = {p: int(v) for p, v in parts.items()}
    if not 1 <= number["month"] <= 12:
        return (
            None,
            f"{label} must be a real date: there is no month {number['month']} in {typed}",
            ("month",),
        )
    try:
        return date(number["year"], number["month"], number["day"]), None, ()
    except ValueError:
        month_name = _MONTH_NAMES[number["month"] - 1]
        return (
            None,
            f"{label} must be a real date: {month_name} {number['year']} has no day "
            f"{number['day']} ({typed})",
            ("day",),
        )


class DayMonthYearWidget:
    """Renders the field through the ``date_input`` macro of ``_macros/forms.html``, so that
    ``{{ form.x() }}`` and ``{{ field(form.x) }}`` draw the same three boxes."""

    def __call__(self, field: DayMonthYearField, **kwargs: Any) -> Any:
        # A macro's output is already Markup (escaped by the template).
        return get_template_attribute("_macros/forms.html", "date_input")(field, **kwargs)


class DayMonthYearField(Field):
    """A date typed in three boxes named ``<name>-day``, ``<name>-month`` and ``<name>-year``
    (the GOV.UK Design System's date input), never a browser's own date picker (which shows
    dates month first in many browsers).

    ``data`` is the ``date`` or None. What was typed is kept (``typed``) and shown again after
    an error; ``bad_parts`` names the boxes to highlight. A single value under ``<name>`` (a
    bookmarked link, ``2026-03-27`` or ``27/03/2026``) is still read.
    """

    widget = DayMonthYearWidget()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.typed: dict[str, str] = {}
        self.bad_parts: tuple[str, ...] = ()
        self._formdata: Any = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self._formdata = formdata
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist: list[Any]) -> None:
        formdata, self._formdata = self._formdata, None
        if formdata is None:
            return
        typed = {p: (formdata.get(f"{self.name}-{p}") or "").strip() for p in DATE_PARTS}
        if not any(typed.values()) and valuelist and str(valuelist[0]).strip():
            typed = _split_single(str(valuelist[0]).strip())
        self.typed = typed
        # Optional() and DataRequired() look at raw_data: empty only when nothing was typed.
        self.raw_data = [" ".join(v for v in typed.values() if v)] if any(typed.values()) else []
        self.data, message, self.bad_parts = read_day_month_year(
            typed["day"], typed["month"], typed["year"], str(self.label.text)
        )
        if message:
            raise ValueError(message)

    def part_values(self) -> dict[str, str]:
        """What each box shows: what was typed, else the stored date (day first)."""
        if self.typed and any(self.typed.values()):
            return self.typed
        value = self.data
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return {p: "" for p in DATE_PARTS}

    def error_parts(self) -> tuple[str, ...]:
        """The boxes to highlight: the wrong ones, or all three for an error about the date."""
        if not self.errors:
            return ()
        return self.bad_parts or DATE_PARTS

    def first_error_id(self) -> str:
        """Where the error summary links: the first box to correct."""
        return f"{self.id}-{(self.error_parts() or DATE_PARTS)[0]}"


def _split_single(text: str) -> dict[str, str]:
    """``2026-03-27`` or ``27/03/2026`` (a bookmarked link) as the three boxes."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return {"day": iso[3], "month": iso[2], "year": iso[1]}
    pieces = re.split(r"[/.\s-]+", text)
    if len(pieces) == 3 and all(piece.isdigit() for piece in pieces):
        return dict(zip(DATE_PARTS, pieces, strict=True))
    return {"day": text, "month": "", "year": ""}
