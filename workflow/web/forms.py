"""The pages' forms; Flask-WTF adds a CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from ..accounts.operations import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            InputRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=1000, message=_l("A password has at most 1000 characters.")),
        ],
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    # Where to go afterwards; checked by `local_target` before it is followed.
    next = HiddenField()


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password, typed twice."""
    return (
        PasswordField(
            _l("New password"),
            validators=[
                InputRequired(_l("Choose a password.")),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=1000,
                    message=_l(
                        "A password has between %(min)d and %(max)d characters.",
                        min=MIN_PASSWORD_LENGTH,
                        max=1000,
                    ),
                ),
            ],
        ),
        PasswordField(
            _l("The new password again"),
            validators=[
                InputRequired(_l("Type the new password a second time.")),
                EqualTo("password", message=_l("The two passwords differ; type them again.")),
            ],
        ),
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            InputRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
        ],
    )


class NewPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            InputRequired(_l("Enter your current password.")),
            Length(max=1000, message=_l("A password has at most 1000 characters.")),
        ],
    )
    password, confirm = _new_password_fields()
