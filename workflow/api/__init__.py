"""JSON API v1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The modules register their routes and handlers on `bp` when imported.
from . import core, openapi, plans, reports, review, workflow  # noqa: E402, F401
