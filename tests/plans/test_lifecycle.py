"""A commitment's whole life through the operations, as the API and pages drive it."""

import pytest
from sqlalchemy import select

from workflow.engine import GuardFailed, InvalidEvent, NotAllowed, StaleVersion
from workflow.engine.audit import LogEntry
from workflow.extensions import db
from workflow.lifecycle import allowed_events, fire
from workflow.notify.models import OutboxMessage
from workflow.reporting.operations import create_report, fire_report_event
from workflow.reporting.schemas import parse_report
from workflow.review.operations import add_comment, cast_vote, respond_to_comment


def drive_to(commitment, cast, state):
    """Fire the events that take a fresh draft to `state`."""
    steps = [
        ("cso_review", lambda: fire(commitment, "submit", cast.drafter)),
        ("msf_approval", lambda: fire(commitment, "endorse", cast.cso1)),
        (
            "government_signoff",
            lambda: [cast_vote(commitment, m, "approve", "ok") for m in cast.msf[:3]],
        ),
        ("implementation", lambda: fire(commitment, "sign_off", cast.signatory)),
    ]
    for target, step in steps:
        if commitment.state == state:
            return
        step()
        assert commitment.state == target
    assert commitment.state == state


def test_full_life(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    assert (c.state, c.version) == ("draft", 1)
    drive_to(c, cast, "implementation")

    report = create_report(
        c,
        cast.implementer,
        parse_report(
            {
                "period_label": "2024 Q1",
                "period_start": "2024-01-01",
                "period_end": "2024-03-31",
                "completion": "substantial",
                "narrative": "Register designed.",
            },
            creating=True,
        ),
    )
    fire_report_event(report, cast.implementer, "submit", version=report.version, comment=None)
    fire_report_event(report, cast.poc, "accept", version=report.version, comment=None)
    fire(c, "complete", cast.poc, version=c.version)
    assert c.state == "completed"

    events = db.session.scalars(
        select(LogEntry.event)
        .where(LogEntry.record_id == c.id, LogEntry.record_type == "commitment")
        .order_by(LogEntry.seq)
    ).all()
    assert events == ["create", "submit", "endorse", "approve", "sign_off", "complete"]


def test_refusals(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter, problem="", milestones=[])
    with pytest.raises(NotAllowed):
        fire(c, "submit", cast.cso1)
    with pytest.raises(GuardFailed) as exc:
        fire(c, "submit", cast.drafter)
    assert "the problem it addresses is empty" in exc.value.reasons
    assert "add at least one milestone with start and end dates" in exc.value.reasons
    with pytest.raises(InvalidEvent):
        fire(c, "endorse", cast.cso1)
    with pytest.raises(StaleVersion):
        fire(c, "submit", cast.drafter, version=c.version + 1)
    assert c.state == "draft"


def test_notifications_written_for_recipients(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.poc)
    fire(c, "submit", cast.poc)
    to = set(db.session.scalars(select(OutboxMessage.to_address)))
    assert to == {cast.cso1.email, cast.cso2.email}  # the actor (POC and author) is left out


def test_endorse_needs_responses(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    fire(c, "submit", cast.drafter)
    comment = add_comment(c, cast.cso1, "Name the register's owner.", "description")
    with pytest.raises(GuardFailed) as exc:
        fire(c, "endorse", cast.cso2)
    assert exc.value.reasons == [
        f"comment {comment.id} on the description of the commitment has no response yet"
    ]
    respond_to_comment(comment, c, cast.drafter, "The ministry owns it.", "adopted")
    fire(c, "endorse", cast.cso2)
    assert c.state == "msf_approval"
    assert "approve" not in allowed_events(c, cast.msf_gov1)
    with pytest.raises(NotAllowed, match="decided by the vote"):
        fire(c, "approve", cast.poc)


def test_a_comment_on_a_returned_draft_must_be_answered_in_the_next_review(
    cast, create_commitment_
):
    c = create_commitment_(cast.plan, cast.drafter)
    fire(c, "submit", cast.drafter)
    fire(c, "request_changes", cast.cso1, comment="Add a budget.")
    late = add_comment(c, cast.cso2, "And name the owner.", None)
    fire(c, "submit", cast.drafter)
    with pytest.raises(GuardFailed) as exc:
        fire(c, "endorse", cast.cso1)
    assert exc.value.reasons == [f"comment {late.id} has no response yet"]


def test_an_unanswered_comment_outlives_its_round(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    fire(c, "submit", cast.drafter)
    first = add_comment(c, cast.cso1, "Who pays for this?", "description")
    fire(c, "request_changes", cast.cso2, comment="See the comments.")
    fire(c, "submit", cast.drafter)
    with pytest.raises(GuardFailed) as exc:
        fire(c, "endorse", cast.cso1)
    assert exc.value.reasons == [
        f"comment {first.id} on the description of the commitment has no response yet"
    ]


def submitted_report(c, cast):
    """Take a draft to implementation and submit a quarterly report on it."""
    drive_to(c, cast, "implementation")
    values = {
        "period_label": "2024 Q1",
        "period_start": "2024-01-01",
        "period_end": "2024-03-31",
        "completion": "limited",
        "narrative": "Begun.",
    }
    report = create_report(c, cast.implementer, parse_report(values, creating=True))
    fire_report_event(report, cast.implementer, "submit", version=report.version, comment=None)
    return report


def test_reports_stop_when_the_commitment_is_withdrawn(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    report = submitted_report(c, cast)
    fire(c, "withdraw", cast.poc, comment="Merged into another commitment.")
    with pytest.raises(GuardFailed) as exc:
        fire_report_event(report, cast.poc, "accept", version=report.version, comment=None)
    assert exc.value.reasons == [
        "its commitment is no longer under implementation (it is 'withdrawn')"
    ]
    assert report.state == "submitted"


def test_an_edit_that_changes_nothing_writes_nothing(cast, create_commitment_):
    from workflow.plans.operations import update_commitment
    from workflow.plans.schemas import parse_commitment

    c = create_commitment_(cast.plan, cast.drafter)
    same = parse_commitment(
        {
            "version": 1,
            "title": c.title,
            "milestones": [
                {
                    "description": m.description,
                    "start_date": m.start_date.isoformat(),
                    "end_date": m.end_date.isoformat(),
                }
                for m in c.milestones
            ],
        },
        creating=False,
    )
    update_commitment(c, cast.drafter, same, version=1)
    assert (c.version, len(c.revisions)) == (1, 1)
    update_commitment(c, cast.drafter, {"title": "A clearer title"}, version=1)
    assert (c.version, len(c.revisions), c.revisions[-1].content["title"]) == (
        2,
        2,
        "A clearer title",
    )


@pytest.mark.parametrize("how", ["revoke", "deactivate"])
def test_a_smaller_forum_recounts_a_waiting_vote(cast, create_commitment_, how):
    from workflow.accounts.operations import deactivate_user, revoke_role

    c = create_commitment_(cast.plan, cast.drafter)
    fire(c, "submit", cast.drafter)
    fire(c, "endorse", cast.cso1)
    cast_vote(c, cast.msf_gov1, "approve", "Yes.")
    cast_vote(c, cast.msf_cso1, "approve", "Yes.")
    assert c.state == "msf_approval"  # two of four is no majority
    if how == "revoke":
        revoke_role(cast.plan, cast.msf_gov2, "msf_member")
    else:
        deactivate_user(cast.msf_gov2)
    assert c.state == "government_signoff"  # two of three, one from each side
    last = db.session.scalars(
        select(LogEntry)
        .where(LogEntry.record_id == c.id, LogEntry.record_type == "commitment")
        .order_by(LogEntry.seq.desc())
    ).first()
    assert (last.event, last.actor_label) == (
        "approve",
        "MSF vote (recounted after the forum changed)",
    )


def test_a_draft_sent_back_reaches_the_drafters_whoever_wrote_it(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.poc)  # the POC wrote it, not the drafter
    fire(c, "submit", cast.poc)
    fire(c, "request_changes", cast.cso1, comment="Add a budget.")
    mailed = db.session.scalars(
        select(OutboxMessage.to_address)
        .join(LogEntry, LogEntry.id == OutboxMessage.log_entry_id)
        .where(LogEntry.event == "request_changes")
    )
    assert set(mailed) == {cast.drafter.email, cast.poc.email}


def test_a_report_is_not_sent_back_once_its_commitment_is_withdrawn(cast, create_commitment_):
    c = create_commitment_(cast.plan, cast.drafter)
    report = submitted_report(c, cast)
    fire(c, "withdraw", cast.poc, comment="Merged.")
    with pytest.raises(GuardFailed):
        fire_report_event(report, cast.poc, "send_back", version=report.version, comment="Why?")
    assert report.state == "submitted"


def test_a_member_moving_sides_recounts_the_vote(cast, create_commitment_):
    from workflow.accounts.operations import grant_role

    grant_role(cast.plan, cast.outsider, "msf_member", "government")  # 3 + 2 members
    c = create_commitment_(cast.plan, cast.drafter)
    fire(c, "submit", cast.drafter)
    fire(c, "endorse", cast.cso1)
    for member in (cast.msf_gov1, cast.msf_gov2, cast.outsider):
        cast_vote(c, member, "approve", "Yes.")
    assert c.state == "msf_approval"  # a majority, but no approval from civil society
    grant_role(cast.plan, cast.outsider, "msf_member", "civil_society")
    assert c.state == "government_signoff"  # their approval now counts for civil society
