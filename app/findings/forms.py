"""Forms for findings, board responses, actions and feedback."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from analysis.findings import ACTION_STATUSES, ACTION_STRENGTHS, FEEDBACK_AUDIENCES
from analysis.taxonomy import SCIE_PATTERNS
from app.forms import DayMonthYearField, select_choices


class FindingForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the finding a title"), Length(max=300)]
    )
    scie_pattern = SelectField(
        "SCIE pattern", choices=select_choices([("", "Not chosen"), *SCIE_PATTERNS.items()])
    )
    issue = TextAreaField("The issue", validators=[Optional()])
    evidence = TextAreaField("How we know", validators=[Optional()])
    how_widespread = TextAreaField("How widespread is it?", validators=[Optional()])
    why_it_matters = TextAreaField("Why it matters", validators=[Optional()])
    questions_for_board = TextAreaField("Questions for the board", validators=[Optional()])
    factors = SelectMultipleField("Factors it rests on", choices=[], validate_choice=False)
    version = HiddenField()


class BoardResponseForm(FlaskForm):
    question = HiddenField()
    response = TextAreaField(
        "The board's response", validators=[DataRequired("Write the board's response")]
    )
    responded_on = DayMonthYearField("Date of the response", validators=[Optional()])


class ActionForm(FlaskForm):
    finding = SelectField("Finding it answers", choices=[], validate_choice=False)
    description = TextAreaField(
        "What will be done", validators=[DataRequired("Describe the action")]
    )
    owner_agency = SelectField("Owner agency", choices=[], validate_choice=False)
    due = DayMonthYearField("Due by", validators=[Optional()])
    status = SelectField("Status", choices=select_choices(ACTION_STATUSES))
    strength = SelectField(
        "Strength", choices=select_choices([("", "Not judged yet"), *ACTION_STRENGTHS.items()])
    )
    impact_evidence = TextAreaField("Evidence of impact", validators=[Optional()])
    dropped_reason = TextAreaField("Why it was dropped", validators=[Optional()])
    version = HiddenField()


class FeedbackForm(FlaskForm):
    audience = SelectField("Fed back to", choices=select_choices(FEEDBACK_AUDIENCES))
    recipients = StringField(
        "To whom (by role or pseudonym)",
        validators=[DataRequired("Say to whom it was fed back"), Length(max=300)],
    )
    you_said = TextAreaField("You said", validators=[DataRequired("Write what they said")])
    we_did = TextAreaField("We did", validators=[DataRequired("Write what was done about it")])
    fed_back_on = DayMonthYearField(
        "Date fed back", validators=[DataRequired("Enter the date it was fed back")]
    )
    finding = SelectField("Finding it relates to", choices=[], validate_choice=False)
