"""Compare two saved revisions of a commitment word by word (difflib)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from ..labels import label
from ..plans.models import TEXT_FIELDS
from .messages import field_name

WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Row:
    """One field of the template: its name, both sides marked up, and whether it changed."""

    name: str
    older: Markup
    newer: Markup
    changed: bool


def _as_text(name: str, content: dict[str, Any]) -> str:
    value = content.get(name)
    if name == "ogp_values":
        return "\n".join(label("ogp_value", v) for v in value or [])
    if name == "milestones":
        return "\n".join(
            f"{i}. {m.get('description', '')} "
            f"({m.get('start_date') or '?'} to {m.get('end_date') or '?'})"
            for i, m in enumerate(value or [], start=1)
        )
    return value or ""


def diff_words(older: str, newer: str) -> tuple[Markup, Markup]:
    """Return both texts as HTML: removed words in <del> on the left, added in <ins> right."""
    a, b = WORDS.findall(older), WORDS.findall(newer)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old, new = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old)
            right.append(new)
            continue
        if i2 > i1:
            left.append(Markup("<del>") + old + Markup("</del>"))
        if j2 > j1:
            right.append(Markup("<ins>") + new + Markup("</ins>"))
    return Markup("").join(left), Markup("").join(right)


def compare(older: dict[str, Any], newer: dict[str, Any]) -> list[Row]:
    """Return a row per template field and the milestones, in the template's order."""
    rows = []
    for name in (*TEXT_FIELDS, "ogp_values", "milestones"):
        a, b = _as_text(name, older), _as_text(name, newer)
        left, right = diff_words(a, b)
        title = field_name(name) if name != "milestones" else None
        rows.append(Row(title or "", left, right, a != b))
    return rows
