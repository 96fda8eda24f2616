"""The summary rows of closed periods (已关闭报告期汇总): written when a period closes and
rewritten by every act that changes what they count or how they are grouped.

What is kept (`ledger/models/summaries.py`): per closed period and task ledger, ratings
by grade in force per lead unit and per reform area, and reports per lead unit with the
last submission. Who rewrites them, each inside its own transaction:

- `period_close` writes the period's rows (`summaries_rebuild`);
- `task_update` moves a task's counts when its lead unit or area changes
  (`summaries_task_moved`), since the rows are grouped by the task as it is now;
- nothing else can change them: a closed period's ratings and reports are frozen
  (`require_open` in every act on them), and a task's status (closing, reopening,
  carry-over) is not part of what is counted. An act added later that reopens a period
  calls `summaries_rebuild`, which removes the rows of a period that is not closed.

The rows are derived data, as a cache is: each act that rewrites them already writes
its own audit record, which says what changed; they write none of their own.
"""

from collections.abc import Collection, Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from reformledger.ledger import permissions
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import (
    Period,
    PeriodSummary,
    ProgressReport,
    Rating,
    RatingTally,
    ReportTally,
    Task,
)

__all__ = ["summaries_rebuild", "summaries_task_moved"]

#: Rows are written this many at a time.
_BATCH = 2000
#: "Every lead unit" / "every area" for `_write`.
ALL = None


def _write(
    period_ids: list[int],
    *,
    units: Collection[int] | bool | None = ALL,
    areas: Collection[int] | bool | None = ALL,
) -> dict[int, tuple[int, int]]:
    """Replace the rows of `period_ids` grouped by lead unit (those of `units`, every
    unit with ALL, none with False) and by area (likewise), each from one GROUP BY over
    the periods' raw rows. Returns the ratings and reports counted per period."""
    totals: dict[int, list[int]] = {pk: [0, 0] for pk in period_ids}
    ratings = (
        Rating.objects.filter(period_id__in=period_ids)
        .order_by()
        .annotate(grade=Coalesce(F("final_id"), F("suggested_id")))
    )
    reports = ProgressReport.objects.filter(period_id__in=period_ids).order_by()
    rows: list[RatingTally] = []
    if units is not False:
        old = RatingTally.objects.filter(period_id__in=period_ids, lead_unit__isnull=False)
        by_unit = ratings
        if units is not ALL:
            old = old.filter(lead_unit_id__in=units)
            by_unit = by_unit.filter(task__lead_unit_id__in=units)
            reports = reports.filter(task__lead_unit_id__in=units)
        old.delete()
        for g in by_unit.values(
            "period_id", "task__office_id", "task__year", "task__lead_unit_id", "grade"
        ).annotate(n=Count("pk")):
            totals[g["period_id"]][0] += g["n"]
            rows.append(
                RatingTally(
                    period_id=g["period_id"],
                    office_id=g["task__office_id"],
                    year=g["task__year"],
                    lead_unit_id=g["task__lead_unit_id"],
                    grade_id=g["grade"],
                    ratings=g["n"],
                )
            )
        old_reports = ReportTally.objects.filter(period_id__in=period_ids)
        if units is not ALL:
            old_reports = old_reports.filter(lead_unit_id__in=units)
        old_reports.delete()
        report_rows = []
        for g in reports.values(
            "period_id", "task__office_id", "task__year", "task__lead_unit_id"
        ).annotate(n=Count("pk"), last=Max("submitted_at")):
            totals[g["period_id"]][1] += g["n"]
            report_rows.append(
                ReportTally(
                    period_id=g["period_id"],
                    office_id=g["task__office_id"],
                    year=g["task__year"],
                    lead_unit_id=g["task__lead_unit_id"],
                    reports=g["n"],
                    last_submitted=g["last"],
                )
            )
        ReportTally.objects.bulk_create(report_rows, batch_size=_BATCH)
    if areas is not False:
        old = RatingTally.objects.filter(period_id__in=period_ids, area__isnull=False)
        by_area = ratings
        if areas is not ALL:
            old = old.filter(area_id__in=areas)
            by_area = by_area.filter(task__area_id__in=areas)
        old.delete()
        for g in by_area.values(
            "period_id", "task__office_id", "task__year", "task__area_id", "grade"
        ).annotate(n=Count("pk")):
            rows.append(
                RatingTally(
                    period_id=g["period_id"],
                    office_id=g["task__office_id"],
                    year=g["task__year"],
                    area_id=g["task__area_id"],
                    grade_id=g["grade"],
                    ratings=g["n"],
                )
            )
    RatingTally.objects.bulk_create(rows, batch_size=_BATCH)
    return {pk: (r, n) for pk, (r, n) in totals.items()}


def _drop(period_ids: Iterable[int]) -> None:
    ids = list(period_ids)
    RatingTally.objects.filter(period_id__in=ids).delete()
    ReportTally.objects.filter(period_id__in=ids).delete()
    PeriodSummary.objects.filter(period_id__in=ids).delete()


@transaction.atomic
def summaries_rebuild(period: Period, *, by=None) -> PeriodSummary | None:
    """Make the summary rows of `period` equal to a count of its raw rows: written anew
    if it is closed (four grouped queries and the inserts, whatever its size), removed
    if it is open (a reopened period is read from its raw rows again). `by=None` is the
    system (a closing act, the bench fixture); a person must be office staff."""
    if by is not None and not permissions.can_run_office(by, period.office):
        raise PermissionDenied("summaries_rebuild")
    status = Period.objects.filter(pk=period.pk).values_list("status", flat=True).get()
    if status != PeriodStatus.CLOSED:
        _drop([period.pk])
        return None
    ratings, reports = _write([period.pk])[period.pk]
    summary, _created = PeriodSummary.objects.update_or_create(
        period_id=period.pk,
        defaults={"ratings": ratings, "reports": reports, "built_at": timezone.now()},
    )
    return summary


def summaries_task_moved(*, task: Task, lead_unit_id: int, area_id: int) -> None:
    """Move the counts of `task`, whose lead unit was `lead_unit_id` and area `area_id`
    before a change (`task_update`): the rows of both lead units (or both areas) are
    counted again in every summarised period where the task has a rating or report.
    Called inside the changing act's transaction."""
    moved_unit = lead_unit_id != task.lead_unit_id
    moved_area = area_id != task.area_id
    if not (moved_unit or moved_area):
        return
    periods = list(
        PeriodSummary.objects.filter(Q(period__ratings__task=task) | Q(period__reports__task=task))
        .values_list("period_id", flat=True)
        .distinct()
    )
    if not periods:
        return
    _write(
        periods,
        units={lead_unit_id, task.lead_unit_id} if moved_unit else False,
        areas={area_id, task.area_id} if moved_area else False,
    )
