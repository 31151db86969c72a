"""Forms for reviews, members, agencies and people."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from analysis.taxonomy import AGENCY_SECTORS, PERSON_ROLES, REVIEW_TYPES, STAGES
from app.forms import DayMonthYearField, select_choices
from app.policy import ROLES


class ReviewForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    subject = StringField(
        "Pseudonym of the child or adult at the centre",
        validators=[DataRequired("Enter the pseudonym, for example Child Q"), Length(max=100)],
    )
    review_type = SelectField("Type of review", choices=select_choices(REVIEW_TYPES))
    stage = SelectField("Stage", choices=select_choices(STAGES), default="scoping")
    incident_known_on = DayMonthYearField(
        "Date the serious incident became known", validators=[Optional()]
    )
    period_start = DayMonthYearField("Period under review: from", validators=[Optional()])
    period_end = DayMonthYearField("Period under review: to", validators=[Optional()])
    terms_of_reference = TextAreaField("Terms of reference", validators=[Optional()])
    version = HiddenField()

    def data_for_service(self) -> dict[str, object]:
        return {
            "title": self.title.data,
            "subject": self.subject.data,
            "review_type": self.review_type.data,
            "stage": self.stage.data,
            "incident_known_on": self.incident_known_on.data,
            "period_start": self.period_start.data,
            "period_end": self.period_end.data,
            "terms_of_reference": self.terms_of_reference.data or "",
        }


class MemberForm(FlaskForm):
    email = EmailField(
        "Email address of the user", validators=[DataRequired("Enter an email address")]
    )
    role = SelectField("Role", choices=select_choices(ROLES))
    agency = SelectField("Agency (for an agency representative)", choices=[], validate_choice=False)


class AgencyForm(FlaskForm):
    name = StringField(
        "Agency name", validators=[DataRequired("Enter the agency's name"), Length(max=200)]
    )
    sector = SelectField(
        "Sector",
        choices=select_choices([("", "Choose a sector"), *[(s, s) for s in AGENCY_SECTORS]]),
    )


class PersonForm(FlaskForm):
    pseudonym = StringField(
        "Pseudonym",
        validators=[DataRequired("Enter the pseudonym used in every output"), Length(max=200)],
    )
    role = SelectField("Role in the case", choices=select_choices(PERSON_ROLES))
    agency = SelectField("Agency (for a practitioner)", choices=[], validate_choice=False)
    real_name = StringField("Real name (restricted)", validators=[Optional(), Length(max=200)])
    aliases = TextAreaField("Other names, nicknames and spellings (restricted), one per line")
    date_of_birth = StringField("Date of birth (restricted)", validators=[Optional()])
    version = HiddenField()


class BundleUploadForm(FlaskForm):
    bundle = FileField("Review bundle (JSON)", validators=[FileRequired("Choose a bundle file")])


class AuditFilterForm(FlaskForm):
    """The audit trail's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    person = SelectField("Person", default="")
    kind = SelectField("Kind", default="")
    date_from = DayMonthYearField("From (UTC day)", validators=[Optional()])
    date_to = DayMonthYearField("To (UTC day)", validators=[Optional()])

    def validate_date_to(self, field: DayMonthYearField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be on or after the start date")
