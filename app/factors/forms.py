"""Forms for accounts and factors."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from analysis.taxonomy import (
    CONTRIBUTOR_KINDS,
    CONTRIBUTORY_CATEGORIES,
    FACTOR_TYPES,
    LOCAL_RATIONALITY_PROMPTS,
    SCIE_PATTERNS,
    SEIPS_COMPONENTS,
    SYSTEM_LEVELS,
)
from app.forms import DayMonthYearField, SelectChoice, select_choices


def _optional(choices: dict[str, str]) -> list[SelectChoice]:
    return select_choices([("", "Not chosen"), *choices.items()])


class AccountForm(FlaskForm):
    contributor_kind = SelectField(
        "Who gave the account", choices=select_choices(CONTRIBUTOR_KINDS)
    )
    contributor = SelectField(
        "The person (from the people register)", choices=[], validate_choice=False
    )
    contributor_role = StringField("Or their role", validators=[Optional(), Length(max=200)])
    taken_on = DayMonthYearField("Date taken", validators=[Optional()])
    consent_to_quote = BooleanField("They agreed to be quoted")
    narrative = TextAreaField("Their account in their own words")
    events = SelectMultipleField("Events it speaks about", choices=[], validate_choice=False)
    version = HiddenField()


# One text area per local-rationality prompt, named prompt_<key>.
for _key, _question in LOCAL_RATIONALITY_PROMPTS.items():
    setattr(AccountForm, f"prompt_{_key}", TextAreaField(_question, validators=[Optional()]))


class FactorForm(FlaskForm):
    label = StringField(
        "Label", validators=[DataRequired("Give the factor a short label"), Length(max=300)]
    )
    type = SelectField("Kind of factor", choices=select_choices(FACTOR_TYPES))
    level = SelectField("System level", choices=select_choices(SYSTEM_LEVELS))
    description = TextAreaField("Description", validators=[Optional()])
    condition = StringField(
        "Latent condition in the partnership's library",
        validators=[Optional(), Length(max=300)],
        render_kw={"list": "condition-library", "autocomplete": "off"},
    )
    scie_pattern = SelectField("SCIE pattern", choices=_optional(SCIE_PATTERNS))
    seips_component = SelectField(
        "Work-system component (SEIPS)", choices=_optional(SEIPS_COMPONENTS)
    )
    contributory_category = SelectField(
        "Contributory factor category", choices=_optional(CONTRIBUTORY_CATEGORIES)
    )
    version = HiddenField()


EVIDENCE_ROWS = 4  # empty evidence rows offered in the factor form
