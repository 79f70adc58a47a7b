"""How the words of OGP's commitment data map onto ratings, and back.

OGP renamed its scales over the years, so each rating keeps the scale it was made on:
`verifiability` (verifiable, not verifiable), `relevance` (relevant to OGP values or not),
`ambition_low_high` (the "ambition or potential impact" column of OGP's commitment data, low or
high), `potential_for_results` (unclear, modest, substantial), `potential_impact_legacy` (none,
minor, moderate, transformative), `completion_irm` (no evidence available, not started, limited,
substantial, complete) and `early_results` (worsened, did not change, marginal, major,
outstanding).
"""

from __future__ import annotations

from ..plans.models import OGP_VALUES
from ..reporting.scales import (
    COMPLETION_IRM,
    EARLY_RESULTS,
    POTENTIAL_FOR_RESULTS,
    POTENTIAL_IMPACT_LEGACY,
)

# Words the data uses for "no rating yet": they record nothing.
UNKNOWN = {"", "na", "n/a", "pending irm review", "no irm data", "no data", "not assessed"}

# The CSV column of each measure.
COLUMNS = {
    "verifiability": "verifiable",
    "relevance": "relevant",
    "potential": "ambition_or_potential_impact",
    "completion": "completion",
    "early_results": "early_results",
}


def _words(values: tuple[str, ...]) -> dict[str, str]:
    return {v.replace("_", " "): v for v in values}


# measure -> scale -> {word as OGP writes it, lowercased: stored value}
SCALES: dict[str, dict[str, dict[str, str]]] = {
    "verifiability": {
        "verifiability": {"yes": "verifiable", "no": "not_verifiable", "verifiable": "verifiable"}
    },
    "relevance": {"relevance": {"yes": "relevant", "no": "not_relevant"}},
    "potential": {
        "ambition_low_high": {"low": "low", "high": "high"},
        "potential_for_results": _words(POTENTIAL_FOR_RESULTS),
        "potential_impact_legacy": _words(POTENTIAL_IMPACT_LEGACY),
    },
    "completion": {"completion_irm": {**_words(COMPLETION_IRM), "completed": "complete"}},
    "early_results": {"early_results": _words(EARLY_RESULTS)},
}

# OGP's names for its values, as the `relevant` column lists them.
VALUE_WORDS = {
    "access to information": "access_to_information",
    "civic participation": "civic_participation",
    "public accountability": "public_accountability",
    "technology": "technology_and_innovation",
    "technology and innovation": "technology_and_innovation",
    "technology and innovation for transparency and accountability": "technology_and_innovation",
}
assert set(VALUE_WORDS.values()) <= set(OGP_VALUES)


def read_rating(measure: str, word: str) -> tuple[str, str] | None:
    """Return (scale, value) for a word of OGP's data; None when it says "not rated yet".

    Raise ValueError naming the accepted words when the word is on no scale.
    """
    key = " ".join(word.strip().lower().split())
    if key in UNKNOWN:
        return None
    for scale, words in SCALES[measure].items():
        if key in words:
            return scale, words[key]
    accepted = sorted({w for words in SCALES[measure].values() for w in words})
    raise ValueError(f"'{word}' is not a level of {measure} (accepted: {', '.join(accepted)})")


def read_relevance(word: str) -> tuple[tuple[str, str] | None, list[str]]:
    """Read the `relevant` column: Yes/No, or the OGP values it is relevant to (a;b;c)."""
    parts = [p.strip().lower() for p in word.split(";") if p.strip()]
    if parts and all(p in VALUE_WORDS for p in parts):
        values = [VALUE_WORDS[p] for p in parts]
        return ("relevance", "relevant"), [v for v in OGP_VALUES if v in values]
    return read_rating("relevance", word), []


def write_rating(measure: str, scale: str, value: str) -> str:
    """Return the word OGP's data uses for a stored rating (the inverse of read_rating)."""
    for word, stored in SCALES[measure].get(scale, {}).items():
        if stored == value:
            return _title(word)
    return value


def _title(word: str) -> str:
    return " ".join(w.capitalize() for w in word.split())
