"""A commitment's whole life over HTTP, with a bearer token per person."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.conftest import COMPLETE_COMMITMENT
from workflow.accounts.operations import grant_role
from workflow.accounts.roles import GOVERNMENT, MSF_MEMBER
from workflow.engine.audit import LogEntry
from workflow.extensions import db
from workflow.notify.models import OutboxMessage
from workflow.plans.models import Milestone


def recomputed_hash(entry: dict, commitment_id: int, record_type: str = "commitment") -> str:
    """Hash a history entry the way the log does, from what the API shows."""
    content = {
        "record_type": record_type,
        "record_id": commitment_id,
        "seq": entry["seq"],
        "workflow": [entry["workflow"]["key"], entry["workflow"]["version"]],
        "event": entry["event"],
        "from_state": entry["from_state"],
        "to_state": entry["to_state"],
        "actor_id": entry["actor_id"],
        "actor_label": entry["actor"],
        "comment": entry["comment"],
        "created_at": entry["created_at"].removesuffix("Z"),
        "prev_hash": entry["prev_hash"],
    }
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_whole_life(api, cast):
    plan_id = cast.plan.id

    # The drafter writes a draft, then edits it: each saves a revision.
    r = api.post(f"/plans/{plan_id}/commitments", cast.drafter, COMPLETE_COMMITMENT)
    assert r.status_code == 201
    c = r.json
    cid = c["id"]
    assert r.headers["Location"] == f"/api/v1/commitments/{cid}"
    assert (c["state"], c["version"], c["number"]) == ("draft", 1, 1)
    assert c["workflow"] == {"key": "commitment", "version": 1, "due_at": None}  # drafts: no limit
    assert c["allowed_events"] == ["submit"]
    assert [m["description"] for m in c["milestones"]] == [
        "Design the register",
        "Publish the data",
    ]
    assert c["vote_round"] is None

    r = api.patch(
        f"/commitments/{cid}",
        cast.drafter,
        {"version": 1, "problem": "Licence data is scattered.", "note": "shorter"},
    )
    assert r.status_code == 200
    assert (r.json["problem"], r.json["version"]) == ("Licence data is scattered.", 2)
    revisions = api.get(f"/commitments/{cid}/revisions", cast.outsider).json["revisions"]
    assert [(v["number"], v["note"]) for v in revisions] == [(1, "created"), (2, "shorter")]
    assert revisions[1]["content"]["problem"] == "Licence data is scattered."
    assert revisions[1]["author"] == {"id": cast.drafter.id, "name": "Drafter"}

    # The point of contact sees more events than the drafter.
    assert api.get(f"/commitments/{cid}", cast.poc).json["allowed_events"] == [
        "submit",
        "withdraw",
    ]

    r = api.post(f"/commitments/{cid}/events", cast.drafter, {"event": "submit", "version": 2})
    assert r.status_code == 200
    assert r.json["from_state"] == "draft"
    assert (r.json["state"], r.json["version"]) == ("cso_review", 3)
    assert r.json["entry"]["event"] == "submit"

    # A reviewer comments on one field; the drafter gives the reasoned response.
    r = api.post(
        f"/commitments/{cid}/comments",
        cast.cso1,
        {"body": "Who owns the register?", "field": "description"},
    )
    assert r.status_code == 201
    comment = r.json
    assert r.headers["Location"] == f"/api/v1/comments/{comment['id']}"
    assert (comment["round"], comment["response"]) == (1, None)
    r = api.post(
        f"/comments/{comment['id']}/response",
        cast.drafter,
        {"response": "The ministry owns it; the text now says so.", "outcome": "adopted"},
    )
    assert r.status_code == 200
    assert r.json["response"]["outcome"] == "adopted"
    assert r.json["response"]["by"]["id"] == cast.drafter.id
    listed = api.get(f"/commitments/{cid}/comments", cast.outsider).json["comments"]
    assert [x["response"]["text"] for x in listed] == [
        "The ministry owns it; the text now says so."
    ]

    r = api.fire(cid, cast.cso2, "endorse")
    assert (r.status_code, r.json["state"]) == (200, "msf_approval")

    shown = api.get(f"/commitments/{cid}", cast.msf_gov1).json
    assert shown["allowed_events"] == []  # approve and reject belong to the vote
    entered = datetime.fromisoformat(shown["state_changed_at"])
    due = datetime.fromisoformat(shown["workflow"]["due_at"])
    assert due - entered == timedelta(days=14)  # the forum has two weeks to vote
    assert shown["vote_round"]["round"] == 1
    assert shown["vote_round"]["members"] == 4
    assert shown["vote_round"]["decision"] is None

    # Four votes; the last one reaches a majority with an approval from each side.
    expected = [
        (cast.msf_gov1, "approve", "msf_approval", None),
        (cast.msf_gov2, "approve", "msf_approval", None),
        (cast.msf_cso1, "reject", "msf_approval", None),
        (cast.msf_cso2, "approve", "government_signoff", "approve"),
    ]
    for member, decision, state, outcome in expected:
        r = api.post(
            f"/commitments/{cid}/votes", member, {"decision": decision, "comment": "Considered."}
        )
        assert r.status_code == 201, r.json
        assert r.json["vote"]["decision"] == decision
        assert r.json["vote"]["voter"]["id"] == member.id
        assert r.json["commitment"]["state"] == state
        assert r.json["tally"]["decision"] == outcome
    tally = r.json["tally"]
    assert tally["counts"] == {"approve": 3, "reject": 1, "abstain": 0}
    assert tally["sectors"]["civil_society"] == {
        "members": 2,
        "approve": 1,
        "reject": 1,
        "abstain": 0,
    }
    assert len(tally["votes"]) == 4
    assert r.json["commitment"]["version"] == 5

    r = api.fire(cid, cast.signatory, "sign_off")
    assert (r.status_code, r.json["state"]) == (200, "implementation")

    # Completion waits for an accepted report that states the completion level.
    r = api.fire(cid, cast.poc, "complete")
    assert r.status_code == 422
    assert r.json["error"]["reasons"] == [
        "no accepted progress report states the completion level yet"
    ]

    milestone_ids = [m["id"] for m in api.get(f"/commitments/{cid}", cast.poc).json["milestones"]]
    r = api.post(
        f"/commitments/{cid}/reports",
        cast.implementer,
        {"period_label": "2024 Q2", "period_start": "2024-04-01", "period_end": "2024-06-30"},
    )
    assert r.status_code == 201
    report = r.json
    rid = report["id"]
    assert r.headers["Location"] == f"/api/v1/reports/{rid}"
    assert (report["state"], report["allowed_events"]) == ("draft", ["submit"])

    r = api.post(f"/reports/{rid}/events", cast.implementer, {"event": "submit", "version": 1})
    assert r.status_code == 422  # nothing said yet
    assert "the completion level is not stated" in r.json["error"]["reasons"]

    r = api.patch(
        f"/reports/{rid}",
        cast.implementer,
        {
            "version": 1,
            "completion": "complete",
            "narrative": "The register is online and updated monthly.",
            "evidence_links": ["https://example.org/register"],
            "milestones": [
                {"milestone_id": milestone_ids[0], "status": "completed"},
                {"milestone_id": milestone_ids[1], "status": "completed", "note": "On time."},
            ],
        },
    )
    assert r.status_code == 200, r.json
    assert r.json["version"] == 2
    r = api.post(f"/reports/{rid}/events", cast.implementer, {"event": "submit", "version": 2})
    assert (r.status_code, r.json["state"]) == (200, "submitted")
    r = api.post(f"/reports/{rid}/events", cast.poc, {"event": "accept", "version": 3})
    assert (r.status_code, r.json["state"]) == (200, "accepted")
    reports = api.get(f"/commitments/{cid}/reports", cast.outsider).json["reports"]
    assert [(x["id"], x["state"]) for x in reports] == [(rid, "accepted")]
    statuses = db.session.scalars(
        select(Milestone.status).where(Milestone.commitment_id == cid)
    ).all()
    assert statuses == ["completed", "completed"]  # the accepted report's statuses

    r = api.fire(cid, cast.poc, "complete")
    assert (r.status_code, r.json["state"], r.json["allowed_events"]) == (200, "completed", [])

    # The history: every step, who took it, chained by hashes anyone can recompute.
    history = api.get(f"/commitments/{cid}/history", cast.outsider).json
    assert history["chain_intact"] is True
    entries = history["entries"]
    assert [(e["event"], e["to_state"]) for e in entries] == [
        ("create", "draft"),
        ("submit", "cso_review"),
        ("endorse", "msf_approval"),
        ("approve", "government_signoff"),
        ("sign_off", "implementation"),
        ("complete", "completed"),
    ]
    assert entries[3]["actor"] == "MSF vote (deciding vote: MSF CSO 2)"
    assert entries[3]["actor_id"] is None
    assert entries[4]["actor"] == "Signatory"
    assert entries[0]["prev_hash"] == "0" * 64
    for before, entry in itertools.pairwise(entries):
        assert entry["prev_hash"] == before["hash"]
    for entry in entries:
        assert recomputed_hash(entry, cid) == entry["hash"]
    report_history = api.get(f"/reports/{rid}/history", cast.poc).json
    assert [e["event"] for e in report_history["entries"]] == ["create", "submit", "accept"]

    # Every transition mailed the roles its event names and the drafter, never the one who acted.
    rows = db.session.execute(
        select(LogEntry.event, OutboxMessage.to_address, OutboxMessage.audience)
        .join(OutboxMessage, OutboxMessage.log_entry_id == LogEntry.id)
        .where(LogEntry.record_type == "commitment", LogEntry.record_id == cid)
    )
    mailed: dict[str, set[str]] = {}
    followed: dict[str, set[str]] = {}
    for event, address, audience in rows:
        (followed if audience == "follower" else mailed).setdefault(event, set()).add(address)
    # Decisive outcomes also reach the commitment's followers: the reviewer who endorsed it
    # and, once they voted, the forum's members.
    assert cast.cso2.email in followed["approve"]
    assert cast.cso2.email in followed["sign_off"]
    assert {m.email for m in cast.msf} <= followed["sign_off"]
    assert set(followed) == {"approve", "sign_off", "complete"}
    msf = {m.email for m in cast.msf}
    assert mailed == {
        "submit": {cast.cso1.email, cast.cso2.email, cast.poc.email},
        "endorse": msf | {cast.poc.email, cast.drafter.email},
        "approve": msf | {cast.signatory.email, cast.poc.email, cast.drafter.email},
        "sign_off": {cast.implementer.email, cast.poc.email, cast.drafter.email},
        "complete": msf | {cast.implementer.email, cast.drafter.email},
    }


def test_parity_holds_back_a_one_sided_majority(api, cast, draft, advance):
    """With three government members and two from civil society, three government approvals
    are a majority but not approval: a civil-society approval is still needed."""
    extra = cast.outsider
    grant_role(cast.plan, extra, MSF_MEMBER, GOVERNMENT)
    advance(draft, "msf_approval")
    cid = draft.id

    for member in (cast.msf_gov1, cast.msf_gov2, extra):
        r = api.post(
            f"/commitments/{cid}/votes", member, {"decision": "approve", "comment": "Agreed."}
        )
        assert r.status_code == 201
    assert r.json["commitment"]["state"] == "msf_approval"
    assert r.json["tally"]["members"] == 5
    assert r.json["tally"]["decision"] is None
    assert "no approval yet from: civil_society" in r.json["tally"]["reason"]

    r = api.post(
        f"/commitments/{cid}/votes", cast.msf_cso1, {"decision": "approve", "comment": "Agreed."}
    )
    assert r.json["commitment"]["state"] == "government_signoff"
    assert r.json["tally"]["decision"] == "approve"


def test_a_rejected_commitment_opens_a_new_round_when_it_returns(api, cast, draft, advance):
    advance(draft, "msf_approval")
    cid = draft.id
    for member in (cast.msf_gov1, cast.msf_cso1, cast.msf_cso2):
        r = api.post(
            f"/commitments/{cid}/votes", member, {"decision": "reject", "comment": "Not yet."}
        )
    assert r.json["commitment"]["state"] == "draft"
    assert r.json["tally"]["decision"] == "reject"

    advance(draft, "msf_approval")
    shown = api.get(f"/commitments/{cid}", cast.poc).json
    assert shown["vote_round"]["round"] == 2
    assert shown["vote_round"]["votes"] == []
    r = api.post(
        f"/commitments/{cid}/votes", cast.msf_cso1, {"decision": "approve", "comment": "Agreed."}
    )
    assert r.status_code == 201  # a member who voted in round 1 votes again in round 2
    assert r.json["vote"]["round"] == 2
