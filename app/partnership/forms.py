"""Forms of the partnership's views: milestones met, an action's tracking, pattern decisions."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
)

from analysis.milestones import MILESTONE_LABELS
from app.forms import DayMonthYearField, select_choices

RAG_CHOICES = {"": "No change", "red": "Red", "amber": "Amber", "green": "Green"}


class MilestoneForm(FlaskForm):
    milestone = SelectField("Milestone", choices=select_choices(MILESTONE_LABELS))
    done_on = DayMonthYearField("Date it was met", validators=[Optional()])
    clear = BooleanField("Clear this milestone (it was recorded by mistake)")

    def validate(self, extra_validators: Any = None) -> bool:
        """A date is needed unless the milestone is being cleared."""
        valid = bool(super().validate(extra_validators))
        if valid and self.done_on.data is None and not self.clear.data:
            self.done_on.errors = [*self.done_on.errors, "Enter the date the milestone was met"]
            return False
        return valid


class ProgressForm(FlaskForm):
    note = TextAreaField("Progress note", validators=[DataRequired("Write what has happened")])
    rag = SelectField("RAG status", choices=select_choices(RAG_CHOICES))
    noted_on = DayMonthYearField("Date of the note", validators=[Optional()])


class DueDateForm(FlaskForm):
    due = DayMonthYearField("New due date", validators=[Optional()])
    remove = BooleanField(
        "Remove the due date (the action will have no date and cannot be overdue)"
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """An empty date is refused: removing the due date is an explicit choice."""
        valid = bool(super().validate(extra_validators))
        if valid and self.due.data is None and not self.remove.data:
            self.due.errors = [
                *self.due.errors,
                'Enter the new due date, or tick "Remove the due date" to leave it without one',
            ]
            return False
        return valid


class TrackingForm(FlaskForm):
    lead = StringField("Named lead", validators=[Optional(), Length(max=200)])
    success_measure = TextAreaField("Success measure", validators=[Optional()])
    owner = SelectField("Owner agency", choices=[], validate_choice=False)


class PatternDecisionForm(FlaskForm):
    kind = SelectField(
        "Decision",
        choices=select_choices(
            {"confirm": "Confirm", "rename": "Rename", "split": "Split", "merge": "Merge"}
        ),
    )
    factors = HiddenField()
    apart = HiddenField()
    label = StringField("Label", validators=[Optional(), Length(max=300)])
