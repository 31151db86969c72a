"""Forms for register entries and for recording where an entry was shared."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from analysis.taxonomy import FOUR_D_PROMPTS, GOOD_PRACTICE_SOURCES
from app.forms import select_choices


class EntryForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the entry a short title"), Length(max=300)]
    )
    story = TextAreaField("The story", validators=[DataRequired("Tell the story of what happened")])
    what_made_it_work = TextAreaField("What made it work", validators=[Optional()])
    source = SelectField("Where it came from", choices=select_choices(GOOD_PRACTICE_SOURCES))
    agency = SelectField("Agency", choices=[], validate_choice=False)
    themes = StringField(
        "Themes",
        validators=[Optional(), Length(max=600)],
        render_kw={"autocomplete": "off"},
    )
    consent_to_share = BooleanField("Consent to share has been given")
    events = SelectMultipleField("Events", choices=[], validate_choice=False)
    factors = SelectMultipleField("Protective factors", choices=[], validate_choice=False)
    account = HiddenField()
    version = HiddenField()


# One text area per 4-D prompt, named four_d_<key>.
for _key, _question in FOUR_D_PROMPTS.items():
    setattr(EntryForm, f"four_d_{_key}", TextAreaField(_question, validators=[Optional()]))


class ShareForm(FlaskForm):
    where = StringField(
        "Where it was shared",
        validators=[DataRequired("Say where it was shared"), Length(max=200)],
        render_kw={"list": "share-places", "autocomplete": "off"},
    )
    # InputRequired, not DataRequired: a date that is not real ("2025-02-30") is reported as
    # such rather than as missing. The service checks it is not in the future nor before
    # the entry was approved.
    # WTForms 3.3 added invalid_value_message; types-WTForms (stubs for 3.2) lacks it.
    on = DateField(  # type: ignore[call-arg]
        "Date shared",
        validators=[InputRequired("Enter the date it was shared")],
        invalid_value_message="Enter a real date, for example 12 June 2025",
    )
