"""Configuration: layers, and a secret key that is never in the repository."""

import os
import stat
from concurrent.futures import ThreadPoolExecutor

from workflow import create_app
from workflow.config import _instance_secret, normalise_database_url


def test_a_generated_secret_key_is_private_and_stable(tmp_path):
    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: _instance_secret(path), range(16)))
    assert len(keys) == 1
    assert len(keys.pop()) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("COCREATE_MAIL_PORT", "587")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["MAIL_PORT"] == 587
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_postgres_urls_use_psycopg():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
