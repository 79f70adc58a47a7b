"""Error pages in the site's layout and language, so a refusal still offers a way on."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .auth import csrf_refused

# What each refusal means to a person; a view's own description, when it gives one, comes first.
EXPLANATIONS = {
    400: _l("The request could not be understood. Go back, reload the page and try again."),
    403: _l("Your roles do not allow this. The plan's point of contact can give you a role."),
    404: _l("There is nothing here, or nothing you may see."),
    405: _l("This address does not take this kind of request."),
}
TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not allowed"),
}


def init_errors(app: Flask) -> None:
    """Render the page errors (not the API's, which answer JSON) with the layout."""
    for code in EXPLANATIONS:
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, lambda exc: error_page(csrf_refused(exc)))


def error_page(exc: HTTPException):
    """Render an HTTP error as a page."""
    if request.blueprint == "api":  # never reached for API errors, which have their handler
        return exc
    code = exc.code or 500
    # Werkzeug's default descriptions are English and technical: only a view's own one shows.
    own = exc.description if exc.description != type(exc).description else None
    page = render_template(
        "errors/http.html",
        code=code,
        title=TITLES.get(code, exc.name),
        explanation=own or EXPLANATIONS.get(code, ""),
    )
    return page, code
