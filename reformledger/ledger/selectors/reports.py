"""Reads for progress reports and their evidence: a task's reports, the periods a
report can be filed for, and the office's inbox — scoped and joined, so a page
costs the same number of queries however many rows it shows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from reformledger.core.clock import business_today
from reformledger.ledger.choices import PeriodStatus, PlanStatus, ReportStatus
from reformledger.ledger.models import (
    Evidence,
    Milestone,
    Period,
    ProgressReport,
    ReachedMilestone,
    Task,
)
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any

__all__ = [
    "ReportForm",
    "evidence_of",
    "report_form_state",
    "reports_inbox",
    "reports_inbox_periods",
    "reports_of",
]


def _with_parts(qs: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    return qs.select_related("period", "author", "decided_by").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
        Prefetch(
            "reached",
            queryset=ReachedMilestone.objects.select_related("milestone").order_by(
                "milestone__order", "milestone__planned_date"
            ),
        ),
    )


def reports_of(task: Task) -> list[ProgressReport]:
    """A task's progress reports, newest period first, each with its evidence files and
    the milestones it reports as reached (for the task page's reports tab)."""
    return list(_with_parts(task.reports.all()).order_by("-period__start"))


def evidence_of(user, pk: int) -> Evidence:
    """An evidence file the user may download: its task must be visible to them
    (Evidence.DoesNotExist otherwise, which the page turns into a 404)."""
    return Evidence.objects.select_related("task", "task__office", "task__lead_unit").get(
        pk=pk, task__in=visible_tasks(user)
    )


@dataclass
class ReportForm:
    """What the "file a report" page needs for a task."""

    periods: list[Period]  # open periods of the task's year that have begun
    period: Period | None  # the one the page opens on
    report: ProgressReport | None  # the existing report for that period, if any
    milestones: list[Milestone]  # of the approved plan in force


def report_form_state(task: Task, period_id: int | None = None, today: dt.date | None = None):
    """The periods a report can be filed for, and the one to show.

    Without a choice, the earliest open period that has no submitted or accepted
    report yet (a unit catches up in order), else the latest open one.
    """
    today = today or business_today()
    periods = list(
        Period.objects.filter(
            office_id=task.office_id, year=task.year, status=PeriodStatus.OPEN, start__lte=today
        ).order_by("start")
    )
    reports = {r.period_id: r for r in _with_parts(task.reports.all())}
    period = next((p for p in periods if p.pk == period_id), None) if period_id else None
    if period is None and periods:
        done = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        period = next(
            (p for p in periods if p.pk not in reports or reports[p.pk].status not in done),
            periods[-1],
        )
    milestones = list(
        Milestone.objects.filter(plan__task=task, plan__status=PlanStatus.APPROVED).order_by(
            "order", "planned_date"
        )
    )
    return ReportForm(periods, period, reports.get(period.pk) if period else None, milestones)


def reports_inbox(
    user,
    *,
    status: str | None = ReportStatus.SUBMITTED,
    period: Period | None = None,
    unit: Unit | None = None,
) -> QuerySet[ProgressReport]:
    """Reports of the tasks the user sees, by default those awaiting the office's
    decision, oldest submission first; filterable by period and by lead unit (and the
    units below it)."""
    qs = ProgressReport.objects.filter(task__in=visible_tasks(user))
    if status:
        qs = qs.filter(status=status)
    if period is not None:
        qs = qs.filter(period=period)
    if unit is not None:
        qs = qs.filter(under_any("task__lead_unit", (unit.path,)))
    return (
        _with_parts(qs)
        .select_related("task", "task__office", "task__lead_unit")
        .order_by("submitted_at", "pk")
    )


def reports_inbox_periods(user) -> QuerySet[Period]:
    """The periods the inbox can be filtered by: those of the ledgers the user sees."""
    offices = visible_tasks(user).order_by().values("office_id").distinct()
    return Period.objects.filter(office_id__in=offices).order_by("-start", "office_id")
