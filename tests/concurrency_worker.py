"""Run in a separate process by test_concurrency: fire one event as one user, report the outcome."""

from __future__ import annotations

from typing import Any


def fire_in_process(config: dict[str, Any], job: dict[str, Any], barrier, results) -> None:
    """Build an app of this process's own, wait for the others, then fire and commit."""
    from workflow import create_app
    from workflow.accounts.auth import user_by_email
    from workflow.engine import WorkflowError
    from workflow.extensions import db
    from workflow.lifecycle import fire
    from workflow.plans.models import Commitment

    app = create_app(config)
    with app.app_context():
        barrier.wait(timeout=60)
        try:
            commitment = db.session.get(Commitment, job["commitment_id"])
            fire(
                commitment,
                job["event"],
                user_by_email(job["email"]),
                version=job["version"],
                comment=job.get("comment"),
            )
            db.session.commit()
            results.put((job["name"], "ok", commitment.state))
        except WorkflowError as exc:
            db.session.rollback()
            results.put((job["name"], exc.code, exc.message))
        except Exception as exc:  # reported to the test, which fails on it
            db.session.rollback()
            results.put((job["name"], "crash", repr(exc)))
