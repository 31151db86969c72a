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
from wtforms.validators import DataRequired, Length, Optional

from analysis.taxonomy import SOURCE_KINDS
from app.forms import select_choices
from app.services.chronology import APPRAISALS

PRECISION_CHOICES = [
    ("", "Work it out from the date"),
    ("exact", "Exact (date and time)"),
    ("day", "Day"),
    ("month", "Month"),
    ("year", "Year"),
    ("approximate", "Approximate"),
]


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
