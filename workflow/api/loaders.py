"""Load a record by id for the caller: 404 when it is missing or on a plan they may not see."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..accounts.permissions import can_view_plan
from ..errors import NotFound
from ..plans import queries as plan_queries
from ..plans.models import ActionPlan, Commitment
from ..reporting import queries as report_queries
from ..reporting.models import ProgressReport
from ..review import queries as review_queries
from ..review.models import Comment
from .core import current_user


def visible_plan(plan_id: int) -> ActionPlan:
    """Return a plan the caller may see, or raise NotFound."""
    plan = plan_queries.get_plan(plan_id)
    if plan is None or not can_view_plan(current_user(), plan):
        raise NotFound(_l("there is no action plan %(id)s that you can see", id=plan_id))
    return plan


def visible_commitment(commitment_id: int) -> Commitment:
    """Return a commitment the caller may see, or raise NotFound."""
    commitment = plan_queries.get_commitment(commitment_id)
    if commitment is None or not can_view_plan(current_user(), commitment.plan):
        raise NotFound(_l("there is no commitment %(id)s that you can see", id=commitment_id))
    return commitment


def visible_comment(comment_id: int) -> tuple[Comment, Commitment]:
    """Return a comment the caller may see with its commitment, or raise NotFound."""
    comment = review_queries.get_comment(comment_id)
    commitment = plan_queries.get_commitment(comment.commitment_id) if comment else None
    if commitment is None or not can_view_plan(current_user(), commitment.plan):
        raise NotFound(_l("there is no comment %(id)s that you can see", id=comment_id))
    return comment, commitment


def visible_report(report_id: int) -> ProgressReport:
    """Return a progress report the caller may see, or raise NotFound."""
    report = report_queries.get_report(report_id)
    if report is None or not can_view_plan(current_user(), report.plan):
        raise NotFound(_l("there is no progress report %(id)s that you can see", id=report_id))
    return report
