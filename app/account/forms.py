"""Account forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password")]
    )
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm_password = PasswordField(
        "New password again",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("new_password", "The two new passwords do not match"),
        ],
    )


class TotpForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app", validators=[DataRequired("Enter the code")]
    )


class TokenForm(FlaskForm):
    name = StringField(
        "What the token is for",
        validators=[DataRequired("Name the token, for example 'import script'"), Length(max=100)],
    )
    # Asked for when the session has not passed a second factor in the last 15 minutes.
    code = StringField("Code from your authenticator app", validators=[Optional()])
