"""Forms for planning a workshop, and the participants' forms (join, note, proposal, vote)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.forms import DayMonthYearField, select_choices
from app.services.workshops import GRAPH_VIEWS, MAX_VOTES, NOTE_PROMPTS


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


class JoinForm(FlaskForm):
    code = StringField(
        "Workshop code",
        validators=[DataRequired("Enter the code on the screen"), Length(max=20)],
    )
    name = StringField(
        "Your name for the room (optional)",
        validators=[Optional(), Length(max=60)],
    )


class NoteForm(FlaskForm):
    node = HiddenField(validators=[DataRequired()])
    prompt = RadioField(
        "What does your note answer?", choices=select_choices(NOTE_PROMPTS), default="made_likely"
    )
    text = TextAreaField("Your note", validators=[DataRequired("Write the note"), Length(max=2000)])


class ProposalForm(FlaskForm):
    label = StringField(
        "The factor in a few words",
        validators=[DataRequired("Give the factor a short label"), Length(max=300)],
    )
    # No kind or level is chosen for the participant: they pick one themselves.
    type = SelectField(
        "Kind of factor",
        choices=select_choices([("", "Choose the kind of factor"), *FACTOR_TYPES.items()]),
        validators=[DataRequired("Choose the kind of factor")],
    )
    level = SelectField(
        "Where in the system",
        choices=select_choices([("", "Choose where in the system"), *SYSTEM_LEVELS.items()]),
        validators=[DataRequired("Choose where in the system")],
    )
    description = TextAreaField("Say more (optional)", validators=[Optional()])


class VoteForm(FlaskForm):
    node = HiddenField(validators=[DataRequired()])


class UpvoteForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired(), AnyOf(("note", "proposal"))])
    item = HiddenField(validators=[DataRequired()])


class AcceptNoteForm(FlaskForm):
    text = TextAreaField(
        "The note as it goes into the review",
        validators=[
            DataRequired("Write the note as it should go into the review"),
            Length(max=2000, message="Keep a note under 2,000 characters"),
        ],
    )
