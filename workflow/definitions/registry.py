"""The one engine, with the shipped workflows loaded into it."""

from ..accounts.roles import PLAN_ROLES
from ..engine import Engine
from ..plans.models import Commitment
from ..reporting.models import ProgressReport
from .commitment import COMMITMENT
from .guards import GUARDS
from .progress_report import PROGRESS_REPORT

engine = Engine(roles=PLAN_ROLES, guards=GUARDS)
engine.register(COMMITMENT)
engine.register(PROGRESS_REPORT)
engine.track(Commitment, ProgressReport)

__all__ = ["engine"]
