"""The one engine, with the shipped workflows loaded into it."""

from ..accounts.roles import PLAN_ROLES
from ..engine import Engine
from .commitment import COMMITMENT
from .guards import GUARDS
from .progress_report import PROGRESS_REPORT

engine = Engine(roles=PLAN_ROLES, guards=GUARDS)
engine.register(COMMITMENT)
engine.register(PROGRESS_REPORT)

__all__ = ["engine"]
