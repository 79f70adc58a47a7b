"""Pages for progress reports (with evidence files), comparing revisions, and My work."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.permissions import can_create_report, can_edit_report, can_view_plan
from ..errors import InvalidInput
from ..extensions import db
from ..plans.models import MILESTONE_STATUSES
from ..reporting import queries as report_queries
from ..reporting.attachments import add_attachment, stored_path
from ..reporting.models import Attachment, ProgressReport
from ..reporting.operations import create_report, fire_report_event, update_report
from ..reporting.scales import COMPLETION
from ..reporting.schemas import parse_report
from . import formdata, mywork, revisions
from .work import Refused, attempt, bp, visible_commitment


def _visible_report(report_id: int) -> ProgressReport:
    report = report_queries.get_report(report_id)
    if report is None or not can_view_plan(current_user, report.plan):
        abort(404)
    return report


def _files_and_save(report: ProgressReport) -> None:
    problems: dict[str, str] = {}
    for upload in request.files.getlist("files"):
        if not upload or not upload.filename:
            continue
        try:
            add_attachment(report, current_user, upload.stream, upload.filename)
        except InvalidInput as exc:
            problems.update(exc.errors)
    if problems:
        raise InvalidInput(problems)


def _render_report_form(commitment, report, data, errors, status=200, version=None):
    attachments = []
    if report is not None:
        attachments = db.session.query(Attachment).filter_by(report_id=report.id).all()
    return render_template(
        "web/report_form.html",
        commitment=commitment,
        report=report,
        data=data,
        errors=errors,
        statuses=MILESTONE_STATUSES,
        completion=COMPLETION,
        attachments=attachments,
        version=version if version is not None else (report.version if report else None),
        form_id=request.form.get("form_id") or formdata.new_form_id(),
    ), status


def _report_data(report: ProgressReport) -> dict[str, Any]:
    progress = {p.milestone_id: p for p in report.milestone_progress}
    return {
        "period_label": report.period_label,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "completion": report.completion,
        "narrative": report.narrative,
        "evidence_links": report.evidence_links,
        "milestones": [
            {
                "milestone_id": m.id,
                "status": progress[m.id].status if m.id in progress else m.status,
                "note": progress[m.id].note if m.id in progress else "",
            }
            for m in report.commitment.milestones
        ],
    }


@bp.route("/commitments/<int:commitment_id>/reports/new", methods=["GET", "POST"])
@login_required
def new_report(commitment_id: int):
    """Write a progress report: the period, each milestone's status, completion, evidence."""
    commitment = visible_commitment(commitment_id)
    if not can_create_report(current_user, commitment, check_state=False):
        abort(403)
    ids = {m.id: m.status for m in commitment.milestones}
    if request.method == "GET":
        data = {
            "period_label": "",
            "completion": None,
            "narrative": "",
            "evidence_links": [],
            "milestones": [
                {"milestone_id": m.id, "status": m.status, "note": ""}
                for m in commitment.milestones
            ],
        }
        return _render_report_form(commitment, None, data, {})
    data = formdata.report(request.form, ids, creating=True)
    if formdata.already_done(request.form):
        return redirect(url_for("web.commitment", commitment_id=commitment_id))

    def act() -> ProgressReport:
        report = create_report(commitment, current_user, parse_report(data, creating=True))
        _files_and_save(report)
        return report

    try:
        report = attempt(act)
    except Refused as refused:
        return _render_report_form(commitment, None, data, refused.errors, refused.status)
    formdata.mark_done(request.form)
    flash(_("The report is saved as a draft. Submit it when it is complete."), "notice")
    return redirect(
        url_for("web.commitment", commitment_id=commitment_id, _anchor=f"report-{report.id}")
    )


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit_report(report_id: int):
    """Change a draft progress report and add files to it."""
    report = _visible_report(report_id)
    if not can_edit_report(current_user, report, check_state=False):
        abort(403)
    commitment = report.commitment
    if request.method == "GET":
        return _render_report_form(commitment, report, _report_data(report), {})
    ids = {m.id: m.status for m in commitment.milestones}
    data = formdata.report(request.form, ids, creating=False)

    def act() -> None:
        update_report(
            report, current_user, parse_report(data, creating=False), version=data["version"]
        )
        _files_and_save(report)

    try:
        attempt(act)
    except Refused as refused:
        db.session.expire_all()
        fresh = _visible_report(report_id)
        version = fresh.version if "_stale" in refused.errors else data["version"]
        return _render_report_form(
            fresh.commitment, fresh, data, refused.errors, refused.status, version=version
        )
    flash(_("Saved."), "notice")
    return redirect(
        url_for("web.commitment", commitment_id=commitment.id, _anchor=f"report-{report.id}")
    )


@bp.post("/reports/<int:report_id>/events")
@login_required
def report_event(report_id: int):
    """Submit, accept or send back a progress report."""
    from .work import show_commitment

    report = _visible_report(report_id)
    commitment_id = report.commitment_id
    if formdata.already_done(request.form):  # a second press of the same button
        return redirect(url_for("web.commitment", commitment_id=commitment_id))

    def act() -> None:
        wanted = formdata.check_event(formdata.event(request.form), report.workflow_key)
        fire_report_event(
            report, current_user, wanted.event, version=wanted.version, comment=wanted.comment
        )

    try:
        attempt(act)
    except Refused as refused:
        db.session.expire_all()
        return show_commitment(
            commitment_id, form="report-event", errors=refused.errors, status=refused.status
        )
    formdata.mark_done(request.form)
    flash(_("Done."), "notice")
    return redirect(
        url_for("web.commitment", commitment_id=commitment_id, _anchor=f"report-{report_id}")
    )


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    """Send an evidence file as a download, to those who may see its plan."""
    found = db.session.get(Attachment, attachment_id)
    if found is None:
        abort(404)
    _visible_report(found.report_id)
    response = send_file(
        stored_path(found),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/commitments/<int:commitment_id>/compare")
def compare(commitment_id: int):
    """Show two revisions side by side, the changed words highlighted."""
    commitment = visible_commitment(commitment_id)
    numbers = [r.number for r in commitment.revisions]
    if not numbers:
        abort(404)
    a = request.args.get("a", type=int) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    b = request.args.get("b", type=int) or numbers[-1]
    by_number = {r.number: r for r in commitment.revisions}
    if a not in by_number or b not in by_number:
        abort(404)
    return render_template(
        "web/compare.html",
        commitment=commitment,
        older=by_number[a],
        newer=by_number[b],
        rows=revisions.compare(by_number[a].content, by_number[b].content),
        revisions=commitment.revisions,
    )


@bp.get("/my-work")
@login_required
def my_work():
    """List what waits on the visitor across plans: the oldest of each kind, or one kind paged."""
    kind = request.args.get("kind")
    page = request.args.get("page", 1, type=int)
    if (kind is not None and kind not in mywork.KINDS) or page < 1:
        abort(404)
    work = mywork.work_for(current_user, kind, page)
    if kind and page > 1 and not work.items:
        abort(404)
    total = work.totals.get(kind, 0) if kind else 0
    return render_template(
        "web/my_work.html",
        items=work.items,
        more=work.more() if not kind else {},
        kind=kind,
        page=page,
        has_next=bool(kind) and page * mywork.PAGE < total,
        total=total,
    )
