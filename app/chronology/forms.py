"""Chronology forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from analysis.chronology.dates import DateParseError, parse_when
from analysis.taxonomy import SOURCE_KINDS
from app.forms import select_choices
from app.services.chronology import APPRAISALS

PRECISION_CHOICES = [
    ("", "Work it out from the date"),
    ("exact", "Exact (a day and a time)"),
    ("day", "Day"),
    ("month", "Month"),
    ("year", "Year"),
    ("approximate", "Approximate (circa)"),
]
# What a precision needs written, in the form's words (the codes stay in the API and bundle).
_NEEDS = {
    "exact": ("a day and a time", "write the time after the date, for example 14/01/2011 16:20"),
    "day": ("a day", "write the day, for example 14/01/2011"),
    "month": ("a month", "write at least the month, for example Jan 2011"),
}
_FINENESS = ("year", "month", "day", "exact")


class EventForm(FlaskForm):
    date = StringField(
        "When",
        validators=[DataRequired("Enter when it happened, for example 14/01/2011 or Jan 2011")],
    )
    date_precision = SelectField(
        "How precise is the date?", choices=select_choices(PRECISION_CHOICES)
    )
    end_date = StringField("Until (for a span of time)", validators=[Optional()])
    agency = SelectField("Agency", choices=[], validate_choice=False)
    source = SelectField("Source", choices=select_choices(SOURCE_KINDS))
    source_detail = StringField("Source of information", validators=[Optional(), Length(max=300)])
    description = TextAreaField(
        "What happened", validators=[DataRequired("Describe what happened")]
    )
    outcome = TextAreaField("Outcome: what the agency did or decided", validators=[Optional()])
    people = SelectMultipleField("People involved", choices=[], validate_choice=False)
    appraisal = SelectField("Appraisal", choices=select_choices(APPRAISALS))
    kpe = SelectField("Key practice episode", choices=[], validate_choice=False)
    version = HiddenField()

    def validate_date_precision(self, field: SelectField) -> None:
        """A precision finer than the date as written, said in plain words (the service's own
        message names the precision's code and an ISO example, which suit the API)."""
        chosen = field.data or ""
        typed = self.date.data or ""
        if chosen not in _NEEDS or not typed.strip():
            return
        try:
            written = parse_when(typed).precision
        except DateParseError:
            return  # the date's own error is shown by the service
        if written in _FINENESS and _FINENESS.index(written) < _FINENESS.index(chosen):
            label = dict(PRECISION_CHOICES)[chosen]
            needs, how = _NEEDS[chosen]
            raise ValidationError(
                f"“{typed.strip()}” has no {needs.split(' and ')[-1].removeprefix('a ')}: "
                f"{label} needs {needs}, so {how}"
            )


class KpeForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    summary = TextAreaField("Summary", validators=[Optional()])
    narrative = TextAreaField(
        "Narrative analysis for the public edition of the report", validators=[Optional()]
    )
    version = HiddenField()


class CommentForm(FlaskForm):
    text = TextAreaField("Comment", validators=[DataRequired("Write a comment first")])


class ImportForm(FlaskForm):
    file = FileField(
        "Chronology file (CSV, XLSX or a Word document with a table)",
        validators=[FileRequired("Choose a file to import")],
    )
    agency = SelectField("All rows are from this agency", choices=[], validate_choice=False)
