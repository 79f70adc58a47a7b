"""Say the validators' and guards' English messages in the page's language.

The parsers and guards are shared with the API, whose messages stay English; a page shows them
through these patterns, and a message no pattern knows is shown as it is (never hidden).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask_babel import gettext as _

_GUARD_FIELDS = {
    "title": "title",
    "problem it addresses": "problem",
    "description of the commitment": "description",
    "how it will solve the problem": "how_it_solves",
    "relevance to OGP values": "ogp_values",
    "lead implementing agency": "lead_agency",
    "other government actors": "other_actors_government",
    "civil-society and other actors": "other_actors_civil_society",
    "expected results (ambition)": "expected_results",
}


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


def _guard_field(match: re.Match[str]) -> str:
    return field_name(_GUARD_FIELDS.get(match.group(1), match.group(1)))


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"is required$"), lambda m: _("This is required.")),
    (re.compile(r"must not be empty$"), lambda m: _("This must not be empty.")),
    (
        re.compile(r"must be at most (\d+) characters$"),
        lambda m: _("At most %(n)s characters.", n=m.group(1)),
    ),
    (
        re.compile(r"must be a date written YYYY-MM-DD$"),
        lambda m: _("Enter a date (year-month-day)."),
    ),
    (
        re.compile(r"must be after the start date$"),
        lambda m: _("The end must come after the start."),
    ),
    (
        re.compile(r"must not be before the period start$"),
        lambda m: _("The end must not come before the start."),
    ),
    (re.compile(r"must be one of: "), lambda m: _("Choose one of the options.")),
    (re.compile(r"^unknown value"), lambda m: _("Choose among the options.")),
    (
        re.compile(r"must be web addresses"),
        lambda m: _("Each link must be a web address starting with http:// or https://."),
    ),
    (re.compile(r"must be a whole number$"), lambda m: _("Enter a whole number.")),
    (
        re.compile(r"^a vote needs a comment"),
        lambda m: _("Say why you vote this way: a vote needs a comment."),
    ),
    (re.compile(r"^the (.+) is empty$"), lambda m: _("%(field)s is empty.", field=_guard_field(m))),
    (
        re.compile(r"^add at least one milestone"),
        lambda m: _("Add at least one milestone with start and end dates."),
    ),
    (
        re.compile(r"^milestone (\d+) has no start date$"),
        lambda m: _("Milestone %(n)s has no start date.", n=m.group(1)),
    ),
    (
        re.compile(r"^milestone (\d+) has no end date$"),
        lambda m: _("Milestone %(n)s has no end date.", n=m.group(1)),
    ),
    (
        re.compile(r"^milestone (\d+) ends before it starts$"),
        lambda m: _("Milestone %(n)s ends before it starts.", n=m.group(1)),
    ),
    (
        re.compile(r"^comment (\d+)(?: on the (.+))? has no response yet$"),
        lambda m: _("Comment %(n)s has no response yet.", n=m.group(1)),
    ),
    (
        re.compile(r"^no accepted progress report states the completion level"),
        lambda m: _("No accepted progress report states the completion level yet."),
    ),
    (
        re.compile(r"^the completion level is not stated$"),
        lambda m: _("The completion level is not stated."),
    ),
    (
        re.compile(r"^the narrative of what was done is empty$"),
        lambda m: _("The narrative of what was done is empty."),
    ),
    (
        re.compile(r"^its commitment is no longer under implementation"),
        lambda m: _("Its commitment is no longer under implementation."),
    ),
    (re.compile(r"^a comment is required"), lambda m: _("A comment is required.")),
]


def say(message: str) -> str:
    """Return an English validator or guard message in the page's language."""
    for pattern, render in _PATTERNS:
        found = pattern.search(message)
        if found:
            return render(found)
    return message


def say_all(errors: Mapping[str, str]) -> dict[str, str]:
    """Translate every message of an InvalidInput's errors, keeping their keys."""
    return {key: say(message) for key, message in errors.items()}
