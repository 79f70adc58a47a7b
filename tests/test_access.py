"""Who may open what: every route of the application, for every kind of visitor.

The table below has one row per (endpoint, method) of the URL map, pages and API alike. A route
without a row fails `test_every_route_has_a_row`: add the row with the answers you intend, and
the parametrized test checks them for anonymous visitors, each plan role, an administrator and
a member of another plan. The scene is a plan that is NOT public, so "404" means "not admitted
to exist"; each case runs in its own rolled-back transaction, so a row may change things.

An answer is a status code, or LOGIN for a redirect to the sign-in page. Pages sign in with the
sign-in form and send a CSRF token with every POST; API calls send a bearer token. A POST row
sends valid input, so an admitted visitor gets the success answer, and a refused one the
refusal, never an input error that would hide the rule.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import Cast, build_app, scratch_database
from tests.web.helpers import PASSWORD, csrf_token, sign_in
from workflow.accounts.models import ApiToken, PlanMembership, User
from workflow.accounts.operations import create_user, grant_role
from workflow.accounts.roles import DRAFTER
from workflow.accounts.tokens import INVITATION, RESET, make_link_token
from workflow.engine.audit import LogEntry
from workflow.extensions import db
from workflow.lifecycle import fire
from workflow.notify.models import FAILED, TRANSITION, UPDATES, Notification, OutboxMessage
from workflow.plans.models import ActionPlan
from workflow.plans.operations import create_commitment
from workflow.plans.schemas import parse_commitment
from workflow.reporting.attachments import add_attachment
from workflow.reporting.operations import create_report
from workflow.reporting.schemas import parse_report
from workflow.review.operations import add_comment, cast_vote

LOGIN = "login"
ACTORS = (
    "anonymous",
    "poc",
    "drafter",
    "cso_reviewer",
    "msf_member",
    "signatory",
    "implementer",
    "admin",  # an administrator with no role on the plan
    "outsider",  # a drafter on another plan
)
ROLES = ACTORS[1:7]


def who(everyone: Any = None, **answers: Any) -> dict[str, Any]:
    """Return the answer for each actor: `everyone` unless named (`roles=` sets the six roles)."""
    table = dict.fromkeys(ACTORS, everyone)
    if "roles" in answers:
        table.update(dict.fromkeys(ROLES, answers.pop("roles")))
    table.update(answers)
    missing = [actor for actor, answer in table.items() if answer is None]
    assert not missing, f"no answer for {missing}"
    return table


def members(
    answer: Any, anonymous: Any = LOGIN, outsider: Any = 404, **answers: Any
) -> dict[str, Any]:
    """The plan's members and administrators get `answer`; others are not admitted it exists."""
    return who(answer, anonymous=anonymous, outsider=outsider, **answers)


def api_members(answer: Any, **answers: Any) -> dict[str, Any]:
    return members(answer, anonymous=401, **answers)


def only(answer: Any, *allowed: str, anonymous: Any = LOGIN, outsider: Any = 404) -> dict[str, Any]:
    """Those in `allowed` get `answer`; the plan's other members (and admin) 403."""
    table = members(403, anonymous=anonymous, outsider=outsider)
    table.update(dict.fromkeys(allowed, answer))
    return table


@dataclass
class Row:
    url: str  # formatted with the scene's ids: "/commitments/{draft}"
    answers: dict[str, Any]
    form: dict[str, Any] | None = None  # page POSTs: the fields (the CSRF token is added)
    json: dict[str, Any] | None = None  # API calls: the body
    headers: dict[str, str] = field(default_factory=dict)


COMPLETE = {
    "title": "Open data on mining licences",
    "problem": "Licence data is scattered.",
    "description": "Publish every licence.",
    "how_it_solves": "One register.",
    "ogp_values": ["access_to_information"],
    "lead_agency": "Ministry of Mining",
    "expected_results": "A public register.",
    "milestones": [
        {"description": "Publish", "start_date": "2024-01-01", "end_date": "2024-06-30"}
    ],
}
PLAN = {
    "slug": "private-plan",
    "country": "Mongolia",
    "title": "A plan that is not public",
    "period_start": "2024-01-01",
    "period_end": "2027-12-31",
    "reporting_cycle": "quarterly",
    "approval_rule": "majority_with_parity",
}
REPORT = {
    "period_label": "2025 Q1",
    "period_start": "2025-01-01",
    "period_end": "2025-03-31",
    "completion": "limited",
    "narrative": "Work has started.",
}

# --- the table: one row per endpoint and method ----------------------------------------------
ACCESS: dict[tuple[str, str], Row] = {
    # Pages anyone may open.
    ("web.index", "GET"): Row("/", who(200)),
    ("web.health", "GET"): Row("/health", who(200)),
    ("static", "GET"): Row("/static/cocreate.css", who(200)),
    ("web.login", "GET"): Row("/login", who(302, anonymous=200)),  # signed in: sent on
    ("web.login", "POST"): Row("/login", who(200), form={"email": "x@example.org"}),
    ("web.logout", "POST"): Row("/logout", who(302)),
    ("web.language", "POST"): Row("/language", who(302), form={"language": "mn", "next": "/"}),
    ("account.forgot_password", "GET"): Row("/password/forgot", who(200)),
    ("account.forgot_password", "POST"): Row(
        "/password/forgot", who(200), form={"email": "drafter@example.org"}
    ),
    # Whoever holds a reset or invitation link may use it: the link is the key.
    ("account.reset_password", "GET"): Row("/password/reset/{reset_token}", who(200)),
    ("account.reset_password", "POST"): Row(
        "/password/reset/{reset_token}",
        who(302),
        form={"password": "a new passphrase", "confirm": "a new passphrase"},
    ),
    ("account.accept_invitation", "GET"): Row("/invitation/{invitation_token}", who(200)),
    ("account.accept_invitation", "POST"): Row(
        "/invitation/{invitation_token}",
        who(302),
        form={"password": "a new passphrase", "confirm": "a new passphrase"},
    ),
    # Signed in.
    ("account.settings", "GET"): Row("/account", who(200, anonymous=LOGIN)),
    ("account.settings", "POST"): Row(
        "/account",
        who(302, anonymous=LOGIN),
        form={"current_password": PASSWORD, "password": "x" * 12, "confirm": "x" * 12},
    ),
    # The plan's pages.
    ("web.commitment", "GET"): Row("/commitments/{draft}", members(200, anonymous=404)),
    ("members.members", "GET"): Row("/plans/{slug}/members", only(200, "poc", "admin")),
    ("members.members", "POST"): Row(
        "/plans/{slug}/members",
        only(302, "poc", "admin"),
        form={"email": "new@example.org", "roles": "drafter", "language": "en"},
    ),
    ("members.revoke", "POST"): Row(
        "/plans/{slug}/members/{membership}/revoke", only(302, "poc", "admin")
    ),
    # The point of contact's pipeline: board and figures for the POC, forum members and admins.
    ("monitor.pipeline", "GET"): Row("/pipeline", who(200, anonymous=LOGIN)),
    ("monitor.board", "GET"): Row("/plans/{slug}/board", only(200, "poc", "msf_member", "admin")),
    ("monitor.figures", "GET"): Row(
        "/plans/{slug}/figures", only(200, "poc", "msf_member", "admin")
    ),
    ("monitor.compare", "GET"): Row(
        "/figures?plan={slug}", only(200, "poc", "msf_member", "admin")
    ),
    ("monitor.printable", "GET"): Row("/plans/{slug}/print", members(200, anonymous=404)),
    ("monitor.printable_pdf", "GET"): Row("/plans/{slug}/plan.pdf", members(200, anonymous=404)),
    ("monitor.export_plan", "GET"): Row("/plans/{slug}/export.csv", members(200, anonymous=404)),
    ("monitor.import_page", "GET"): Row("/import", only(200, "poc", "admin", outsider=403)),
    # Without a file the form is shown again (200); the rule is what this row checks.
    ("monitor.import_page", "POST"): Row(
        "/import", only(200, "poc", "admin", outsider=403), form={}
    ),
    # Administration.
    ("admin.accounts", "GET"): Row("/admin/accounts", only(200, "admin", outsider=403)),
    ("admin.accounts", "POST"): Row(
        "/admin/accounts",
        only(302, "admin", outsider=403),
        form={"email": "new@example.org", "organisation": "0", "language": "en"},
    ),
    ("admin.deactivate", "POST"): Row(
        "/admin/accounts/{other_user}/deactivate", only(302, "admin", outsider=403)
    ),
    ("admin.organisations", "GET"): Row("/admin/organisations", only(200, "admin", outsider=403)),
    ("admin.organisations", "POST"): Row(
        "/admin/organisations",
        only(302, "admin", outsider=403),
        form={"name": "Open Society Forum", "sector": "civil_society"},
    ),
    # The outbox: administrators only; to everyone else it does not exist.
    ("notify.outbox", "GET"): Row("/admin/outbox", who(404, admin=200)),
    ("notify.retry", "POST"): Row("/admin/outbox/{failed_message}/retry", who(404, admin=302)),
    # A person's own notifications and choices: anyone signed in; following needs the plan.
    ("notifications.index", "GET"): Row("/notifications", who(200, anonymous=LOGIN)),
    ("notifications.open_", "POST"): Row(
        "/notifications/{notification}/open", who(404, anonymous=LOGIN, poc=302)
    ),
    ("notifications.preferences", "GET"): Row(
        "/notifications/preferences", who(200, anonymous=LOGIN)
    ),
    ("notifications.preferences", "POST"): Row(
        "/notifications/preferences",
        who(200, anonymous=LOGIN),
        form={"updates": "immediate", "followed": "digest"},
    ),
    ("notifications.follow", "POST"): Row(
        "/commitments/{draft}/follow", members(302), form={"following": "1"}
    ),
    # The API: bearer tokens; no token is 401.
    ("api.openapi_document", "GET"): Row("/api/v1/openapi.json", who(200)),
    ("api.show_me", "GET"): Row("/api/v1/me", who(200, anonymous=401)),
    ("api.list_plans", "GET"): Row("/api/v1/plans", who(200, anonymous=401)),
    ("api.show_plan", "GET"): Row("/api/v1/plans/{plan}", api_members(200)),
    ("api.list_commitments", "GET"): Row("/api/v1/plans/{plan}/commitments", api_members(200)),
    ("api.add_commitment", "POST"): Row(
        "/api/v1/plans/{plan}/commitments",
        only(201, "drafter", "poc", anonymous=401),
        json=COMPLETE,
    ),
    ("api.show_commitment", "GET"): Row("/api/v1/commitments/{draft}", api_members(200)),
    ("api.edit_commitment", "PATCH"): Row(
        "/api/v1/commitments/{draft}",
        only(200, "drafter", "poc", anonymous=401),
        json={"version": 1, "title": "A better title"},
    ),
    ("api.list_revisions", "GET"): Row("/api/v1/commitments/{draft}/revisions", api_members(200)),
    ("api.commitment_history", "GET"): Row("/api/v1/commitments/{draft}/history", api_members(200)),
    ("api.fire_commitment_event", "POST"): Row(
        "/api/v1/commitments/{draft}/events",
        only(200, "drafter", "poc", anonymous=401),
        json={"event": "submit", "version": 1},
    ),
    ("api.list_comments", "GET"): Row("/api/v1/commitments/{draft}/comments", api_members(200)),
    ("api.post_comment", "POST"): Row(
        "/api/v1/commitments/{draft}/comments",
        only(201, "cso_reviewer", "drafter", "poc", "msf_member", anonymous=401),
        json={"body": "Name the register's owner."},
    ),
    ("api.show_comment", "GET"): Row("/api/v1/comments/{comment}", api_members(200)),
    ("api.respond", "POST"): Row(
        "/api/v1/comments/{comment}/response",
        only(200, "drafter", "poc", anonymous=401),
        json={"response": "Done.", "outcome": "adopted"},
    ),
    ("api.vote", "POST"): Row(
        "/api/v1/commitments/{voting}/votes",
        only(201, "msf_member", anonymous=401),
        json={"decision": "approve", "comment": "Agreed."},
    ),
    ("api.list_reports", "GET"): Row(
        "/api/v1/commitments/{implementing}/reports", api_members(200)
    ),
    ("api.add_report", "POST"): Row(
        "/api/v1/commitments/{implementing}/reports",
        only(201, "implementer", anonymous=401),
        json={
            **REPORT,
            "period_label": "2025 Q2",
            "period_start": "2025-04-01",
            "period_end": "2025-06-30",
        },
    ),
    ("api.show_report", "GET"): Row("/api/v1/reports/{report}", api_members(200)),
    ("api.edit_report", "PATCH"): Row(
        "/api/v1/reports/{report}",
        only(200, "implementer", anonymous=401),
        json={"version": 1, "narrative": "More work."},
    ),
    ("api.fire_report_event", "POST"): Row(
        "/api/v1/reports/{report}/events",
        only(200, "implementer", anonymous=401),
        json={"event": "submit", "version": 1},
    ),
    ("api.report_history", "GET"): Row("/api/v1/reports/{report}/history", api_members(200)),
    # The pages that act: the same rules as the API, answered as pages.
    ("work.my_work", "GET"): Row("/my-work", who(200, anonymous=LOGIN)),
    ("work.new_commitment", "GET"): Row(
        "/plans/{plan}/commitments/new", only(200, "drafter", "poc")
    ),
    ("work.new_commitment", "POST"): Row(
        "/plans/{plan}/commitments/new",
        only(302, "drafter", "poc"),
        form={"title": "Open budgets", "do": "save"},
    ),
    ("work.edit_commitment", "GET"): Row("/commitments/{draft}/edit", only(200, "drafter", "poc")),
    ("work.edit_commitment", "POST"): Row(
        "/commitments/{draft}/edit",
        only(302, "drafter", "poc"),
        form={
            **{k: v for k, v in COMPLETE.items() if k != "milestones"},
            "version": "1",
            "milestone_count": "1",
            "milestones-0-description": "Publish",
            "milestones-0-start_date": "2024-01-01",
            "milestones-0-end_date": "2024-06-30",
            "do": "save",
        },
    ),
    ("work.commitment_event", "POST"): Row(
        "/commitments/{draft}/events",
        only(302, "drafter", "poc"),
        form={"event": "submit", "version": "1"},
    ),
    ("work.comment", "POST"): Row(
        "/commitments/{draft}/comments",
        only(302, "cso_reviewer", "drafter", "poc", "msf_member"),
        form={"body": "Name the register's owner.", "field": "lead_agency"},
    ),
    ("work.respond", "POST"): Row(
        "/comments/{comment}/response",
        only(302, "drafter", "poc"),
        form={"response": "Done.", "outcome": "adopted"},
    ),
    ("work.vote", "POST"): Row(
        "/commitments/{voting}/votes",
        only(302, "msf_member"),
        form={"decision": "approve", "comment": "Agreed."},
    ),
    ("work.compare", "GET"): Row("/commitments/{draft}/compare", members(200, anonymous=404)),
    ("work.new_report", "GET"): Row(
        "/commitments/{implementing}/reports/new", only(200, "implementer")
    ),
    ("work.new_report", "POST"): Row(
        "/commitments/{implementing}/reports/new",
        only(302, "implementer"),
        form={
            **REPORT,
            "period_label": "2025 Q2",
            "period_start": "2025-04-01",
            "period_end": "2025-06-30",
        },
    ),
    ("work.edit_report", "GET"): Row("/reports/{report}/edit", only(200, "implementer")),
    ("work.edit_report", "POST"): Row(
        "/reports/{report}/edit",
        only(302, "implementer"),
        form={**REPORT, "version": "1", "narrative": "More work."},
    ),
    ("work.report_event", "POST"): Row(
        "/reports/{report}/events",
        only(302, "implementer"),
        form={"event": "submit", "version": "1"},
    ),
    ("work.new_plan", "GET"): Row("/plans/new", who(403, anonymous=LOGIN, poc=200, admin=200)),
    ("work.new_plan", "POST"): Row(
        "/plans/new",
        who(403, anonymous=LOGIN, poc=302, admin=302),
        form={**PLAN, "slug": "a-new-plan"},
    ),
    ("work.plan_settings", "GET"): Row("/plans/{plan}/settings", only(200, "poc", "admin")),
    ("work.plan_settings", "POST"): Row(
        "/plans/{plan}/settings", only(302, "poc", "admin"), form=PLAN
    ),
    ("work.attachment", "GET"): Row("/attachments/{attachment}", members(200, anonymous=404)),
}


def routes(app: Flask) -> set[tuple[str, str]]:
    """Return every (endpoint, method) the application answers, HEAD and OPTIONS aside."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_a_row(app):
    missing = sorted(routes(app) - set(ACCESS))
    assert not missing, (
        "routes without a row in tests/test_access.py ACCESS; add one with the answers each "
        f"visitor should get: {missing}"
    )
    assert not sorted(set(ACCESS) - routes(app)), "rows for routes that no longer exist"


# --- the scene --------------------------------------------------------------------------------


@dataclass
class Scene:
    user_ids: dict[str, int]
    ids: dict[str, Any]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of this module's own, on a database holding the scene, committed once.

    Building the scene takes a third of a second; each case then runs in the usual rolled-back
    transaction (the `db` fixture asks for `app`, and gets this one), on top of it.
    """
    tmp = tmp_path_factory.mktemp("access")
    with scratch_database(tmp) as url:
        application = build_app(url, tmp / "instance")
        with application.app_context():
            application.config["ACCESS_SCENE"] = build_scene()
            db.session.commit()
        yield application
        with application.app_context():
            db.engine.dispose()


def build_scene() -> Scene:
    """A private plan with one user per role, a draft, a comment, a vote, a report."""
    plan = ActionPlan(
        slug="private-plan",
        country="Mongolia",
        title="A plan that is not public",
        period_start=date(2024, 1, 1),
        period_end=date(2027, 12, 31),
        is_public=False,
    )
    other = ActionPlan(
        slug="other-plan",
        country="Mongolia",
        title="Another plan",
        period_start=date(2024, 1, 1),
        period_end=date(2027, 12, 31),
        is_public=False,
    )
    db.session.add_all([plan, other])
    db.session.flush()
    names = iter(range(1000))
    cast = Cast(
        plan,
        lambda name: create_user(f"{name.split()[0].lower()}{next(names)}@ex.org", name, PASSWORD),
    )
    cast.drafter.email = "drafter@example.org"
    grant_role(other, cast.outsider, DRAFTER)
    admin = create_user("admin@example.org", "Ada Admin", PASSWORD, is_admin=True)
    invited = create_user("invited@example.org", "Ivan Invited", None)

    def commitment():
        return create_commitment(plan, cast.drafter, parse_commitment(COMPLETE, creating=True))

    draft = commitment()
    comment = add_comment(draft, cast.cso1, "Say who keeps the register.", None)
    voting = commitment()
    fire(voting, "submit", cast.drafter)
    fire(voting, "endorse", cast.cso1)
    implementing = commitment()
    fire(implementing, "submit", cast.drafter)
    fire(implementing, "endorse", cast.cso1)
    for member in cast.msf[:3]:
        cast_vote(implementing, member, "approve", "Agreed.")
    fire(implementing, "sign_off", cast.signatory)
    report = create_report(implementing, cast.implementer, parse_report(REPORT, creating=True))
    evidence = add_attachment(report, cast.implementer, io.BytesIO(b"%PDF-1.4\n"), "e.pdf")
    membership = next(m for m in cast.implementer.memberships if m.plan_id == plan.id)
    failed = OutboxMessage(
        recipient_id=cast.poc.id, to_address=cast.poc.email, status=FAILED, attempts=8
    )
    db.session.add(failed)
    entry = db.session.scalars(
        select(LogEntry).where(LogEntry.record_id == voting.id).order_by(LogEntry.id.desc())
    ).first()
    note = Notification(
        user_id=cast.poc.id, kind=UPDATES, template=TRANSITION, log_entry_id=entry.id
    )
    db.session.add(note)
    db.session.flush()
    users = {
        "poc": cast.poc,
        "drafter": cast.drafter,
        "cso_reviewer": cast.cso2,  # the one who did not comment
        "msf_member": cast.msf_cso2,  # the one who has not voted
        "signatory": cast.signatory,
        "implementer": cast.implementer,
        "admin": admin,
        "outsider": cast.outsider,
    }
    ids = {
        "plan": plan.id,
        "slug": plan.slug,
        "draft": draft.id,
        "comment": comment.id,
        "voting": voting.id,
        "implementing": implementing.id,
        "report": report.id,
        "attachment": evidence.id,
        "membership": membership.id,
        "other_user": cast.implementer.id,
        "failed_message": failed.id,
        "notification": db.session.scalar(
            select(Notification.id).where(Notification.user_id == cast.poc.id).limit(1)
        ),
        "reset_token": make_link_token(cast.drafter, RESET),
        "invitation_token": make_link_token(invited, INVITATION),
    }
    assert isinstance(membership, PlanMembership)
    return Scene({actor: user.id for actor, user in users.items()}, ids)


def answer_of(response) -> Any:
    if response.status_code == 302 and response.location.startswith("/login"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", sorted(ACCESS), ids="{0[0]} {0[1]}".format)
def test_who_gets_what(app, browser, route, actor):
    method = route[1]
    row = ACCESS[route]
    scene: Scene = app.config["ACCESS_SCENE"]
    url = row.url.format(**scene.ids)
    user = db.session.get(User, scene.user_ids[actor]) if actor in scene.user_ids else None
    if url.startswith("/api/"):
        headers = dict(row.headers)
        if user is not None:
            _, token = ApiToken.issue(user)
            db.session.flush()
            headers["Authorization"] = f"Bearer {token}"
        response = browser.open(url, method=method, json=row.json, headers=headers)
    else:
        if user is not None:
            assert sign_in(browser, user.email).status_code == 302
        data = None
        if method == "POST":
            page = "/" if user is not None else "/login"  # a page with a form for them
            data = {"csrf_token": csrf_token(browser, page), **(row.form or {})}
        response = browser.open(url, method=method, data=data)
    expected = row.answers[actor]
    assert answer_of(response) == expected, (
        f"{actor} {method} {url}: expected {expected}, got {response.status_code} "
        f"{response.location or ''} {response.get_data(as_text=True)[:300]}"
    )
    response.close()
