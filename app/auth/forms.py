"""Sign-in forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class TwoFactorForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[DataRequired("Enter the code")],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired("Enter a password of at least 12 characters")]
    )


class SingleSignOnForm(FlaskForm):
    sso_email = EmailField(
        "Work email address", validators=[DataRequired("Enter your work email address")]
    )
