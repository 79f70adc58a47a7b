"""The OpenAPI 3.1 document of the API, written by hand as data and served as JSON.

Enumerations come from the models and definitions, so the document names the same states,
events and scales the code accepts; a test keeps its paths and the routes in step.
"""

from __future__ import annotations

from typing import Any

from ..accounts.roles import LANGUAGES, PLAN_ROLES, SECTORS
from ..definitions.commitment import COMMITMENT
from ..definitions.progress_report import PROGRESS_REPORT
from ..engine.gate import APPROVE, DECISIONS, REJECT, RULES
from ..plans.models import (
    MILESTONE_STATUSES,
    OGP_VALUES,
    REPORTING_CYCLES,
    TEMPLATE_FIELDS,
    TEXT_FIELDS,
)
from ..reporting.scales import COMPLETION
from ..review.models import RESPONSE_OUTCOMES
from .core import Reply, route

JSON = "application/json"


def ref(name: str) -> dict[str, str]:
    """Point at a schema of the document."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """Allow null besides the schema."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    nulled = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        nulled["enum"] = [*schema["enum"], None]
    return nulled


def obj(
    properties: dict[str, Any], required: list[str] | None = None, *, closed: bool = False
) -> dict[str, Any]:
    """An object schema; responses list every property as required, inputs say what is."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items: dict[str, Any]) -> dict[str, Any]:
    """A list of `items`."""
    return {"type": "array", "items": items}


def enum(values: Any) -> dict[str, Any]:
    """A text value limited to `values`."""
    return {"type": "string", "enum": list(values)}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
VERSION = {"type": "integer", "minimum": 1, "description": "Optimistic lock: send what you read."}

COMMITMENT_STATES = enum(COMMITMENT["states"])
REPORT_STATES = enum(PROGRESS_REPORT["states"])

WORKFLOW = obj({"key": STRING, "version": INTEGER})
RECORD_WORKFLOW = obj(
    {
        "key": STRING,
        "version": INTEGER,
        "due_at": {
            **nullable(DATETIME),
            "description": "When the current state is due to be left (null: no deadline).",
        },
    }
)
PERSON = obj({"id": INTEGER, "name": STRING})

COMMITMENT_SUMMARY = {
    "id": INTEGER,
    "plan_id": INTEGER,
    "number": INTEGER,
    "ogp_id": nullable(STRING),
    "title": STRING,
    "lead_agency": STRING,
    "state": COMMITMENT_STATES,
    "version": INTEGER,
    "state_changed_at": DATETIME,
}

COMMITMENT_TEXT = {name: STRING for name in TEXT_FIELDS}

MILESTONE_INPUT = obj(
    {
        "description": STRING,
        "start_date": nullable(DATE),
        "end_date": nullable(DATE),
        "status": enum(MILESTONE_STATUSES),
    },
    ["description"],
    closed=True,
)

COMMITMENT_INPUT = {
    **COMMITMENT_TEXT,
    "ogp_values": array(enum(OGP_VALUES)),
    "milestones": {
        **array(ref("MilestoneInput")),
        "description": "Replaces every milestone; the end date must be after the start date.",
    },
    "note": {**STRING, "description": "Why the text changed, kept with the revision."},
}

MILESTONE_PROGRESS = obj(
    {"milestone_id": INTEGER, "status": enum(MILESTONE_STATUSES), "note": STRING},
    ["milestone_id", "status"],
    closed=True,
)

REPORT_INPUT = {
    "period_label": STRING,
    "period_start": DATE,
    "period_end": DATE,
    "completion": nullable(enum(COMPLETION)),
    "narrative": STRING,
    "evidence_links": array({"type": "string", "format": "uri"}),
    "milestones": array(ref("MilestoneProgress")),
}


def event_input(events: Any) -> dict[str, Any]:
    """The body that fires one of `events`."""
    return obj(
        {
            "event": enum(events),
            "version": VERSION,
            "comment": {
                **nullable(STRING),
                "description": "Required by request_changes, send_back and withdraw.",
            },
        },
        ["event", "version"],
        closed=True,
    )


SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {
                        **STRING,
                        "description": "unauthorized, not_allowed, not_found, invalid_input, "
                        "stale_version, invalid_event, conflict, guard_failed, method_not_allowed, "
                        "internal_error, ...",
                    },
                    "message": {**STRING, "description": "What is wrong and what to do."},
                    "reasons": {
                        **array(STRING),
                        "description": "guard_failed: each reason the event must wait.",
                    },
                    "fields": {
                        "type": "object",
                        "additionalProperties": STRING,
                        "description": "invalid_input: each field and what is wrong with it.",
                    },
                    "current_version": {
                        **INTEGER,
                        "description": "stale_version: the record's version now, where known.",
                    },
                },
                ["code", "message"],
            )
        }
    ),
    "Person": PERSON,
    "Workflow": WORKFLOW,
    "RecordWorkflow": RECORD_WORKFLOW,
    "Me": obj(
        {
            "id": INTEGER,
            "email": {"type": "string", "format": "email"},
            "name": STRING,
            "language": enum(LANGUAGES),
            "is_admin": BOOLEAN,
            "organisation": nullable(obj({"id": INTEGER, "name": STRING, "sector": enum(SECTORS)})),
            "memberships": array(
                obj(
                    {
                        "plan_id": INTEGER,
                        "plan_title": STRING,
                        "role": enum(PLAN_ROLES),
                        "sector": nullable(enum(SECTORS)),
                    }
                )
            ),
        }
    ),
    "Plan": obj(
        {
            "id": INTEGER,
            "slug": STRING,
            "country": STRING,
            "title": STRING,
            "period_start": DATE,
            "period_end": DATE,
            "reporting_cycle": enum(REPORTING_CYCLES),
            "approval_rule": enum(RULES),
            "is_public": BOOLEAN,
            "my_roles": array(enum(PLAN_ROLES)),
            "commitments_by_state": {
                "type": "object",
                "additionalProperties": INTEGER,
                "description": (
                    "How many commitments are in each state; states with none are left out."
                ),
            },
        }
    ),
    "PlanList": obj({"plans": array(ref("Plan"))}),
    "CommitmentSummary": obj(COMMITMENT_SUMMARY),
    "CommitmentList": obj({"commitments": array(ref("CommitmentSummary"))}),
    "Milestone": obj(
        {
            "id": INTEGER,
            "position": INTEGER,
            "description": STRING,
            "start_date": nullable(DATE),
            "end_date": nullable(DATE),
            "status": enum(MILESTONE_STATUSES),
        }
    ),
    "Commitment": obj(
        {
            **COMMITMENT_SUMMARY,
            **COMMITMENT_TEXT,
            "ogp_values": array(enum(OGP_VALUES)),
            "milestones": array(ref("Milestone")),
            "workflow": ref("RecordWorkflow"),
            "allowed_events": {
                **array(STRING),
                "description": "Events your roles allow from this state (guards not checked).",
            },
            "vote_round": {
                **nullable(ref("Tally")),
                "description": "The open vote while the commitment is in msf_approval.",
            },
            "created_by": nullable(ref("Person")),
            "created_at": DATETIME,
            "updated_at": DATETIME,
        }
    ),
    "MilestoneInput": MILESTONE_INPUT,
    "CommitmentInput": obj(COMMITMENT_INPUT, ["title"], closed=True),
    "CommitmentPatch": obj({**COMMITMENT_INPUT, "version": VERSION}, ["version"], closed=True),
    "Revision": obj(
        {
            "number": INTEGER,
            "author": nullable(ref("Person")),
            "note": nullable(STRING),
            "created_at": DATETIME,
            "content": {"type": "object", "description": "The text and milestones as saved."},
        }
    ),
    "RevisionList": obj({"revisions": array(ref("Revision"))}),
    "CommitmentEventInput": event_input(COMMITMENT["events"]),
    "ReportEventInput": event_input(PROGRESS_REPORT["events"]),
    "Transition": obj(
        {
            "id": INTEGER,
            "event": STRING,
            "from_state": STRING,
            "state": STRING,
            "version": INTEGER,
            "state_changed_at": DATETIME,
            "allowed_events": array(STRING),
            "entry": ref("HistoryEntry"),
        }
    ),
    "HistoryEntry": obj(
        {
            "seq": INTEGER,
            "event": STRING,
            "from_state": nullable(STRING),
            "to_state": STRING,
            "actor": {**STRING, "description": "Who fired it, or the vote that decided."},
            "actor_id": nullable(INTEGER),
            "comment": nullable(STRING),
            "created_at": DATETIME,
            "workflow": ref("Workflow"),
            "prev_hash": {
                **STRING,
                "description": "The hash of the entry before (64 zeros first).",
            },
            "hash": {
                **STRING,
                "description": "SHA-256 of the entry's content, including prev_hash.",
            },
        }
    ),
    "History": obj(
        {
            "entries": array(ref("HistoryEntry")),
            "chain_intact": {
                **BOOLEAN,
                "description": "Every entry links to the one before and matches its hash.",
            },
        }
    ),
    "Comment": obj(
        {
            "id": INTEGER,
            "commitment_id": INTEGER,
            "round": {**INTEGER, "description": "The CSO review round it was made in."},
            "field": nullable(enum(TEMPLATE_FIELDS)),
            "body": STRING,
            "author": ref("Person"),
            "created_at": DATETIME,
            "response": nullable(
                obj(
                    {
                        "text": STRING,
                        "outcome": enum(RESPONSE_OUTCOMES),
                        "by": nullable(ref("Person")),
                        "at": DATETIME,
                    }
                )
            ),
        }
    ),
    "CommentList": obj({"comments": array(ref("Comment"))}),
    "CommentInput": obj(
        {"body": STRING, "field": nullable(enum(TEMPLATE_FIELDS))},
        ["body"],
        closed=True,
    ),
    "ResponseInput": obj(
        {"response": STRING, "outcome": enum(RESPONSE_OUTCOMES)},
        ["response", "outcome"],
        closed=True,
    ),
    "Vote": obj(
        {
            "id": INTEGER,
            "round": INTEGER,
            "voter": ref("Person"),
            "sector": enum(SECTORS),
            "decision": enum(DECISIONS),
            "comment": nullable(STRING),
            "created_at": DATETIME,
        }
    ),
    "Tally": obj(
        {
            "round": INTEGER,
            "rule": enum(RULES),
            "members": {**INTEGER, "description": "Active MSF members of the plan."},
            "counts": obj({d: INTEGER for d in DECISIONS}),
            "sectors": {
                "type": "object",
                "additionalProperties": obj(
                    {"members": INTEGER, **{d: INTEGER for d in DECISIONS}}
                ),
            },
            "decision": nullable(enum((APPROVE, REJECT))),
            "reason": STRING,
            "votes": array(ref("Vote")),
        }
    ),
    "VoteInput": obj(
        {"decision": enum(DECISIONS), "comment": {**STRING, "minLength": 1}},
        ["decision", "comment"],
        closed=True,
    ),
    "VoteResult": obj(
        {
            "vote": ref("Vote"),
            "tally": ref("Tally"),
            "commitment": obj(
                {
                    "id": INTEGER,
                    "state": COMMITMENT_STATES,
                    "version": INTEGER,
                    "state_changed_at": DATETIME,
                }
            ),
        }
    ),
    "MilestoneProgress": MILESTONE_PROGRESS,
    "Report": obj(
        {
            "id": INTEGER,
            "commitment_id": INTEGER,
            "period_label": STRING,
            "period_start": DATE,
            "period_end": DATE,
            "completion": nullable(enum(COMPLETION)),
            "narrative": STRING,
            "evidence_links": array(STRING),
            "milestones": array(MILESTONE_PROGRESS),
            "state": REPORT_STATES,
            "version": INTEGER,
            "workflow": ref("RecordWorkflow"),
            "state_changed_at": DATETIME,
            "allowed_events": array(STRING),
            "created_by": nullable(ref("Person")),
            "created_at": DATETIME,
        }
    ),
    "ReportList": obj({"reports": array(ref("Report"))}),
    "ReportInput": obj(REPORT_INPUT, ["period_label", "period_start", "period_end"], closed=True),
    "ReportPatch": obj({**REPORT_INPUT, "version": VERSION}, ["version"], closed=True),
}

ERRORS = {
    "400": "The body is not JSON, or a field is wrong (see `fields`).",
    "401": "No valid bearer token.",
    "403": "Your roles on this plan do not allow it.",
    "404": "No such record, or it is on a plan you may not see.",
    "409": "Stale `version`, an event not possible in this state, or a clash (a second vote).",
    "422": "A guard refused the event; `reasons` says why.",
}
UNEXPECTED = "An internal error (500); it is logged and nothing was written."


def error_responses() -> dict[str, Any]:
    """The error replies operations refer to, each with the Error schema."""
    responses = {
        code: {"description": text, "content": {JSON: {"schema": ref("Error")}}}
        for code, text in ERRORS.items()
    }
    responses["401"]["headers"] = {
        "WWW-Authenticate": {"schema": STRING, "description": 'Bearer realm="cocreate"'}
    }
    return {"responses": responses}


def param(name: str, what: str) -> dict[str, Any]:
    """A path parameter holding an id."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": INTEGER,
        "description": f"The {what}'s id.",
    }


def operation(
    op_id: str,
    tag: str,
    summary: str,
    ok: tuple[str, str],
    *,
    body: str | None = None,
    errors: tuple[str, ...] = ("401", "404"),
    description: str | None = None,
) -> dict[str, Any]:
    """One operation: its success reply, its request body if any, and the errors it may give."""
    status, schema = ok
    success: dict[str, Any] = {"description": summary, "content": {JSON: {"schema": ref(schema)}}}
    if status == "201":
        success["headers"] = {
            "Location": {"schema": STRING, "description": "The new resource's address."}
        }
    spec: dict[str, Any] = {
        "operationId": op_id,
        "tags": [tag],
        "summary": summary,
        "responses": {
            status: success,
            **{code: {"$ref": f"#/components/responses/E{code}"} for code in errors},
            "default": {"$ref": "#/components/responses/Unexpected"},
        },
    }
    if description:
        spec["description"] = description
    if body:
        spec["requestBody"] = {"required": True, "content": {JSON: {"schema": ref(body)}}}
    return spec


READ = ("401", "404")
WRITE = ("400", "401", "403", "404", "409")
FIRE = ("400", "401", "403", "404", "409", "422")

PLAN = [param("plan_id", "action plan")]
COMMITMENT_ID = [param("commitment_id", "commitment")]
COMMENT_ID = [param("comment_id", "comment")]
REPORT_ID = [param("report_id", "progress report")]

PATHS: dict[str, Any] = {
    "/me": {
        "get": operation(
            "showMe", "people", "You, with your roles on every plan", ("200", "Me"), errors=("401",)
        )
    },
    "/plans": {
        "get": operation(
            "listPlans",
            "plans",
            "The plans you may see: public ones, your own, all for an admin",
            ("200", "PlanList"),
            errors=("401",),
        )
    },
    "/plans/{plan_id}": {
        "parameters": PLAN,
        "get": operation("showPlan", "plans", "One plan", ("200", "Plan"), errors=READ),
    },
    "/plans/{plan_id}/commitments": {
        "parameters": PLAN,
        "get": operation(
            "listCommitments", "commitments", "The plan's commitments", ("200", "CommitmentList")
        ),
        "post": operation(
            "createCommitment",
            "commitments",
            "Draft a new commitment (drafters and the point of contact)",
            ("201", "Commitment"),
            body="CommitmentInput",
            errors=("400", "401", "403", "404"),
        ),
    },
    "/commitments/{commitment_id}": {
        "parameters": COMMITMENT_ID,
        "get": operation("showCommitment", "commitments", "One commitment", ("200", "Commitment")),
        "patch": operation(
            "editCommitment",
            "commitments",
            "Change the text of a draft; saves a revision",
            ("200", "Commitment"),
            body="CommitmentPatch",
            errors=WRITE,
            description="Only the fields sent change; `milestones` replaces them all.",
        ),
    },
    "/commitments/{commitment_id}/revisions": {
        "parameters": COMMITMENT_ID,
        "get": operation(
            "listRevisions",
            "commitments",
            "Every saved version of the text",
            ("200", "RevisionList"),
        ),
    },
    "/commitments/{commitment_id}/events": {
        "parameters": COMMITMENT_ID,
        "post": operation(
            "fireCommitmentEvent",
            "workflow",
            "Fire a workflow event (submit, endorse, sign_off, ...)",
            ("200", "Transition"),
            body="CommitmentEventInput",
            errors=FIRE,
            description="approve and reject are fired by the vote, not by a person.",
        ),
    },
    "/commitments/{commitment_id}/history": {
        "parameters": COMMITMENT_ID,
        "get": operation(
            "commitmentHistory", "workflow", "The hash-chained transition log", ("200", "History")
        ),
    },
    "/commitments/{commitment_id}/comments": {
        "parameters": COMMITMENT_ID,
        "get": operation(
            "listComments", "review", "Comments and their responses", ("200", "CommentList")
        ),
        "post": operation(
            "addComment",
            "review",
            "Comment on the draft or one field of it",
            ("201", "Comment"),
            body="CommentInput",
            errors=WRITE,
        ),
    },
    "/comments/{comment_id}": {
        "parameters": COMMENT_ID,
        "get": operation("showComment", "review", "One comment", ("200", "Comment")),
    },
    "/comments/{comment_id}/response": {
        "parameters": COMMENT_ID,
        "post": operation(
            "respondToComment",
            "review",
            "Give the reasoned response to a comment (drafters and the point of contact)",
            ("200", "Comment"),
            body="ResponseInput",
            errors=WRITE,
        ),
    },
    "/commitments/{commitment_id}/votes": {
        "parameters": COMMITMENT_ID,
        "post": operation(
            "castVote",
            "review",
            "Vote in the current MSF round; the deciding vote fires approve or reject",
            ("201", "VoteResult"),
            body="VoteInput",
            errors=WRITE,
        ),
    },
    "/commitments/{commitment_id}/reports": {
        "parameters": COMMITMENT_ID,
        "get": operation("listReports", "reports", "Progress reports", ("200", "ReportList")),
        "post": operation(
            "createReport",
            "reports",
            "Start a progress report (implementers and the point of contact)",
            ("201", "Report"),
            body="ReportInput",
            errors=WRITE,
        ),
    },
    "/reports/{report_id}": {
        "parameters": REPORT_ID,
        "get": operation("showReport", "reports", "One progress report", ("200", "Report")),
        "patch": operation(
            "editReport",
            "reports",
            "Change a draft report",
            ("200", "Report"),
            body="ReportPatch",
            errors=WRITE,
        ),
    },
    "/reports/{report_id}/events": {
        "parameters": REPORT_ID,
        "post": operation(
            "fireReportEvent",
            "workflow",
            "Fire a report event (submit, accept, send_back)",
            ("200", "Transition"),
            body="ReportEventInput",
            errors=FIRE,
        ),
    },
    "/reports/{report_id}/history": {
        "parameters": REPORT_ID,
        "get": operation(
            "reportHistory", "workflow", "The report's transition log", ("200", "History")
        ),
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapiDocument",
            "tags": ["meta"],
            "summary": "This document",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document",
                    "content": {JSON: {"schema": {"type": "object"}}},
                }
            },
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Cocreate API",
        "version": "1",
        "description": (
            "Co-create, review, approve and follow open-government action plans. Authenticate "
            "with `Authorization: Bearer <token>` (`flask users token EMAIL` prints one). Every "
            'error is `{"error": {"code", "message", ...}}` and writes nothing. Writes that '
            "change a record send the `version` you read: a stale one gets 409."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "tags": [
        {"name": name}
        for name in ("people", "plans", "commitments", "workflow", "review", "reports", "meta")
    ],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "An API token."}
        },
        "schemas": SCHEMAS,
        "responses": {
            **{f"E{code}": spec for code, spec in error_responses()["responses"].items()},
            "Unexpected": {"description": UNEXPECTED, "content": {JSON: {"schema": ref("Error")}}},
        },
    },
}


@route("/openapi.json")
def openapi_document() -> Reply:
    """Serve the OpenAPI document; the one API address that needs no token."""
    return DOCUMENT
