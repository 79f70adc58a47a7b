"""The upload form for OGP's commitment data; Flask-WTF adds its CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file with OGP's commitment columns"),
        validators=[FileRequired(_l("Choose a CSV file to import."))],
    )
    skip_invalid = BooleanField(_l("Import the valid rows even if some are rejected"))
