"""Set up an action plan from untrusted input (the command line). Flush, never commit."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from ..engine.gate import MAJORITY_WITH_PARITY, RULES
from ..errors import Conflict
from ..extensions import db
from ..validation import Checker
from .models import REPORTING_CYCLES, ActionPlan

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def create_plan(
    *,
    slug: str,
    country: str,
    title: str,
    period_start: str | date,
    period_end: str | date,
    reporting_cycle: str = "quarterly",
    approval_rule: str = MAJORITY_WITH_PARITY,
    is_public: bool = True,
) -> ActionPlan:
    """Create a plan; raise InvalidInput naming every bad value, Conflict for a taken slug."""
    check = Checker(
        {
            "slug": slug,
            "country": country,
            "title": title,
            "period_start": _iso(period_start),
            "period_end": _iso(period_end),
            "reporting_cycle": reporting_cycle,
            "approval_rule": approval_rule,
        }
    )
    slug_ = check.text("slug", required=True, blank=False, max_length=80)
    if slug_ and not SLUG.fullmatch(slug_):
        # The slug names the plan in addresses and commands: keep it plain.
        check.error("slug", "must be lowercase letters, digits and single hyphens (nap-5-2024)")
    values = {
        "slug": slug_,
        "country": check.text("country", required=True, blank=False, max_length=100),
        "title": check.text("title", required=True, blank=False, max_length=300),
        "period_start": check.day("period_start", required=True),
        "period_end": check.day("period_end", required=True),
        "reporting_cycle": check.choice("reporting_cycle", REPORTING_CYCLES, required=True),
        "approval_rule": check.choice("approval_rule", RULES, required=True),
    }
    start, end = values["period_start"], values["period_end"]
    if start and end and end <= start:
        check.error("period_end", "must be after the start date")
    check.done()
    if db.session.scalar(select(ActionPlan.id).where(ActionPlan.slug == slug_)) is not None:
        raise Conflict(f"a plan with the slug '{slug_}' exists already; choose another slug")
    plan = ActionPlan(**values, is_public=bool(is_public))
    db.session.add(plan)
    db.session.flush()
    return plan


def _iso(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else value
