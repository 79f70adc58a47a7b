"""Forms of the members and administration pages: invite, give roles, accounts, organisations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.operations import normalise_email
from ..accounts.roles import MSF_MEMBER, PLAN_ROLES, SECTORS
from ..errors import InvalidInput
from ..labels import ROLE_NAMES, SECTOR_LABELS


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes: usable without script, one label per box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _email_field() -> EmailField:
    return EmailField(
        _l("Email address"),
        validators=[
            InputRequired(_l("Enter an email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
        ],
    )


def _name_field() -> StringField:
    return StringField(
        _l("Name"),
        validators=[
            Optional(),
            Length(max=200, message=_l("A name has at most 200 characters.")),
        ],
    )


def _language_field() -> SelectField:
    return SelectField(
        _l("Language of the mail"),
        # Each language under its own name, marked as such for screen readers.
        choices=[
            SelectChoice(code, name, render_kw={"lang": code})
            for code, name in (("en", "English"), ("mn", "Монгол"))
        ],
        default="en",
    )


class InviteForm(FlaskForm):
    email = _email_field()
    name = _name_field()
    roles = MultiCheckboxField(
        _l("Roles on this plan"),
        choices=[SelectChoice(role, ROLE_NAMES[role]) for role in PLAN_ROLES],
    )
    # Checked here rather than by the field: it is needed only when an MSF member is invited.
    sector = RadioField(
        _l("Side of the forum (for MSF members)"),
        choices=[SelectChoice(sector, SECTOR_LABELS[sector]) for sector in SECTORS],
        validate_choice=False,
    )
    language = _language_field()

    def validate_email(self, field: EmailField) -> None:
        _check_address(field)

    def validate_roles(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))

    def validate_sector(self, field: RadioField) -> None:
        if field.data and field.data not in SECTORS:
            raise ValidationError(_l("Choose one of the two sides."))
        if MSF_MEMBER in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("An MSF member sits on one side: choose it."))


def _check_address(field: EmailField) -> None:
    try:
        normalise_email(field.data or "")
    except InvalidInput:
        raise ValidationError(_l("This is not a valid email address.")) from None


class AccountForm(FlaskForm):
    email = _email_field()
    name = _name_field()
    organisation = SelectField(_l("Organisation"), coerce=int, default=0)
    language = _language_field()
    is_admin = BooleanField(_l("Administrator (manages accounts and sees every plan)"))

    def validate_email(self, field: EmailField) -> None:
        _check_address(field)


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name of the organisation"),
        validators=[
            InputRequired(_l("Enter the organisation's name.")),
            Length(max=300, message=_l("A name has at most 300 characters.")),
        ],
    )
    sector = RadioField(
        _l("Sector"),
        choices=[SelectChoice(sector, SECTOR_LABELS[sector]) for sector in SECTORS],
        validators=[InputRequired(_l("Choose the sector."))],
    )
