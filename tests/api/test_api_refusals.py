"""Every refusal answers with the right status and error, and writes nothing."""

from __future__ import annotations

import logging

import pytest

from workflow.api import serialize
from workflow.extensions import db
from workflow.review.operations import add_comment


def refused(response, status: int, code: str) -> dict:
    """Check the error reply and return its error object."""
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["code"] == code
    assert error["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    return error


def event(name: str, version: int, comment: str | None = None) -> dict:
    body = {"event": name, "version": version}
    if comment is not None:
        body["comment"] = comment
    return body


# --- 403: the roles on this plan do not allow it -------------------------------------------


@pytest.mark.parametrize(
    "who", ["cso1", "msf_gov1", "msf_cso2", "signatory", "implementer", "outsider"]
)
def test_only_drafters_and_the_poc_submit(api, cast, draft, unchanged, who):
    with unchanged(draft.id):
        r = api.post(f"/commitments/{draft.id}/events", getattr(cast, who), event("submit", 1))
        error = refused(r, 403, "not_allowed")
    assert "drafter, poc" in error["message"]


@pytest.mark.parametrize("who", ["drafter", "poc"])
def test_drafters_and_the_poc_may_submit(api, cast, draft, who):
    r = api.post(f"/commitments/{draft.id}/events", getattr(cast, who), event("submit", 1))
    assert (r.status_code, r.json["state"]) == (200, "cso_review")


@pytest.mark.parametrize("who", ["outsider", "drafter", "cso1", "poc", "signatory"])
def test_only_msf_members_vote(api, cast, draft, advance, unchanged, who):
    advance(draft, "msf_approval")
    with unchanged(draft.id):
        r = api.post(
            f"/commitments/{draft.id}/votes",
            getattr(cast, who),
            {"decision": "approve", "comment": "Agreed."},
        )
        refused(r, 403, "not_allowed")


@pytest.mark.parametrize("event_name", ["approve", "reject"])
def test_nobody_fires_the_vote_events_by_hand(api, cast, draft, advance, unchanged, event_name):
    advance(draft, "msf_approval")
    with unchanged(draft.id):
        r = api.post(f"/commitments/{draft.id}/events", cast.poc, event(event_name, draft.version))
        error = refused(r, 403, "not_allowed")
    assert "decided by the vote" in error["message"]


@pytest.mark.parametrize("who", ["cso1", "msf_gov1", "signatory", "implementer", "outsider"])
def test_only_drafters_and_the_poc_create_or_edit(api, cast, draft, unchanged, who):
    user = getattr(cast, who)
    r = api.post(f"/plans/{cast.plan.id}/commitments", user, {"title": "Another"})
    refused(r, 403, "not_allowed")
    with unchanged(draft.id):
        r = api.patch(f"/commitments/{draft.id}", user, {"version": 1, "title": "Mine now"})
        refused(r, 403, "not_allowed")


def test_only_the_drafting_side_answers_comments(api, cast, draft, advance, unchanged):
    advance(draft, "cso_review")
    comment = add_comment(draft, cast.cso1, "Say who owns it.", None)
    db.session.commit()
    with unchanged(draft.id):
        r = api.post(
            f"/comments/{comment.id}/response",
            cast.cso2,
            {"response": "I answer for them.", "outcome": "noted"},
        )
        refused(r, 403, "not_allowed")


def test_outsiders_may_not_comment(api, cast, draft, unchanged):
    with unchanged(draft.id):
        r = api.post(f"/commitments/{draft.id}/comments", cast.outsider, {"body": "Hello"})
        refused(r, 403, "not_allowed")


def test_report_roles(api, cast, draft, advance, unchanged):
    advance(draft, "implementation")
    body = {"period_label": "Q1", "period_start": "2024-01-01", "period_end": "2024-03-31"}
    with unchanged(draft.id):
        refused(api.post(f"/commitments/{draft.id}/reports", cast.cso1, body), 403, "not_allowed")
    rid = api.post(f"/commitments/{draft.id}/reports", cast.implementer, body).json["id"]
    api.patch(
        f"/reports/{rid}",
        cast.implementer,
        {"version": 1, "completion": "limited", "narrative": "Some."},
    )
    api.post(f"/reports/{rid}/events", cast.implementer, event("submit", 2))
    r = api.post(f"/reports/{rid}/events", cast.implementer, event("accept", 3))
    refused(r, 403, "not_allowed")
    assert api.get(f"/reports/{rid}", cast.poc).json["state"] == "submitted"


# --- 404: unknown, or on a plan the caller may not see ---------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/plans/999999"),
        ("GET", "/plans/999999/commitments"),
        ("POST", "/plans/999999/commitments"),
        ("GET", "/commitments/999999"),
        ("PATCH", "/commitments/999999"),
        ("POST", "/commitments/999999/events"),
        ("POST", "/commitments/999999/votes"),
        ("GET", "/commitments/999999/history"),
        ("GET", "/comments/999999"),
        ("POST", "/comments/999999/response"),
        ("GET", "/reports/999999"),
        ("POST", "/reports/999999/events"),
    ],
)
def test_unknown_ids_are_404(api, cast, method, path):
    r = api.call(method, path, cast.poc, json={} if method != "GET" else None)
    refused(r, 404, "not_found")


@pytest.fixture
def private(cast, draft, advance):
    """The cast's plan made private, with a commitment in implementation, a comment and a
    report on it."""
    cast.plan.is_public = False
    advance(draft, "cso_review")
    comment = add_comment(draft, cast.cso1, "Private remark.", None)
    db.session.commit()
    return comment


@pytest.mark.parametrize(
    "path",
    [
        "/plans/{plan}",
        "/plans/{plan}/commitments",
        "/commitments/{commitment}",
        "/commitments/{commitment}/revisions",
        "/commitments/{commitment}/history",
        "/commitments/{commitment}/comments",
        "/commitments/{commitment}/reports",
        "/comments/{comment}",
    ],
)
def test_a_private_plan_is_404_to_an_outsider(api, cast, draft, private, path, create_user_):
    url = path.format(plan=cast.plan.id, commitment=draft.id, comment=private.id)
    refused(api.get(url, cast.outsider), 404, "not_found")
    assert api.get(url, cast.cso2).status_code == 200  # any member sees it
    admin = create_user_(name="Admin", is_admin=True)
    assert api.get(url, admin).status_code == 200


def test_a_private_plan_is_not_listed_and_refuses_writes(api, cast, draft, private, unchanged):
    assert cast.plan.id not in [p["id"] for p in api.get("/plans", cast.outsider).json["plans"]]
    listed = api.get("/plans", cast.cso1).json["plans"]
    mine = next(p for p in listed if p["id"] == cast.plan.id)
    assert mine["my_roles"] == ["cso_reviewer"]
    assert mine["commitments_by_state"] == {"cso_review": 1}
    with unchanged(draft.id):
        refused(
            api.post(f"/commitments/{draft.id}/comments", cast.outsider, {"body": "Hi"}),
            404,
            "not_found",
        )
        refused(
            api.post(f"/commitments/{draft.id}/events", cast.outsider, event("endorse", 2)),
            404,
            "not_found",
        )
        refused(
            api.post(
                f"/comments/{private.id}/response",
                cast.outsider,
                {"response": "x", "outcome": "noted"},
            ),
            404,
            "not_found",
        )


def test_unknown_addresses_and_methods_answer_json(api, cast):
    r = api.get("/nothing/here", cast.poc)
    refused(r, 404, "not_found")
    assert "openapi.json" in r.json["error"]["message"]
    r = api.call("DELETE", "/plans", cast.poc)
    error = refused(r, 405, "method_not_allowed")
    assert "GET" in error["message"]
    assert "GET" in r.headers["Allow"]
    r = api.call("PUT", f"/commitments/{1}", cast.poc, json={})
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}


# --- 409: stale version, not possible in this state, clashes --------------------------------


def test_a_stale_version_is_409_with_the_current_one(api, cast, draft, unchanged):
    api.patch(f"/commitments/{draft.id}", cast.drafter, {"version": 1, "title": "Renamed"})
    with unchanged(draft.id):
        error = refused(
            api.post(f"/commitments/{draft.id}/events", cast.drafter, event("submit", 1)),
            409,
            "stale_version",
        )
        assert error["current_version"] == 2
        error = refused(
            api.patch(f"/commitments/{draft.id}", cast.poc, {"version": 1, "title": "Mine"}),
            409,
            "stale_version",
        )
        assert error["current_version"] == 2


def test_an_event_not_possible_now_is_409(api, cast, draft, unchanged):
    with unchanged(draft.id):
        error = refused(
            api.post(f"/commitments/{draft.id}/events", cast.cso1, event("endorse", 1)),
            409,
            "invalid_event",
        )
    assert "possible now: submit, withdraw" in error["message"]


def test_a_second_vote_in_a_round_is_409(api, cast, draft, advance, unchanged):
    advance(draft, "msf_approval")
    first = api.post(
        f"/commitments/{draft.id}/votes", cast.msf_gov1, {"decision": "abstain", "comment": "Hm."}
    )
    assert first.status_code == 201
    with unchanged(draft.id):
        error = refused(
            api.post(
                f"/commitments/{draft.id}/votes",
                cast.msf_gov1,
                {"decision": "approve", "comment": "Agreed."},
            ),
            409,
            "conflict",
        )
    assert "already voted in round 1" in error["message"]


def test_votes_outside_the_vote_and_edits_outside_draft_are_409(
    api, cast, draft, advance, unchanged
):
    with unchanged(draft.id):
        refused(
            api.post(
                f"/commitments/{draft.id}/votes",
                cast.msf_gov1,
                {"decision": "approve", "comment": "Agreed."},
            ),
            409,
            "conflict",
        )
    advance(draft, "cso_review")
    with unchanged(draft.id):
        error = refused(
            api.patch(f"/commitments/{draft.id}", cast.drafter, {"version": 2, "title": "Late"}),
            409,
            "conflict",
        )
    assert "only change in draft" in error["message"]


def test_a_second_response_is_409(api, cast, draft, advance, unchanged):
    advance(draft, "cso_review")
    comment = add_comment(draft, cast.cso1, "Add a date.", "expected_results")
    db.session.commit()
    body = {"response": "Added.", "outcome": "adopted"}
    assert api.post(f"/comments/{comment.id}/response", cast.drafter, body).status_code == 200
    with unchanged(draft.id):
        refused(api.post(f"/comments/{comment.id}/response", cast.poc, body), 409, "conflict")


# --- 422: a guard says why the event must wait ----------------------------------------------


def test_submit_lists_every_missing_field_and_date(api, cast, create_commitment_, unchanged):
    c = create_commitment_(
        cast.plan,
        cast.drafter,
        problem="",
        ogp_values=[],
        milestones=[
            {"description": "Design", "start_date": "2024-01-01"},
            {"description": "Build"},
        ],
    )
    db.session.commit()
    with unchanged(c.id):
        error = refused(
            api.post(f"/commitments/{c.id}/events", cast.drafter, event("submit", 1)),
            422,
            "guard_failed",
        )
    assert error["reasons"] == [
        "the problem it addresses is empty",
        "the relevance to OGP values is empty",
        "milestone 1 has no end date",
        "milestone 2 has no start date",
        "milestone 2 has no end date",
    ]


def test_endorse_waits_for_a_response_to_every_comment(api, cast, draft, advance, unchanged):
    advance(draft, "cso_review")
    comment = add_comment(draft, cast.cso1, "Name the owner.", "description")
    db.session.commit()
    with unchanged(draft.id):
        error = refused(
            api.post(f"/commitments/{draft.id}/events", cast.cso2, event("endorse", 2)),
            422,
            "guard_failed",
        )
    assert error["reasons"] == [
        f"comment {comment.id} on the description of the commitment has no response yet"
    ]


def test_complete_waits_for_an_accepted_report(api, cast, draft, advance, unchanged):
    advance(draft, "implementation")
    with unchanged(draft.id) as before:
        error = refused(
            api.post(
                f"/commitments/{draft.id}/events", cast.poc, event("complete", before.version)
            ),
            422,
            "guard_failed",
        )
    assert error["reasons"] == ["no accepted progress report states the completion level yet"]


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_request_changes_needs_a_comment(api, cast, draft, advance, unchanged, comment):
    advance(draft, "cso_review")
    with unchanged(draft.id):
        error = refused(
            api.post(
                f"/commitments/{draft.id}/events", cast.cso1, event("request_changes", 2, comment)
            ),
            422,
            "guard_failed",
        )
    assert error["reasons"] == ["a comment is required for 'request_changes'"]


# --- 400: the request itself is malformed ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{", "is not valid JSON"),
        ('{"event": "submit", "version": 1,}', "is not valid JSON"),
        ("", "is empty"),
        ("[1, 2]", "must be a JSON object"),
        ('"submit"', "must be a JSON object"),
        (b"\xff\xfe{", "is not valid JSON"),
    ],
)
def test_a_malformed_body_is_400(api, cast, draft, unchanged, raw, problem):
    with unchanged(draft.id):
        error = refused(
            api.post(
                f"/commitments/{draft.id}/events",
                cast.drafter,
                data=raw,
                headers={"Content-Type": "application/json"},
            ),
            400,
            "invalid_input",
        )
    assert problem in error["fields"]["body"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"version": 1}, {"event": "is required"}),
        ({"event": 5, "version": 1}, {"event": "must be one of: submit, request_changes"}),
        ({"event": "submit"}, {"version": "is required"}),
        ({"event": "submit", "version": "1"}, {"version": "must be a whole number"}),
        ({"event": "submit", "version": True}, {"version": "must be a whole number"}),
        ({"event": "submit", "version": 1.5}, {"version": "must be a whole number"}),
        ({"event": "submit", "version": 0}, {"version": "must be at least 1"}),
        ({"event": "submit", "version": 1, "comment": ["x"]}, {"comment": "must be text"}),
        ({"event": "launch", "version": 1}, {"event": "must be one of: submit, request_changes"}),
        ({"event": "submit", "version": 1, "force": True}, {"force": "is not a field here"}),
    ],
)
def test_wrong_event_bodies_are_400(api, cast, draft, unchanged, body, fields):
    with unchanged(draft.id):
        error = refused(
            api.post(f"/commitments/{draft.id}/events", cast.drafter, body), 400, "invalid_input"
        )
    assert set(error["fields"]) == set(fields)
    for name, problem in fields.items():
        assert error["fields"][name].startswith(problem)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "yes", "comment": "Hm."}, "decision"),
        ({"comment": "Hm."}, "decision"),
        ({"decision": "approve", "comment": 3}, "comment"),
        ({"decision": "approve"}, "comment"),
        ({"decision": "reject", "comment": "   "}, "comment"),
        ({"decision": "approve", "comment": "Hm.", "weight": 2}, "weight"),
    ],
)
def test_wrong_vote_bodies_are_400(api, cast, draft, advance, unchanged, body, field):
    advance(draft, "msf_approval")
    with unchanged(draft.id):
        error = refused(
            api.post(f"/commitments/{draft.id}/votes", cast.msf_gov1, body), 400, "invalid_input"
        )
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "  "}, "body"),
        ({"body": "ok", "field": "budget"}, "field"),
        ({"body": "ok", "field": "problem", "private": True}, "private"),
    ],
)
def test_wrong_comment_bodies_are_400(api, cast, draft, unchanged, body, field):
    with unchanged(draft.id):
        error = refused(
            api.post(f"/commitments/{draft.id}/comments", cast.cso1, body), 400, "invalid_input"
        )
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "x"}, {"version"}),
        ({"version": 1, "title": ""}, {"title"}),
        ({"version": 1, "ogp_values": ["happiness"]}, {"ogp_values[1]"}),
        ({"version": 1, "milestones": "soon"}, {"milestones"}),
        (
            {
                "version": 1,
                "milestones": [
                    {"description": "A", "start_date": "2024-05-01", "end_date": "2024-01-01"},
                    {"description": "", "start_date": "01/02/2024"},
                ],
            },
            {"milestones[1].end_date", "milestones[2].description", "milestones[2].start_date"},
        ),
        ({"version": 1, "state": "completed"}, {"state"}),
        ({"version": 1, "note": 5}, {"note"}),
    ],
)
def test_wrong_commitment_edits_are_400(api, cast, draft, unchanged, body, fields):
    with unchanged(draft.id):
        error = refused(
            api.patch(f"/commitments/{draft.id}", cast.drafter, body), 400, "invalid_input"
        )
    assert set(error["fields"]) == fields


def test_wrong_report_bodies_are_400(api, cast, draft, advance, unchanged):
    advance(draft, "implementation")
    with unchanged(draft.id):
        error = refused(
            api.post(
                f"/commitments/{draft.id}/reports",
                cast.implementer,
                {
                    "period_label": "Q1",
                    "period_start": "2024-03-31",
                    "period_end": "2024-01-01",
                    "completion": "mostly",
                    "evidence_links": ["ftp://old"],
                },
            ),
            400,
            "invalid_input",
        )
    assert set(error["fields"]) == {"completion", "evidence_links[1]"}


def test_a_report_ending_before_it_starts_is_422(api, cast, draft, advance, unchanged):
    """Well-formed dates that disagree: the document says so, and the answer is a 422."""
    advance(draft, "implementation")
    with unchanged(draft.id):
        error = refused(
            api.post(
                f"/commitments/{draft.id}/reports",
                cast.implementer,
                {"period_label": "Q1", "period_start": "2024-03-31", "period_end": "2024-01-01"},
            ),
            422,
            "invalid_input",
        )
    assert error["fields"] == {"period_end": "must not be before the period start"}


# --- 500: an unexpected failure is logged, answered in JSON and rolled back ----------------------


def test_an_unexpected_error_is_500_and_rolled_back(
    api, cast, draft, unchanged, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("serializer exploded")

    # The event fires and flushes first; the failure comes after, so the rollback must undo it.
    monkeypatch.setattr(serialize, "transition", broken)
    with unchanged(draft.id), caplog.at_level(logging.ERROR):
        r = api.post(f"/commitments/{draft.id}/events", cast.drafter, event("submit", 1))
        error = refused(r, 500, "internal_error")
    assert error["message"] == "internal error; it has been logged"
    assert "exploded" not in r.get_data(as_text=True)
    assert any("API request failed" in r.getMessage() for r in caplog.records)


def test_a_refusal_keeps_earlier_saved_work(api, cast, draft):
    """A rollback undoes only the refused request, not what was saved before it."""
    api.patch(f"/commitments/{draft.id}", cast.drafter, {"version": 1, "title": "Kept"})
    refused(
        api.patch(f"/commitments/{draft.id}", cast.drafter, {"version": 1}), 409, "stale_version"
    )
    shown = api.get(f"/commitments/{draft.id}", cast.drafter).json
    assert (shown["title"], shown["version"]) == ("Kept", 2)


def test_a_refused_report_edit_leaves_the_report_as_it_was(
    api, cast, draft, advance, create_commitment_
):
    """The operation sets fields before it finds the foreign milestone: the rollback undoes them."""
    advance(draft, "implementation")
    foreign = create_commitment_(cast.plan, cast.drafter).milestones[0].id
    db.session.commit()
    body = {"period_label": "Q1", "period_start": "2024-01-01", "period_end": "2024-03-31"}
    rid = api.post(f"/commitments/{draft.id}/reports", cast.implementer, body).json["id"]
    r = api.patch(
        f"/reports/{rid}",
        cast.implementer,
        {
            "version": 1,
            "narrative": "Rewritten.",
            "milestones": [{"milestone_id": foreign, "status": "completed"}],
        },
    )
    error = refused(r, 422, "invalid_input")
    assert error["fields"] == {"milestones": f"milestone {foreign} is not one of this commitment's"}
    shown = api.get(f"/reports/{rid}", cast.poc).json
    assert (shown["narrative"], shown["version"], shown["milestones"]) == ("", 1, [])


def test_an_oversized_body_is_413(api, cast, draft, unchanged):
    with unchanged(draft.id):
        r = api.post(
            f"/commitments/{draft.id}/comments",
            cast.cso1,
            {"body": "x" * (2 * 1024 * 1024)},
        )
        refused(r, 413, "request_entity_too_large")


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64 + 5, 10**30])
def test_an_id_too_large_for_the_database_is_404_like_any_unknown_id(api, cast, client, number):
    for path in (f"/commitments/{number}", f"/plans/{number}", f"/reports/{number}/history"):
        refused(api.get(path, cast.poc), 404, "not_found")
    assert client.get(f"/commitments/{number}").status_code == 404
    assert client.get(f"/commitments/{2**31 - 1}").status_code == 404


def test_errors_come_in_the_callers_language(api, cast, draft):
    """Accept-Language picks the language of field errors, guard reasons and refusals."""
    mn = {"Accept-Language": "mn"}
    r = api.patch(f"/commitments/{draft.id}", cast.drafter, {"version": 1, "title": 5}, headers=mn)
    assert refused(r, 400, "invalid_input")["fields"] == {"title": "текст байх ёстой"}
    r = api.post(f"/commitments/{draft.id}/events", cast.cso1, event("submit", 1), headers=mn)
    assert "үүргийн аль нэг шаардлагатай" in refused(r, 403, "not_allowed")["message"]
    blank = api.post(f"/plans/{cast.plan.id}/commitments", cast.drafter, {"title": "Bare"}).json
    r = api.post(f"/commitments/{blank['id']}/events", cast.drafter, event("submit", 1), headers=mn)
    reasons = refused(r, 422, "guard_failed")["reasons"]
    assert "үе шат нэмнэ үү" in reasons[-1]
    english = api.post(f"/commitments/{blank['id']}/events", cast.drafter, event("submit", 1))
    assert refused(english, 422, "guard_failed")["reasons"][-1] == (
        "add at least one milestone with start and end dates"
    )
