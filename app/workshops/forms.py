"""Forms for planning a workshop, and the participants' forms (join, note, proposal, vote)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import DayMonthYearField, select_choices
from app.services.workshops import GRAPH_VIEWS, MAX_VOTES


class WorkshopForm(FlaskForm):
    """Every field may be left empty: the service fills in today, the whole review, the
    local-rationality prompts and three votes."""

    title = StringField("Title", validators=[Optional(), Length(max=200)])
    held_on = DayMonthYearField("Date", validators=[Optional()])
    kpes = SelectMultipleField("Key practice episodes", choices=[], validate_choice=False)
    graph_views = SelectMultipleField(
        "Graph views", choices=select_choices(GRAPH_VIEWS), validate_choice=False
    )
    agenda = TextAreaField("Agenda", validators=[Optional()])
    questions = TextAreaField("Questions for the room (one a line)", validators=[Optional()])
    votes_per_participant = IntegerField(
        "Votes per participant",
        validators=[
            Optional(),
            NumberRange(0, MAX_VOTES, f"Votes per participant is a number from 0 to {MAX_VOTES}"),
        ],
    )
    version = HiddenField()


class AcceptNoteForm(FlaskForm):
    text = TextAreaField(
        "The note as it goes into the review",
        validators=[
            DataRequired("Write the note as it should go into the review"),
            Length(max=2000, message="Keep a note under 2,000 characters"),
        ],
    )
