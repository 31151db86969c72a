"""What a workshop's participants fill in: joining, notes, proposals and votes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from analysis.taxonomy import FACTOR_TYPES, SYSTEM_LEVELS
from app.forms import select_choices
from app.services.workshops import NOTE_PROMPTS


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
