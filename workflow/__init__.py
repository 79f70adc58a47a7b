"""Cocreate: co-creation and approval workflows for open-government action plans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import refresh
from werkzeug.routing import IntegerConverter

from .config import load_config
from .database import configure_engine, reset_read_only, set_read_only
from .extensions import babel, csrf, db, login_manager, mail, migrate
from .schema import MAX_ID

ROOT = Path(__file__).resolve().parent.parent


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a whole number that fits the database's id columns."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides every other layer (tests pass a dict)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
        instance_path=(config or {}).get("INSTANCE_PATH"),
    )
    load_config(app, config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    mail.init_app(app)
    csrf.init_app(app)
    from .web.language import select_locale

    babel.init_app(app, locale_selector=select_locale)

    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    # A number too large for an id matches no route (404), never an overflow in the database.
    app.url_map.converters["int"] = IdConverter
    _register_models()
    from .definitions.registry import engine

    app.extensions["workflow_engine"] = engine
    _register_blueprints(app)
    _register_cli(app)
    _register_request_hooks(app)

    if app.config["NOTIFY_BACKGROUND"]:
        from .notify.background import start_background_dispatcher

        start_background_dispatcher(app)
    return app


def _register_models() -> None:
    # Import every model module so the metadata (and Alembic) sees all tables.
    from .accounts import models as _accounts  # noqa: F401
    from .engine import audit as _audit  # noqa: F401
    from .monitor import models as _monitor  # noqa: F401
    from .notify import models as _notify  # noqa: F401
    from .plans import models as _plans  # noqa: F401
    from .reporting import models as _reporting  # noqa: F401
    from .review import models as _review  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from .accounts.auth import init_auth
    from .api import bp as api_bp
    from .monitor.views import bp as monitor_bp
    from .web.account import bp as account_bp
    from .web.admin import bp as admin_bp
    from .web.layout import init_layout
    from .web.members import bp as members_bp
    from .web.security import init_security
    from .web.views import bp as web_bp
    from .web.work import bp as work_bp

    init_auth(app)
    init_security(app)
    init_layout(app)
    csrf.exempt(api_bp)  # bearer tokens, never cookies: no cross-site request can carry one
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    from .notify.pages import bp as notifications_bp
    from .notify.views import bp as notify_bp

    app.register_blueprint(notify_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(work_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(monitor_bp)


def _register_cli(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .demo.cli import demo_cli
    from .engine.cli import audit_cli
    from .monitor import cli as _monitor_cli  # noqa: F401 (adds `plans import`)
    from .notify.cli import notify_cli
    from .plans.cli import plans_cli

    for group in (users_cli, plans_cli, demo_cli, audit_cli, notify_cli):
        app.cli.add_command(group)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _mark_read_only() -> None:
        g._read_only_token = set_read_only(request.method in SAFE_METHODS)
        # Each request picks its own language, even where an app context outlives requests.
        refresh()

    @app.teardown_request
    def _reset_read_only(_exc: BaseException | None) -> None:
        token = g.pop("_read_only_token", None)
        if token is not None:
            reset_read_only(token)
