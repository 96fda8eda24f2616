"""Progress reports (进展报告) and their evidence files (佐证材料), each act with its
audit record in the same transaction.

A lead unit writes the draft for a period, submits it (late is accepted, the
lateness recorded), and the office accepts it — which marks the milestones it
reports as reached — or returns it with a reason for the unit to correct and
submit again. Nothing is done in a frozen period, nor on a closed task (销账): its
reports and evidence stay as they were until it is reopened.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now, business_today
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import permissions
from reformledger.ledger.choices import ClosingStatus, PlanStatus, ReportStatus
from reformledger.ledger.evidence import check_upload
from reformledger.ledger.models import (
    ClosingRequest,
    Evidence,
    Milestone,
    Period,
    ProgressReport,
    ReachedMilestone,
    Task,
)
from reformledger.ledger.services import periods as period_services
from reformledger.ledger.services.tasks import require_not_closed
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role
from reformledger.orgs.selectors import unit_members

__all__ = [
    "EDITABLE_REPORT",
    "evidence_add",
    "evidence_open",
    "report_accept",
    "report_file",
    "report_return",
    "report_save",
    "report_submit",
    "report_withdraw",
]

#: Statuses in which the unit may still change its report.
EDITABLE_REPORT = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _require_open(period: Period) -> None:
    """Refuse any act in a frozen period (the periods part owns the rule)."""
    period_services.require_open(period)


def _current_milestones(task: Task) -> dict[int, Milestone]:
    return {
        m.pk: m for m in Milestone.objects.filter(plan__task=task, plan__status=PlanStatus.APPROVED)
    }


def _check_report(
    task: Task, period: Period, done: str, percent: Any, reached: list[tuple[Any, Any]]
) -> list[tuple[Milestone, dt.date]]:
    """Validate what a report says; return the reached milestones as rows of the plan."""
    errors: dict[str, list[str]] = {}
    if period.office_id != task.office_id:
        errors.setdefault("period", []).append(_("The period belongs to another office's ledger."))
    if not task.is_open:
        errors.setdefault("task", []).append(
            _("Only a task on the open ledger is reported on (this one is %(status)s).")
            % {"status": task.get_status_display()}
        )
    if not (done or "").strip():
        errors.setdefault("done", []).append(_("Say what was done in the period."))
    if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
        errors.setdefault("percent", []).append(_("Percent complete is a whole number 0–100."))
    plan_rows = _current_milestones(task)
    today = business_today()
    rows: list[tuple[Milestone, dt.date]] = []
    seen: set[int] = set()
    for milestone, on in reached:
        pk = milestone.pk if isinstance(milestone, Milestone) else int(milestone)
        row = plan_rows.get(pk)
        if row is None:
            errors.setdefault("reached", []).append(
                _("A reached milestone must be one of the task's approved plan.")
            )
            continue
        if pk in seen:
            continue
        seen.add(pk)
        if not isinstance(on, dt.date):
            errors.setdefault("reached", []).append(
                _("Give the date %(milestone)s was reached.") % {"milestone": row.title}
            )
        elif on > today:
            errors.setdefault("reached", []).append(
                _("%(milestone)s: the date reached %(date)s is in the future.")
                % {"milestone": row.title, "date": on.isoformat()}
            )
        else:
            rows.append((row, on))
    if errors:
        raise ValidationError(errors)
    return rows


def _snapshot(report: ProgressReport) -> dict[str, Any]:
    return {
        "done": report.done,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "percent": report.percent,
        "reached": [
            f"{r.milestone.title} · {r.reached_on.isoformat()}"
            for r in report.reached.select_related("milestone").order_by("milestone__order")
        ],
    }


@transaction.atomic
def report_save(
    *,
    task: Task,
    period: Period,
    by,
    done: str,
    problems: str = "",
    next_steps: str = "",
    percent: int,
    reached: Iterable[tuple[Milestone | int, dt.date]] = (),
) -> ProgressReport:
    """Write the lead unit's draft report on a task for a period (created or updated).

    A report already submitted or accepted is not changed here: that is a conflict.
    """
    permissions.require(by, "report", task)
    task = require_not_closed(task)
    _require_open(period)
    rows = _check_report(task, period, done, percent, list(reached))
    report = ProgressReport.objects.select_for_update().filter(task=task, period=period).first()
    if report is None:
        report = ProgressReport(task=task, period=period, author=by, percent=percent)
        before: dict[str, Any] = {}
        verb = "report.created"
    else:
        if report.status not in EDITABLE_REPORT:
            raise ConflictError(
                _("The report for %(period)s is already %(status)s; it was not changed.")
                % {"period": period.label, "status": report.get_status_display()}
            )
        before = _snapshot(report)
        verb = "report.edited"
    report.done, report.problems, report.next_steps = done, problems, next_steps
    report.percent = percent
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:  # the same report created at once from two tabs
        raise ConflictError(
            _("A report for %(period)s was just created by someone else; reload the page.")
            % {"period": period.label}
        ) from exc
    report.reached.all().delete()
    ReachedMilestone.objects.bulk_create(
        ReachedMilestone(report=report, milestone=m, reached_on=on) for m, on in rows
    )
    after = _snapshot(report)
    audit.record(
        actor=by,
        verb=verb,
        obj=report,
        ctx=task,
        changes=audit.diff(before, after)
        | ({"period": [None, period.label]} if not before else {}),
    )
    return report


def report_file(
    *,
    task: Task,
    period: Period,
    by,
    done: str,
    problems: str = "",
    next_steps: str = "",
    percent: int,
    reached: Iterable[tuple[Milestone | int, dt.date]] = (),
    files: Iterable[File] = (),
    submit: bool = False,
) -> ProgressReport:
    """File a progress report as a unit does on its form, in one act: write the draft
    (`report_save`), store its evidence files (`evidence_add`), and with `submit` send
    it to the office (`report_submit`). Atomic: a refused file or a refused submission
    leaves no draft, no file row and no audit record, and the files already written to
    storage are deleted again."""
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            report = report_save(
                task=task,
                period=period,
                by=by,
                done=done,
                problems=problems,
                next_steps=next_steps,
                percent=percent,
                reached=reached,
            )
            for upload in files:
                stored.append(evidence_add(task=task, by=by, upload=upload, report=report))
            if submit:
                report = report_submit(report=report, by=by)
    except Exception:
        # The transaction rolled back; the files written before it did must go too.
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return report


def _locked(report: ProgressReport, *expected: str) -> ProgressReport:
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("task", "period")
        .get(pk=report.pk)
    )
    if report.status not in expected:
        raise ConflictError(
            _("The report is now %(status)s; the act was not repeated.")
            % {"status": report.get_status_display()}
        )
    return report


@transaction.atomic
def report_submit(*, report: ProgressReport, by) -> ProgressReport:
    """Send the report to the office. Late is accepted; the days late are recorded.

    Lateness is counted at the first submission: a report returned and corrected
    keeps the lateness it was first filed with.
    """
    permissions.require(by, "report", report.task)
    require_not_closed(report.task_id)
    report = _locked(report, *EDITABLE_REPORT)
    _require_open(report.period)
    first = report.submitted_at is None
    if first:
        report.days_late = max(0, (business_today() - report.period.report_due).days)
    old = report.status
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = business_now()
    report.save(update_fields=["status", "submitted_at", "days_late"])
    audit.record(
        actor=by,
        verb="report.submitted",
        obj=report,
        ctx=report.task,
        changes={"status": [old, report.status], "days_late": [None, report.days_late]},
    )
    return report


@transaction.atomic
def report_withdraw(*, report: ProgressReport, by, reason: str = "") -> ProgressReport:
    """The unit takes a submitted report back (撤回) before the office decides on it: it
    is a draft again, to correct and submit anew. The lead unit's liaison, or whoever
    wrote it, may (`permissions.can_withdraw`); an accepted or returned report is a
    conflict, one of a frozen period refused. The lateness it was first submitted with
    stays (as for a report returned and resubmitted)."""
    permissions.require_withdraw(by, report.task, report.author_id)
    require_not_closed(report.task_id)
    report = _locked(report, ReportStatus.SUBMITTED)
    _require_open(report.period)
    report.status = ReportStatus.DRAFT
    report.save(update_fields=["status"])
    audit.record(
        actor=by,
        verb="report.withdrawn",
        obj=report,
        ctx=report.task,
        reason=(reason or "").strip(),
        changes={"status": [ReportStatus.SUBMITTED.value, report.status]},
    )
    return report


@transaction.atomic
def report_accept(*, report: ProgressReport, by) -> ProgressReport:
    """Accept a submitted report; the milestones it reports become reached in the plan.

    A milestone is matched in the approved plan in force; if the plan was revised
    since the report was written, the revision's milestone with the same title.
    """
    permissions.require(by, "accept_report", report.task)
    require_not_closed(report.task_id)
    report = _locked(report, ReportStatus.SUBMITTED)
    _require_open(report.period)
    current = list(
        Milestone.objects.select_for_update(of=("self",)).filter(
            plan__task_id=report.task_id, plan__status=PlanStatus.APPROVED
        )
    )
    by_pk = {m.pk: m for m in current}
    by_title = {m.title: m for m in current}
    marked: list[str] = []
    for row in report.reached.select_related("milestone"):
        target = by_pk.get(row.milestone_id) or by_title.get(row.milestone.title)
        if target is None or target.reached_on == row.reached_on:
            continue
        target.reached_on = row.reached_on
        target.save(update_fields=["reached_on"])
        marked.append(f"{target.title} · {row.reached_on.isoformat()}")
    report.status = ReportStatus.ACCEPTED
    report.decided_by, report.decided_at = by, business_now()
    report.save(update_fields=["status", "decided_by", "decided_at"])
    changes: dict[str, Any] = {"status": [ReportStatus.SUBMITTED.value, report.status]}
    if marked:
        changes["milestones"] = [None, marked]
    audit.record(actor=by, verb="report.accepted", obj=report, ctx=report.task, changes=changes)
    return report


@transaction.atomic
def report_return(*, report: ProgressReport, by, reason: str) -> ProgressReport:
    """Return a submitted report to the unit with the reason; it corrects and resubmits."""
    permissions.require(by, "accept_report", report.task)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is returned.")})
    require_not_closed(report.task_id)
    report = _locked(report, ReportStatus.SUBMITTED)
    _require_open(report.period)
    report.status = ReportStatus.RETURNED
    report.decided_by, report.decided_at = by, business_now()
    report.return_reason = reason
    report.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
    audit.record(
        actor=by,
        verb="report.returned",
        obj=report,
        ctx=report.task,
        reason=reason,
        changes={"status": [ReportStatus.SUBMITTED.value, report.status]},
    )
    _tell_returned(report, reason)
    return report


def _tell_returned(report: ProgressReport, reason: str) -> None:
    """Tell the report's author and the lead unit's liaisons (in the app, by e-mail and
    in the unit's messenger group) that it came back, and why."""
    task = report.task
    people = {u.pk: u for u in unit_members(task.lead_unit, (Role.UNIT_REPORTER,))}
    if report.author is not None and report.author.is_active:
        people.setdefault(report.author.pk, report.author)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Progress report returned: %(code)s %(title)s (%(period)s)") % {
            "code": task.code,
            "title": task.title,
            "period": report.period.label,
        }
    notices.notify_each(
        people.values(),
        kind=NotificationKind.REPORT_RETURNED,
        # Once per return: a report corrected and returned again is told again.
        key=f"report_returned:report={report.pk}:at={report.decided_at.isoformat()}",
        title=title,
        body=reason,
        link=reverse("ledger:report_file", args=[task.pk]) + f"?period={report.period_id}",
        task=task,
        unit=task.lead_unit_id,
    )


# --- evidence ----------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *,
    task: Task,
    by,
    upload: File,
    report: ProgressReport | None = None,
    closing: ClosingRequest | None = None,
) -> Evidence:
    """Store an evidence file for a task's report or closing request, after checking
    its size, its type by name and by content, and recording its SHA-256.

    The file is written under MEDIA_ROOT with a random name; its own name is kept
    in the row and given back only on download.
    """
    permissions.require(by, "request_closing" if closing is not None else "report", task)
    if report is not None and closing is not None:
        raise ValueError("evidence belongs to a report or a closing request, not both")
    task = require_not_closed(task)
    if report is not None:
        if report.task_id != task.pk:
            raise ValidationError({"report": _("The report is of another task.")})
        report = (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("period")
            .get(pk=report.pk)
        )
        if report.status not in EDITABLE_REPORT:
            raise ConflictError(
                _("The report is now %(status)s; files can no longer be added.")
                % {"status": report.get_status_display()}
            )
        _require_open(report.period)
    if closing is not None:
        if closing.task_id != task.pk:
            raise ValidationError({"closing": _("The closing request is of another task.")})
        closing = ClosingRequest.objects.select_for_update().get(pk=closing.pk)
        if closing.status != ClosingStatus.REQUESTED:
            raise ConflictError(
                _("The closing request is now %(status)s; files can no longer be added.")
                % {"status": closing.get_status_display()}
            )
    checked = check_upload(upload)
    evidence = Evidence(
        task=task,
        report=report,
        closing=closing,
        original_name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    upload.seek(0)
    evidence.file.save(checked.name, upload, save=False)
    try:
        evidence.save()
        audit.record(
            actor=by,
            verb="evidence.added",
            obj=evidence,
            ctx=task,
            changes={
                "file": [None, checked.name],
                "size": [None, checked.size],
                "sha256": [None, checked.sha256],
            },
        )
    except Exception:
        # The row failed: do not leave the stored file behind.
        evidence.file.delete(save=False)
        raise
    return evidence


def evidence_open(*, evidence: Evidence, by) -> File:
    """Open an evidence file for download by someone who may see its task, recording
    the download in the audit trail."""
    if not permissions.can(by, "view", evidence.task):
        raise PermissionDenied("evidence")
    handle = evidence.file.open("rb")
    audit.record(
        actor=by,
        verb="evidence.downloaded",
        obj=evidence,
        ctx=evidence.task,
        changes={"sha256": [None, evidence.sha256]},
    )
    return handle
