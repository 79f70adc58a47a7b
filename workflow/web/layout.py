"""What every page's layout needs: the language, the navigation, addresses of static files."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.permissions import can_manage_accounts
from ..labels import label
from . import language

# (endpoint, text, who sees it): one row per entry of the header's navigation.
NAVIGATION: list[tuple[str, Any, str]] = [
    ("web.index", _l("Action plans"), "everyone"),
    ("work.my_work", _l("My work"), "signed_in"),
    ("monitor.pipeline", _l("Pipeline"), "signed_in"),
    ("account.settings", _l("Your account"), "signed_in"),
    ("admin.accounts", _l("Accounts"), "admin"),
    ("admin.organisations", _l("Organisations"), "admin"),
]


def init_layout(app: Flask) -> None:
    """Give every template the layout's helpers; remember a `?lang=` choice."""
    from .errors import init_errors

    app.context_processor(page_context)
    init_errors(app)
    app.after_request(language.remember_asked_language)


def page_context() -> dict[str, Any]:
    """Return the names every template may use."""
    return {
        "lang": str(get_locale() or "en"),
        "label": label,
        "nav_links": nav_links,
        "static_url": static_url,
        "language_names": language.language_names(),
        "language_url": language.language_url,
    }


def nav_links() -> list[tuple[str, str]]:
    """Return the (endpoint, text) navigation entries the current visitor may follow."""
    signed_in = bool(current_user.is_authenticated)
    shown = {
        "everyone": True,
        "signed_in": signed_in,
        "admin": signed_in and can_manage_accounts(current_user),
    }
    return [
        (endpoint, str(text))
        for endpoint, text, who in NAVIGATION
        if shown[who] and endpoint in current_app.view_functions
    ]


def static_url(filename: str) -> str:
    """Return the address of a static file, versioned by its content so caches never serve old."""
    folder = Path(current_app.static_folder or "")
    path = folder / filename
    return url_for("static", filename=filename, v=_digest(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=64)
def _digest(path: str, _mtime: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
