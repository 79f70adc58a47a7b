"""Load Mongolia's NAP V as demo data, driving every commitment through the real operations.

Nothing here writes state directly: commitments are created, submitted, reviewed, voted on,
signed off and reported on with the same operations the API uses, so their history and hash
chains are real. Flush, never commit: the command commits once.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources

from sqlalchemy import and_, exists, or_, select, update

from ..accounts.models import Organisation, User
from ..accounts.operations import create_user, get_or_create_organisation, grant_role
from ..accounts.roles import (
    CIVIL_SOCIETY,
    CSO_REVIEWER,
    DRAFTER,
    GOVERNMENT,
    IMPLEMENTER,
    MSF_MEMBER,
    POC,
    SIGNATORY,
)
from ..engine.audit import LogEntry, time_source, utcnow
from ..engine.gate import MAJORITY_WITH_PARITY
from ..extensions import db
from ..lifecycle import fire
from ..monitor.importer import import_commitments
from ..notify.models import PENDING, SUPPRESSED, Notification, OutboxMessage
from ..plans.models import ActionPlan, Commitment
from ..plans.operations import create_commitment
from ..plans.schemas import CommitmentInput
from ..reporting.models import ProgressReport
from ..reporting.operations import create_report, fire_report_event
from ..reporting.schemas import ReportInput
from ..review.operations import add_comment, cast_vote, respond_to_comment
from ..schema import sent, validate
from .texts import DEMO_NOTE, FALLBACK_TITLES, TEXTS

PLAN_SLUG = "mongolia-nap5"
DEMO_PASSWORD = "cocreate-demo"
COMMITMENTS_CSV = "nap5_commitments.csv"
# Mongolia's commitments from all five plans in OGP's own data; NAP V's are already here.
EARLIER_PLANS_CSV = "mongolia_commitments.csv"

CABINET_SECRETARIAT = "Cabinet Secretariat"
NGO_MONITORING = "Demo Civic Monitoring NGO"
NGO_DATA = "Demo Citizens' Data NGO"


@dataclass(frozen=True)
class Account:
    key: str
    email: str
    name: str
    role: str | None = None
    sector: str | None = None
    organisation: str | None = None
    language: str = "en"
    is_admin: bool = False


ACCOUNTS = (
    Account("admin", "admin@example.org", "Demo Administrator", is_admin=True),
    Account("poc", "poc@example.org", "Demo Point of Contact", POC, None, CABINET_SECRETARIAT),
    Account("drafter", "drafter@example.org", "Demo Drafter", DRAFTER, None, CABINET_SECRETARIAT),
    Account(
        "cso1", "cso1@example.org", "Demo CSO Reviewer 1", CSO_REVIEWER, None, NGO_MONITORING, "mn"
    ),
    Account("cso2", "cso2@example.org", "Demo CSO Reviewer 2", CSO_REVIEWER, None, NGO_DATA),
    Account(
        "msf_gov1",
        "msf-gov1@example.org",
        "Demo MSF Member (government) 1",
        MSF_MEMBER,
        GOVERNMENT,
        "Ministry of Finance",
        "mn",
    ),
    Account(
        "msf_gov2",
        "msf-gov2@example.org",
        "Demo MSF Member (government) 2",
        MSF_MEMBER,
        GOVERNMENT,
        "Ministry of Justice and Home Affairs",
    ),
    Account(
        "msf_cso1",
        "msf-cso1@example.org",
        "Demo MSF Member (civil society) 1",
        MSF_MEMBER,
        CIVIL_SOCIETY,
        NGO_MONITORING,
    ),
    Account(
        "msf_cso2",
        "msf-cso2@example.org",
        "Demo MSF Member (civil society) 2",
        MSF_MEMBER,
        CIVIL_SOCIETY,
        NGO_DATA,
    ),
    Account(
        "signatory", "signatory@example.org", "Demo Signatory", SIGNATORY, None, CABINET_SECRETARIAT
    ),
    Account(
        "implementer",
        "implementer@example.org",
        "Demo Implementer",
        IMPLEMENTER,
        None,
        "Ministry of Mining and Heavy Industry",
    ),
)


@dataclass(frozen=True)
class SourceRow:
    """One commitment as OGP's commitment page gives it (empty where the source was silent)."""

    number: int
    ogp_id: str
    title: str
    lead_institution: str
    source_url: str


@dataclass
class LoadResult:
    plan: ActionPlan
    accounts_created: list[str] = field(default_factory=list)
    accounts_kept: list[str] = field(default_factory=list)
    organisations: int = 0
    states: Counter[str] = field(default_factory=Counter)
    outbox_marked_sent: int = 0
    earlier_plans: list[ActionPlan] = field(default_factory=list)
    imported: int = 0


class People(dict[str, User]):
    """The demo accounts by key, readable as attributes (people.drafter)."""

    def __getattr__(self, key: str) -> User:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def msf(self) -> list[User]:
        return [self.msf_gov1, self.msf_gov2, self.msf_cso1, self.msf_cso2]


def read_commitments() -> list[SourceRow]:
    """Read the nine NAP V commitments shipped inside the package."""
    raw = resources.files(__package__).joinpath(COMMITMENTS_CSV).read_text(encoding="utf-8")
    return [
        SourceRow(
            number=int(row["commitment_no_inferred"]),
            ogp_id=row["ogp_id"].strip(),
            title=(row["title_on_ogp_site"] or "").strip(),
            lead_institution=(row["lead_institution"] or "").strip(),
            source_url=(row["source_url"] or "").strip(),
        )
        for row in csv.DictReader(io.StringIO(raw, newline=""))
    ]


def demo_plan() -> ActionPlan | None:
    """Return the demo plan when it is loaded."""
    return db.session.scalar(select(ActionPlan).where(ActionPlan.slug == PLAN_SLUG))


def load_demo() -> LoadResult | None:
    """Create the demo plan, accounts and commitments; return None when already loaded."""
    if demo_plan() is not None:
        return None
    rows = read_commitments()
    plan = ActionPlan(
        slug=PLAN_SLUG,
        country="Mongolia",
        title="Mongolia Fifth National Action Plan (NAP V) 2024-2027",
        period_start=date(2023, 12, 27),
        period_end=date(2027, 12, 31),
        reporting_cycle="quarterly",
        approval_rule=MAJORITY_WITH_PARITY,
        is_public=True,
    )
    db.session.add(plan)
    db.session.flush()
    result = LoadResult(plan=plan)

    organisations = _organisations(rows)
    result.organisations = len(organisations)
    people = _accounts(plan, organisations, result)

    commitments = []
    clock = Clock()
    with time_source(clock):
        for row in rows:
            story, start = STORIES[row.number]
            clock.at(start if isinstance(start, datetime) else clock.today - timedelta(days=start))
            commitment = _create(plan, people, row)
            story(commitment, people, clock)
            result.states[commitment.state] += 1
            commitments.append(commitment)
    result.outbox_marked_sent = _suppress_outbox(commitments)
    _import_earlier_plans(result)
    for earlier in result.earlier_plans:
        # The same point of contact ran the earlier plans: their figures sit beside NAP V's.
        grant_role(earlier, people.poc, POC, None)
    return result


def _import_earlier_plans(result: LoadResult) -> None:
    """Import Mongolia's earlier plans from OGP's data, as a point of contact would."""
    raw = resources.files(__package__).joinpath(EARLIER_PLANS_CSV).read_text(encoding="utf-8")
    imported = import_commitments(raw)
    if imported.rejected:
        raise RuntimeError("; ".join(str(r) for r in imported.rejected))
    result.earlier_plans = imported.plans_created
    result.imported = len(imported.created)


def _organisations(rows: list[SourceRow]) -> dict[str, Organisation]:
    government = [CABINET_SECRETARIAT, "Ministry of Finance"] + [
        r.lead_institution for r in rows if r.lead_institution
    ]
    names = {name: GOVERNMENT for name in government}
    names.update({NGO_MONITORING: CIVIL_SOCIETY, NGO_DATA: CIVIL_SOCIETY})
    return {name: get_or_create_organisation(name, sector) for name, sector in names.items()}


def _accounts(
    plan: ActionPlan, organisations: dict[str, Organisation], result: LoadResult
) -> People:
    people = People()
    for account in ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == account.email))
        if user is None:
            user = create_user(
                account.email,
                account.name,
                DEMO_PASSWORD,
                language=account.language,
                organisation=organisations.get(account.organisation or ""),
                is_admin=account.is_admin,
            )
            result.accounts_created.append(account.email)
        else:
            # An account made by hand keeps its password: the demo never overwrites one.
            result.accounts_kept.append(account.email)
        if account.role:
            grant_role(plan, user, account.role, account.sector)
        people[account.key] = user
    return people


def _create(plan: ActionPlan, people: People, row: SourceRow) -> Commitment:
    text = TEXTS[row.ogp_id]
    description = f"{text['description']}\n\n{DEMO_NOTE}"
    if row.source_url:
        description += f" Source of the title and lead institution: {row.source_url}"
    body = {
        "title": row.title or FALLBACK_TITLES[row.ogp_id],
        "problem": text["problem"],
        "description": description,
        "how_it_solves": text["how_it_solves"],
        "ogp_values": text["ogp_values"],
        "lead_agency": row.lead_institution,
        "other_actors_government": text["other_actors_government"],
        "other_actors_civil_society": text["other_actors_civil_society"],
        "expected_results": text["expected_results"],
        "milestones": [
            {"description": d, "start_date": start, "end_date": end}
            for d, start, end in text["milestones"]
        ],
    }
    values = sent(validate(CommitmentInput, body))
    values["ogp_id"] = row.ogp_id
    commitment = create_commitment(plan, people.drafter, values)
    if commitment.number != row.number:
        raise RuntimeError(
            f"{row.ogp_id} became commitment {commitment.number}, not {row.number}: "
            "the demo plan must start empty"
        )
    return commitment


# --- the stories: each takes a fresh draft to where the demo shows it ----------------------------


class Clock:
    """The demo's time: each story starts at its own moment and waits between its steps, so
    the figures have stages that lasted days and the board has stages due soon or overdue.
    Each reading is a millisecond on, so the entries of one moment keep their order."""

    def __init__(self) -> None:
        self.today = self.now = utcnow()

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def at(self, moment: datetime) -> None:
        self.now = moment

    def wait(self, days: float) -> None:
        self.now += timedelta(days=days)


def _submit(c: Commitment, p: People, t: Clock) -> None:
    t.wait(12)  # drafting
    fire(c, "submit", p.drafter, comment="Ready for civil-society review.")


def _endorse(c: Commitment, p: People, t: Clock) -> None:
    _submit(c, p, t)
    t.wait(16)
    fire(c, "endorse", p.cso1, comment="The draft is clear and its milestones are dated.")


def _approve(c: Commitment, p: People, t: Clock) -> None:
    _endorse(c, p, t)
    t.wait(3)
    cast_vote(c, p.msf_gov1, "approve", "Agreed.")
    t.wait(2)
    cast_vote(c, p.msf_cso1, "approve", "Agreed; please keep the forum informed on progress.")
    t.wait(4)
    cast_vote(c, p.msf_cso2, "abstain", "No objection; I abstain as my organisation is involved.")
    t.wait(1)
    cast_vote(c, p.msf_gov2, "approve", "Agreed.")


def _sign_off(c: Commitment, p: People, t: Clock) -> None:
    _approve(c, p, t)
    t.wait(9)
    fire(c, "sign_off", p.signatory, comment="Signed off for implementation.")


def _report(
    c: Commitment,
    p: People,
    t: Clock,
    *,
    label: str,
    start: str,
    end: str,
    completion: str,
    narrative: str,
    statuses: list[str],
    submitted: datetime,
    accepted: datetime | None,
) -> ProgressReport:
    body = {
        "period_label": label,
        "period_start": start,
        "period_end": end,
        "completion": completion,
        "narrative": narrative,
        "milestones": [
            {"milestone_id": m.id, "status": s} for m, s in zip(c.milestones, statuses, strict=True)
        ],
    }
    t.at(submitted)
    report = create_report(c, p.implementer, validate(ReportInput, body).model_dump())
    fire_report_event(report, p.implementer, "submit", version=None, comment=None)
    if accepted is not None:
        t.at(accepted)
        fire_report_event(report, p.poc, "accept", version=None, comment="Accepted; thank you.")
    return report


def _completed(c: Commitment, p: People, t: Clock) -> None:
    _sign_off(c, p, t)
    _report(
        c,
        p,
        t,
        label="2024 Q4",
        start="2024-10-01",
        end="2024-12-31",
        completion="complete",
        narrative="Demo report: both milestones were carried out.",
        statuses=["completed", "completed"],
        submitted=datetime(2025, 1, 17, 9),
        accepted=datetime(2025, 1, 28, 9),
    )
    t.at(datetime(2025, 2, 10, 9))
    fire(c, "complete", p.poc, comment="All milestones are reported complete.")


def _implementation_reported(c: Commitment, p: People, t: Clock) -> None:
    _sign_off(c, p, t)
    _report(
        c,
        p,
        t,
        label="2024 Q1",
        start="2024-01-01",
        end="2024-03-31",
        completion="limited",
        narrative="Demo report: work on the first milestone has started.",
        statuses=["in_progress", "not_started", "not_started"],
        submitted=datetime(2024, 4, 12, 9),
        accepted=datetime(2024, 4, 22, 9),
    )


def _implementation_report_waiting(c: Commitment, p: People, t: Clock) -> None:
    _sign_off(c, p, t)
    # The report on the last quarter that ended ten days or more before the load, handed in
    # nine days ago: it waits on the point of contact, due in five days.
    ended = (t.today - timedelta(days=10)).date()
    quarter = (ended.month - 1) // 3  # the last quarter wholly before the one `ended` is in
    year, quarter = (ended.year, quarter) if quarter else (ended.year - 1, 4)
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(1)
    _report(
        c,
        p,
        t,
        label=f"{year} Q{quarter}",
        start=start.isoformat(),
        end=end.isoformat(),
        completion="not_started",
        narrative="Demo report: consultations are being prepared.",
        statuses=["not_started", "not_started"],
        submitted=t.today - timedelta(days=9),
        accepted=None,
    )


def _one_vote(c: Commitment, p: People, t: Clock) -> None:
    _endorse(c, p, t)
    t.wait(3)
    cast_vote(c, p.msf_cso1, "approve", "The commitment is clear and its milestones are dated.")


def _under_review_with_comment(c: Commitment, p: People, t: Clock) -> None:
    _submit(c, p, t)
    t.wait(5)
    add_comment(
        c,
        p.cso1,
        "Please say how the groups concerned will take part in mapping the barriers.",
        "expected_results",
    )


def _changes_requested(c: Commitment, p: People, t: Clock) -> None:
    _submit(c, p, t)
    t.wait(6)
    comment = add_comment(
        c,
        p.cso2,
        "Who publishes the survey results, and how soon after each survey?",
        "description",
    )
    t.wait(4)
    respond_to_comment(
        comment,
        c,
        p.drafter,
        "Partly adopted: the lead institution publishes them; the timing is still to be agreed.",
        "partly_adopted",
    )
    t.wait(2)
    fire(c, "request_changes", p.cso2, comment="Please agree the publication timing first.")


def _left_in_draft(c: Commitment, p: People, t: Clock) -> None:
    """Stay a draft: its lead institution is unknown, so the submit guard would refuse it."""


# Co-created before the plan began; implemented since.
CO_CREATION = datetime(2023, 10, 2, 9)
# Each story, and when it starts: a date, or so many days before the load, chosen so that the
# stage it ends in is due soon (cso_review 21 days, the vote and sign-off 14) or overdue.
STORIES: dict[int, tuple[Callable[[Commitment, People, Clock], None], datetime | int]] = {
    1: (_completed, CO_CREATION),
    2: (_implementation_reported, CO_CREATION),
    3: (_implementation_report_waiting, CO_CREATION),
    4: (_approve, 55),  # the sign-off is 3 days overdue
    5: (_one_vote, 38),  # the vote is due in 4 days
    6: (_under_review_with_comment, 37),  # the review is 4 days overdue
    7: (_left_in_draft, 20),
    8: (_changes_requested, 42),
    9: (_submit, 16),  # the review is due in 17 days
}


def _suppress_outbox(commitments: list[Commitment]) -> int:
    """Mark the demo's own notifications suppressed, so a first run mails nothing about setup."""
    ids = [c.id for c in commitments]
    reports = select(ProgressReport.id).where(ProgressReport.commitment_id.in_(ids))
    entries = select(LogEntry.id).where(
        or_(
            and_(LogEntry.record_type == "commitment", LogEntry.record_id.in_(ids)),
            and_(LogEntry.record_type == "progress_report", LogEntry.record_id.in_(reports)),
        )
    )
    outcome = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.log_entry_id.in_(entries), OutboxMessage.status == PENDING)
        .values(status=SUPPRESSED, last_error="written while loading demo data; not sent")
        .execution_options(synchronize_session=False)
    )
    # The in-app list starts empty too: the scripted history is there, read, not news.
    db.session.execute(
        update(Notification)
        .where(Notification.log_entry_id.in_(entries))
        .values(read_at=utcnow(), digest_pending=False)
        .execution_options(synchronize_session=False)
    )
    return outcome.rowcount


def real_data_reason() -> str | None:
    """Say why this database may hold real work (a server, or data of its own), or None."""
    if db.session.scalar(select(exists().where(ActionPlan.slug == PLAN_SLUG))):
        return None  # the demo is there already: loading again changes nothing
    if db.engine.dialect.name != "sqlite":
        return f"this is a {db.engine.dialect.name} database"
    demo_emails = [a.email for a in ACCOUNTS]
    others = db.session.scalar(
        select(
            exists().where(User.email.not_in(demo_emails))
            | exists().where(ActionPlan.slug != PLAN_SLUG)
        )
    )
    return "this database holds accounts or plans of its own" if others else None
