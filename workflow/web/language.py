"""Which language a page speaks, and the switch in every page's header (no script needed)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from ..extensions import db
from .auth import local_target

COOKIE = "cocreate_language"
# Each language is offered under its own name, whatever the page's language.
NAMES = {"en": "English", "mn": "Монгол"}


def select_locale() -> str | None:
    """Choose: ?lang=, then the account's setting, then the cookie, then the browser's."""
    if not request:
        return None
    languages = current_app.config["LANGUAGES"]
    if request.blueprint == "api":
        # API callers say what they read with Accept-Language; else their account's language.
        wanted = request.accept_languages.best_match(languages)
        if wanted:
            return wanted
        user = g.get("api_user")
        return user.language if user is not None and user.language in languages else None
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    remembered = request.cookies.get(COOKIE)
    if remembered in languages:
        return remembered
    return request.accept_languages.best_match(languages)


def language_names() -> list[tuple[str, str]]:
    """Return (code, name) for each language offered."""
    return [(code, NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


def language_url(code: str) -> str:
    """Return this page's address in another language (`?lang=`, the rest of the query kept)."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return urlunsplit(("", "", request.path, urlencode([*query, ("lang", code)]), ""))


def switch_language() -> Response:
    """Remember the chosen language (account and cookie) and go back to the page."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated and current_user.language != language:
        current_user.language = language
        db.session.commit()
    target = _without_lang(local_target(request.form.get("next")) or url_for("web.index"))
    response = redirect(target)
    remember(response, language)
    return response


def remember_asked_language(response: Response) -> Response:
    """Keep a `?lang=` choice in the cookie, so the next page speaks it too."""
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"] and request.cookies.get(COOKIE) != asked:
        remember(response, asked)
    return response


def remember(response: Response, language: str) -> None:
    """Set the language cookie for a year."""
    response.set_cookie(
        COOKIE,
        language,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def _without_lang(target: str) -> str:
    # A `lang` left in the address would override the choice just made.
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))
