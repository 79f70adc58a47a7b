"""After a transition commits, the dispatcher mails exactly the people the event names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from workflow.engine import GuardFailed
from workflow.extensions import db
from workflow.labels import event_label, state_label
from workflow.lifecycle import fire
from workflow.notify.dispatcher import send_pending
from workflow.notify.models import SENT, OutboxMessage
from workflow.reporting.operations import create_report, fire_report_event
from workflow.reporting.schemas import parse_report
from workflow.review.operations import cast_vote

from .conftest import Received, SmtpServer, World, expected_id

MSF = ("msf_gov1", "msf_gov2", "msf_cso1", "msf_cso2")
# Each event's own subject line.
SUBJECTS = {
    "submit": "Commitment 1 submitted for civil-society review",
    "request_changes": "Changes requested to Commitment 1",
    "endorse": "Commitment 1 endorsed and put to the MSF vote",
    "approve": "Commitment 1 approved by the MSF",
    "sign_off": "Commitment 1 signed off by the government",
    "withdraw": "Commitment 1 withdrawn",
}


def mail_to(world: World, received: list[Received], who: str) -> Received:
    return next(r for r in received if r.rcpt_tos == [world.emails[who]])


def commit_and_send(app, smtp: SmtpServer, action: Callable[[], object]) -> list[Received]:
    """Run `action` and commit, then dispatch; return what the server received."""
    with app.app_context():
        action()
        db.session.commit()
    smtp.clear()
    counts = send_pending(app)
    assert counts.retried == counts.failed == 0
    received = smtp.received
    assert counts.sent == len(received)
    return received


def moved(from_state: str, to_state: str) -> str:
    from_, to = state_label("commitment", from_state), state_label("commitment", to_state)
    return f"The commitment moved from {from_} to {to}."


def addresses(world: World, *roles: str) -> list[str]:
    return sorted(world.emails[r] for r in roles)


def rows_by_address(app) -> dict[str, OutboxMessage]:
    """Return the outbox rows of the newest transition, by address."""
    with app.app_context():
        newest = db.session.scalar(select(func.max(OutboxMessage.log_entry_id)))
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.log_entry_id == newest))
        return {row.to_address: row for row in rows}


def check_messages(app, world: World, received: list[Received], event: str, comment: str | None):
    """Each message: one recipient, its row's stable Message-ID, the event, comment and link."""
    rows = rows_by_address(app)
    assert sorted(rows) == sorted(r.rcpt_tos[0] for r in received)
    link = f"http://cocreate.test/commitments/{world.commitment_id}"
    for r in received:
        (address,) = r.rcpt_tos
        row = rows[address]
        assert r.message["Message-ID"] == expected_id(app, row.id)
        assert r.message["To"].addresses[0].addr_spec == address
        assert r.mail_from == "no-reply@cocreate.test"
        what = event_label(event)  # "signed off": the same words the pages use
        # Short and flat: the plan, the record's short name, what happened in the event's words.
        assert r.message["Subject"] == f"[world] {SUBJECTS[event]}"
        for body in (r.text, r.html):
            assert link in body
            assert f"What happened: {what}, by " in body
            if comment:
                assert comment in body
        assert (row.status, row.attempts, row.last_error) == (SENT, 1, None)
        assert row.sent_at is not None


def test_the_commitment_path_mails_the_roles_each_event_names(mail_app, world, smtp):
    def as_(role: str, event: str, comment: str | None = None):
        return lambda: fire(world.commitment(), event, world.user(role), comment=comment)

    # submit: CSO reviewers and the POC; the drafter is the author but also the actor.
    received = commit_and_send(mail_app, smtp, as_("drafter", "submit", "Ready for review."))
    assert smtp.recipients() == addresses(world, "cso1", "cso2", "poc")
    check_messages(mail_app, world, received, "submit", "Ready for review.")
    cso1_mail = mail_to(world, received, "cso1")
    assert "endorse it or request changes" in cso1_mail.text
    # Each audience is told in its own words; whoever is asked to act gets the stage's end date.
    assert "A draft commitment is ready for your civil-society review." in cso1_mail.text
    assert "Due by " in cso1_mail.text and "Due by " in cso1_mail.html
    poc_mail = mail_to(world, received, "poc")
    assert "This draft commitment was submitted for civil-society review." in poc_mail.text
    assert "Due by " not in poc_mail.text

    # endorse: the forum, the POC and the drafter (the author), never the CSO reviewer acting.
    received = commit_and_send(mail_app, smtp, as_("cso1", "endorse", "Well argued."))
    assert smtp.recipients() == addresses(world, *MSF, "poc", "drafter")
    check_messages(mail_app, world, received, "endorse", "Well argued.")
    vote_mail = next(r for r in received if r.rcpt_tos == [world.emails["msf_cso2"]])
    assert "Please cast your vote" in vote_mail.text

    # approve: fired by the vote gate, which is nobody, so every MSF member hears of it.
    def votes():
        for role in ("msf_gov1", "msf_cso1", "msf_gov2"):
            cast_vote(world.commitment(), world.user(role), "approve", "Agreed.")

    received = commit_and_send(mail_app, smtp, votes)
    # cso1 endorsed it: a follower, who hears of the decisive outcome.
    assert smtp.recipients() == addresses(world, "signatory", "poc", *MSF, "drafter", "cso1")
    # The gate's decision in the reader's words: the count of the round, by the forum's vote.
    check_messages(mail_app, world, received, "approve", "Votes: 3 to approve, 0 to reject")
    assert all("by the forum's vote" in r.text for r in received)
    signatory_mail = mail_to(world, received, "signatory")
    assert moved("msf_approval", "government_signoff") in signatory_mail.text
    assert "it awaits the government's sign-off." in signatory_mail.text
    assert "approved your commitment by vote" in mail_to(world, received, "drafter").text
    follower = mail_to(world, received, "cso1")
    assert "A commitment you follow was approved by the Multi-Stakeholder Forum." in follower.html
    assert "No action is needed from you" in follower.text

    received = commit_and_send(mail_app, smtp, as_("signatory", "sign_off"))
    voters = ("msf_gov1", "msf_cso1", "msf_gov2")
    assert smtp.recipients() == addresses(world, "implementer", "poc", "drafter", "cso1", *voters)
    check_messages(mail_app, world, received, "sign_off", None)
    assert all("Comment from" not in r.text for r in received)

    comment = "Merged into commitment 4."
    received = commit_and_send(mail_app, smtp, as_("poc", "withdraw", comment))
    assert smtp.recipients() == addresses(
        world, *MSF, "cso1", "cso2", "implementer", "drafter", "signatory"
    )
    check_messages(mail_app, world, received, "withdraw", comment)


def test_request_changes_mails_the_poc_and_the_drafter(mail_app, world, smtp):
    commit_and_send(mail_app, smtp, lambda: fire(world.commitment(), "submit", world.user("poc")))
    comment = "Please state a baseline for the register."
    received = commit_and_send(
        mail_app,
        smtp,
        lambda: fire(world.commitment(), "request_changes", world.user("cso2"), comment=comment),
    )
    assert smtp.recipients() == addresses(world, "poc", "drafter")
    check_messages(mail_app, world, received, "request_changes", comment)
    drafter_mail = next(r for r in received if r.rcpt_tos == [world.emails["drafter"]])
    assert "revise the draft" in drafter_mail.text
    assert moved("cso_review", "draft") in drafter_mail.text


def test_a_deactivated_account_gets_nothing(mail_app, world, smtp):
    with mail_app.app_context():
        world.user("cso2").active = False
        db.session.commit()
    commit_and_send(mail_app, smtp, lambda: fire(world.commitment(), "submit", world.user("poc")))
    # The POC acts; the drafter is the author; cso2 is deactivated.
    assert smtp.recipients() == addresses(world, "cso1", "drafter")


def test_an_account_deactivated_before_sending_gets_nothing(mail_app, world, smtp):
    with mail_app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"))
        db.session.commit()
        world.user("cso1").active = False  # while the message waits in the outbox
        db.session.commit()
    assert send_pending(mail_app) == (2, 0, 0)  # the third is suppressed, not failed
    assert smtp.recipients() == addresses(world, "cso2", "poc")
    with mail_app.app_context():
        row = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.to_address == world.emails["cso1"])
        )
        assert (row.status, row.attempts) == ("suppressed", 0)
        assert "deactivated" in row.last_error


def test_progress_report_events_mail_the_poc_then_the_implementer(mail_app, world, smtp):
    def to_implementation():
        c = world.commitment()
        fire(c, "submit", world.user("drafter"))
        fire(c, "endorse", world.user("cso1"))
        for role in ("msf_gov1", "msf_cso1", "msf_gov2"):
            cast_vote(c, world.user(role), "approve", "Agreed.")
        fire(c, "sign_off", world.user("signatory"))

    commit_and_send(mail_app, smtp, to_implementation)
    report_id: list[int] = []

    def submit_report():
        values = parse_report(
            {
                "period_label": "2024 Q1",
                "period_start": "2024-01-01",
                "period_end": "2024-03-31",
                "completion": "limited",
                "narrative": "Design started.",
            },
            creating=True,
        )
        report = create_report(world.commitment(), world.user("implementer"), values)
        fire_report_event(
            report, world.user("implementer"), "submit", version=report.version, comment=None
        )
        report_id.append(report.id)

    received = commit_and_send(mail_app, smtp, submit_report)
    assert smtp.recipients() == addresses(world, "poc")
    link = f"http://cocreate.test/commitments/{world.commitment_id}#report-{report_id[0]}"
    assert link in received[0].text
    assert "2024 Q1" in received[0].message["Subject"]
    assert "accept it or send it back" in received[0].text


def test_a_rolled_back_transition_sends_nothing(mail_app, world, smtp):
    with mail_app.app_context():
        fire(world.commitment(), "submit", world.user("drafter"), comment="Ready.")
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
        db.session.rollback()
    assert send_pending(mail_app) == (0, 0, 0)
    assert smtp.received == []
    with mail_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert world.commitment().state == "draft"


def test_a_refused_transition_writes_no_mail(mail_app, world, smtp):
    with mail_app.app_context():
        commitment = world.commitment()
        commitment.milestones.clear()
        db.session.commit()
        with pytest.raises(GuardFailed):
            fire(world.commitment(), "submit", world.user("drafter"))
        db.session.rollback()
    assert send_pending(mail_app) == (0, 0, 0)
    assert smtp.received == []
