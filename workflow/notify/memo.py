"""What a transition's mail tells every recipient, worked out once per language and batch.

The messages of one transition share their log entry, record and plan: everything in the mail
but the recipient's name, language and roles. A dispatcher renders a batch of them in a few
seconds; reading and formatting those shared values once per (log entry, language) spares the
database reads, the date formatting and the definition lookups of each further message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..definitions.messages import Message


class PlanNames(NamedTuple):
    """The plan as the transition templates name it; plain values outlive the session."""

    title: str
    slug: str


@dataclass(frozen=True)
class TransitionFacts:
    """A transition's mail, in one language, as far as it is the same for every recipient."""

    language: str
    workflow_key: str
    to_state: str
    words: Message | None
    # The end of the new stage, formatted; only those asked to act are told it.
    due: str | None
    # Template values: kind, title, plan, event, states, actor, when, comment, headline, link.
    shared: dict[str, Any]


class RenderMemo:
    """Facts by (log entry id, language), for one batch of messages; never the recipient."""

    def __init__(self) -> None:
        self._facts: dict[tuple[int, str], TransitionFacts] = {}

    def facts(
        self, entry_id: int, language: str, work_out: Callable[[], TransitionFacts]
    ) -> TransitionFacts:
        """Return the facts kept for this entry and language, or work them out and keep them."""
        key = (entry_id, language)
        found = self._facts.get(key)
        if found is None:
            found = self._facts[key] = work_out()
        return found
