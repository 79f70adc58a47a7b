"""The names of the commitment template's fields, as the pages label them."""

from __future__ import annotations

from flask_babel import gettext as _


def field_name(name: str) -> str:
    """Return the translated label of a commitment template field."""
    names = {
        "title": _("Title"),
        "problem": _("Problem it addresses"),
        "description": _("Description"),
        "how_it_solves": _("How it will solve the problem"),
        "ogp_values": _("Relevance to OGP values"),
        "lead_agency": _("Lead agency"),
        "other_actors_government": _("Other government actors"),
        "other_actors_civil_society": _("Civil-society and other actors"),
        "expected_results": _("Expected results (ambition)"),
    }
    return names.get(name, name.replace("_", " "))
