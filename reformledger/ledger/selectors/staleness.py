"""Staleness per unit (DOMAIN: staleness): who has stopped reporting, and the one
definition of "days without a progress report" every page shows — the staleness
page, the dashboard and the candidates for a leading-group meeting (`reporting`).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from reformledger.core.clock import business_now
from reformledger.ledger.choices import OPEN_STATUSES
from reformledger.ledger.models import ProgressReport, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.selectors.reminders import FILED, REPORTING_STATUSES
from reformledger.ledger.selectors.summaries import Summarised
from reformledger.ledger.selectors.years import (
    ReferenceDates,
    end_of_day,
    reference_dates,
    task_ledger,
)
from reformledger.notifications.choices import UNIT_KINDS
from reformledger.notifications.models import Notification
from reformledger.orgs.models import Unit

#: Days an unread reminder waits before the staleness page counts it as ignored.
IGNORED_AFTER_DAYS = 7


# --- Reporting: the one definition ------------------------------------------------


@dataclass
class Reporting:
    """How a lead unit (or one task) stands with its progress reports, as of the
    reference date of its ledger year (`as_of`).

    Days without a progress report: from its last report submitted by then (whatever
    became of the report since), or, if it has none, from the day its first open task
    began; none while no open task has begun. Reports missing: its tasks under way that
    owe a report for the latest period whose reports were due by then, and filed none.
    """

    key: int  # the lead unit's id, or the task's
    open_tasks: int = 0
    missing: int = 0
    last_report: dt.date | None = None
    first_start: dt.date | None = None  # the earliest start of its open tasks begun
    as_of: dt.date | None = None

    @property
    def since(self) -> dt.date | None:
        return self.last_report or self.first_start

    @property
    def days_silent(self) -> int | None:
        """Days without a progress report (the one definition)."""
        if self.since is None or self.as_of is None:
            return None
        return max(0, (self.as_of - self.since).days)

    @property
    def never_reported(self) -> bool:
        return self.last_report is None


def _missing(dates: ReferenceDates) -> Q | None:
    """Tasks under way that owe a report for their ledger's period last due by its
    reference date, and filed none by then; None when no period is due anywhere."""
    if not dates.last_due:
        return None
    owes, reported = Q(), Q()
    for (office, year), (period, end) in dates.last_due.items():
        owes |= Q(office_id=office, year=year, start_date__lte=end)
        by_then = end_of_day(dates.of(office, year))
        reported |= Q(period_id=period, submitted_at__lt=by_then)
    filed = ProgressReport.objects.filter(reported, status__in=FILED).values("task_id")
    return Q(status__in=REPORTING_STATUSES) & owes & ~Q(pk__in=filed)


def reporting(
    tasks: QuerySet[Task],
    dates: ReferenceDates,
    *,
    per: str = "lead_unit",
    summaries: Summarised | None = None,
) -> dict[int, Reporting]:
    """Reporting of the lead units of `tasks` (`per="lead_unit"`) or of each task
    (`per="task"`), for those with open tasks, each counted to the reference date of its
    own ledger year. Two grouped queries whatever the number of tasks (one per task).

    With `summaries` (per lead unit; `tasks` hold every task of the ledgers they stand
    for, and their reports fall in its periods), a unit's last report in the summarised
    periods is read from their summary rows, and only the other periods' reports are
    scanned."""
    key = {"lead_unit": "lead_unit_id", "task": "pk"}[per]
    open_ = Q(status__in=OPEN_STATUSES)
    missing = _missing(dates)
    counts = {
        "open": Count("pk", filter=open_),
        "missing": Count("pk", filter=missing) if missing is not None else Value(0),
        "first_start": Min("start_date", filter=open_),
    }
    # A report counts once submitted by the reference date (whatever became of it).
    by_then = dates.end_of()
    grouped = tasks.order_by()
    if per == "task":
        # A task's last report, a subquery of its own row: one query in all.
        last = (
            ProgressReport.objects.filter(task=OuterRef("pk"), submitted_at__lt=OuterRef("by"))
            .order_by("-submitted_at")
            .values("submitted_at")[:1]
        )
        grouped = grouped.annotate(by=by_then, last_report=Subquery(last))
        counts["last"] = Max("last_report")
        lasts = []
    elif summaries is not None and summaries.period_ids:
        lasts = _last_reports(tasks, dates, summaries)
    else:
        # A unit's last report over its tasks' reports, grouped as the tasks are.
        lasts = (
            tasks.order_by()
            .annotate(by=by_then)
            .filter(reports__submitted_at__lt=F("by"))
            .values(key, "office_id", "year")
            .annotate(last=Max("reports__submitted_at"))
        )
    rows: dict[int, Reporting] = {}
    latest: dict[int, dt.datetime] = {}
    for g in [*grouped.values(key, "office_id", "year").annotate(**counts), *lasts]:
        if g.get("last") is not None and (g[key] not in latest or g["last"] > latest[g[key]]):
            latest[g[key]] = g["last"]
        if not g.get("open"):
            continue
        row = rows.setdefault(g[key], Reporting(key=g[key]))
        as_of = dates.of(g["office_id"], g["year"])
        row.open_tasks += g["open"]
        row.missing += g["missing"]
        # The open tasks begun by then (the reference date is one for the group).
        if g["first_start"] and g["first_start"] <= as_of:
            row.first_start = min(filter(None, (row.first_start, g["first_start"])))
        row.as_of = max(row.as_of, as_of) if row.as_of else as_of
    for k, row in rows.items():
        if k in latest:
            row.last_report = timezone.localdate(latest[k])
    return rows


def _last_reports(tasks: QuerySet[Task], dates: ReferenceDates, summaries: Summarised):
    """Each lead unit's last report submitted by its ledger's reference date, per ledger
    (two queries): the summary rows of the summarised periods whose last report came by
    then, and the raw reports of the other periods, of the summarised periods where a
    report came after it (a closed year read on its end; usually none), and of the tasks
    the summary rows do not count. A maximum read twice is the same maximum."""
    ids, others = list(summaries.period_ids), list(summaries.raw_ids)
    in_time = Q(last_submitted__lt=dates.end_of())
    # Listed first, not as a subquery: a planner unsure of the rows may run a subquery
    # once per report.
    late = list(summaries.report_tallies(ids).exclude(in_time).values_list("period_id", flat=True))
    by_then = Q(submitted_at__lt=dates.end_of(task_ledger("task__")))

    def raw(rows: QuerySet[ProgressReport]) -> QuerySet:
        return (
            rows.filter(by_then)
            .order_by()
            .annotate(u=F("task__lead_unit_id"), o=F("task__office_id"), y=F("task__year"))
            .values("u", "o", "y")
            .annotate(last=Max("submitted_at"))
        )

    parts = [
        summaries.report_tallies(ids)
        .filter(in_time)
        .annotate(u=F("lead_unit_id"), o=F("office_id"), y=F("year"))
        .values("u", "o", "y")
        .annotate(last=Max("last_submitted")),
        raw(ProgressReport.objects.filter(task__in=tasks, period_id__in=others)),
        raw(ProgressReport.objects.filter(task__in=tasks, period_id__in=sorted(set(late)))),
        raw(ProgressReport.objects.filter(task__in=summaries.rest(tasks), period_id__in=ids)),
    ]
    return [
        {"lead_unit_id": g["u"], "office_id": g["o"], "year": g["y"], "last": g["last"]}
        for g in parts[0].union(*parts[1:], all=True)
    ]


# --- Staleness per unit ----------------------------------------------------------


@dataclass
class UnitStaleness:
    """How stale one lead unit is (DOMAIN: staleness), as the office's page shows it."""

    unit_id: int
    reporting: Reporting
    ignored_reminders: int = 0
    unit: Unit | None = None

    @property
    def open_tasks(self) -> int:
        return self.reporting.open_tasks

    @property
    def missing_reports(self) -> int:
        return self.reporting.missing

    @property
    def days_silent(self) -> int | None:
        return self.reporting.days_silent

    @property
    def never_reported(self) -> bool:
        return self.reporting.never_reported


#: Sort keys of the staleness page; "worst" (the default) is worst first.
STALENESS_SORTS = {
    "unit": lambda r: (r.unit.path if r.unit else "",),
    "open": lambda r: (r.open_tasks,),
    "missing": lambda r: (r.missing_reports,),
    "silent": lambda r: (r.days_silent if r.days_silent is not None else -1,),
    "ignored": lambda r: (r.ignored_reminders,),
    "worst": lambda r: (
        r.missing_reports,
        r.ignored_reminders,
        r.days_silent if r.days_silent is not None else -1,
        r.open_tasks,
    ),
}


def staleness_by_unit(
    user,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    *,
    year: int | None = None,
    dates: ReferenceDates | None = None,
):
    """Per lead unit of the user's visible open tasks (of `year`, or of every year):
    open tasks, reports missing and days without a progress report as `reporting`
    counts them, and reminders ignored (sent to its people about its tasks, unread
    after IGNORED_AFTER_DAYS days).

    Three grouped queries whatever the number of units and tasks (and one for the
    reference dates without `dates`); the caller sorts and pages the list, then loads
    the units of one page with `attach_units`.
    """
    now = now or business_now()
    dates = dates or reference_dates(today or timezone.localdate(now))
    tasks = visible_tasks(user).order_by()
    if year is not None:
        tasks = tasks.filter(year=year)
    rows = {
        unit_id: UnitStaleness(unit_id=unit_id, reporting=r)
        for unit_id, r in reporting(tasks, dates).items()
    }
    if not rows:
        return []
    ignored = (
        Notification.objects.filter(
            task__in=tasks,
            kind__in=UNIT_KINDS,
            read_at__isnull=True,
            created_at__lt=now - dt.timedelta(days=IGNORED_AFTER_DAYS),
        )
        .order_by()
        .values("task__lead_unit_id")
        .annotate(n=Count("pk"))
    )
    for g in ignored:
        row = rows.get(g["task__lead_unit_id"])
        if row is not None:
            row.ignored_reminders = g["n"]
    return list(rows.values())


def attach_units(rows: list[UnitStaleness]) -> list[UnitStaleness]:
    """Load the units of `rows` (one page of them) in one query."""
    units = Unit.objects.in_bulk([r.unit_id for r in rows])
    for r in rows:
        r.unit = units.get(r.unit_id)
    return rows


def sort_staleness(rows: list[UnitStaleness], sort: str) -> list[UnitStaleness]:
    """Sort by `sort`, a key of STALENESS_SORTS, ascending, or descending with a "-"
    in front; anything else sorts worst first."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in STALENESS_SORTS or name == "worst":
        name, descending = "worst", True
    if name == "unit":
        # Sorting by unit needs every unit; the numbers need only one page's.
        attach_units(rows)
    key = STALENESS_SORTS[name]
    return sorted(rows, key=lambda r: (*key(r), r.unit_id), reverse=descending)
