"""An outside client reads the published document and throws at every operation what it allows.

Schemathesis runs its examples, coverage and fuzzing phases with all of its checks against the
app in-process. A workflow API rightly refuses well-formed input for reasons of rights and state,
so for input the document calls valid the accepted answers are 2xx, 401, 403, 404, 409 and 422;
a 400 for such input, a 500, or a reply off its schema fails the test.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from workflow.extensions import db
from workflow.review.operations import add_comment

ACCEPTED_FOR_VALID_INPUT = ["2xx", "401", "403", "404", "409", "422"]
EXAMPLES_PER_OPERATION = 25  # per phase: enough to find drift, few enough for a quick suite


@pytest.fixture
def api_schema(app, cast, draft, advance, create_commitment_, token_for, api):
    """The served document, with the ids of a real draft, comment and report to aim at."""
    comment = add_comment(draft, cast.cso1, "Which licences are covered?", "description")
    implemented = advance(create_commitment_(cast.plan, cast.drafter), "implementation")
    body = {"period_label": "2024 Q1", "period_start": "2024-01-01", "period_end": "2024-03-31"}
    report = api.post(f"/commitments/{implemented.id}/reports", cast.implementer, body).json
    db.session.commit()
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token_for(cast.poc)}"},
            "parameters": {
                "path.plan_id": cast.plan.id,
                "path.commitment_id": draft.id,
                "path.comment_id": comment.id,
                "path.report_id": report["id"],
            },
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "database": "none"},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTED_FOR_VALID_INPUT},
            },
        }
    )
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_keeps_every_promise_of_its_document(case):
    # Raises, naming the check, when a reply breaks the document or the accepted statuses.
    response = case.call_and_validate()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        # Every refusal, whatever the input, is the README's error format: something to act on.
        error = response.json()["error"]
        assert error["code"] and error["message"], error
