"""Where tasks stand against their plans: planned progress as the rating engine counts
it, beside what the latest accepted report says."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from reformledger.core.clock import business_today
from reformledger.ledger.choices import PlanStatus, ReportStatus
from reformledger.ledger.models import Milestone, Period, ProgressReport, Task
from reformledger.ledger.rating_engine import MilestoneFact, TaskFacts, planned_percent

__all__ = ["Progress", "progress_of"]


@dataclass(frozen=True)
class Progress:
    """Where a task stands against its plan on a day."""

    on: dt.date
    planned: int | None  # percent the approved plan expects by `on`; None without one
    reported: int | None  # percent of the latest accepted progress report; None without one
    reported_period: Period | None  # the period of that report


def progress_of(tasks: list[Task], today: dt.date | None = None) -> dict[int, Progress]:
    """Each task's planned and reported progress: planned as the rating engine counts it
    (`rating_engine.planned_percent`: the weights of the approved plan's milestones due
    by `today`), reported by the latest accepted report. Two queries whatever the
    number of tasks."""
    today = today or business_today()
    ids = [t.pk for t in tasks]
    milestones: dict[int, list[MilestoneFact]] = {}
    for task_id, title, planned, weight, key, reached in (
        Milestone.objects.filter(plan__status=PlanStatus.APPROVED, plan__task__in=ids)
        .order_by("plan__task_id", "order", "planned_date", "pk")
        .values_list("plan__task_id", "title", "planned_date", "weight", "is_key", "reached_on")
    ):
        milestones.setdefault(task_id, []).append(
            MilestoneFact(title, planned, weight, key, reached)
        )
    accepted = ProgressReport.objects.filter(status=ReportStatus.ACCEPTED)
    latest = accepted.filter(task=OuterRef("task")).order_by("-period__start", "-pk")
    reports = {
        r.task_id: r
        for r in accepted.filter(task__in=ids, pk=Subquery(latest.values("pk")[:1]))
        .select_related("period")
        .order_by()
    }
    result = {}
    for task in tasks:
        plan = milestones.get(task.pk)
        facts = TaskFacts(on=today, start_date=task.start_date, milestones=tuple(plan or ()))
        report = reports.get(task.pk)
        result[task.pk] = Progress(
            on=today,
            planned=planned_percent(facts) if plan else None,
            reported=report.percent if report else None,
            reported_period=report.period if report else None,
        )
    return result
