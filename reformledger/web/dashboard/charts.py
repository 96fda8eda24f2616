"""One selector per chart of the dashboard: each runs one or two aggregate queries over
the `Scope` and returns its plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reformledger.ledger.choices import (
    LEVEL_SEVERITY,
    OPEN_STATUSES,
    STATUS_COLOURS,
    PlanStatus,
    TaskStatus,
)
from reformledger.ledger.models import Milestone, Rating, Task
from reformledger.ledger.selectors import reporting, task_ledger

if TYPE_CHECKING:
    pass
from reformledger.web.dashboard.data import (
    _GRADE,
    _TASK_GRADE,
    KEY_TASK_LIMIT,
    LATE_COLOUR,
    SERIOUS_OVERDUE_DAYS,
    SOON_COLOUR,
    UNIT_LIMIT,
    Breakdown,
    KeyTaskPath,
    KeyTaskPaths,
    PeriodKey,
    Series,
    Staleness,
    StaleUnit,
    StatusSummary,
)
from reformledger.web.dashboard.scope import (
    Scope,
    _grade_series,
    _ledger_link,
)

# --- one selector per chart ----------------------------------------------------------------


def ratings_over_periods(scope: Scope) -> Breakdown:
    """Ratings in force per period, by grade (one query: the summary rows of the closed
    periods, the raw ratings of the open one). Its last period is the latest rated one,
    which the charts by area and by unit show."""
    summarised, raw = scope.summaries.split(scope.periods)
    # First: the union's rows take their names from it (an empty part asks nothing).
    parts = [
        Rating.objects.filter(task__in=scope.tasks, period_id__in=raw)
        .order_by()
        .annotate(grade=_GRADE)
        .values("period_id", "grade")
        .annotate(n=Count("pk"))
    ]
    if summarised:
        parts += [
            # Counted by area, each rating once.
            scope.summaries.rating_tallies(summarised, "area")
            .values("period_id", "grade_id")
            .annotate(n=Sum("ratings")),
            Rating.objects.filter(
                task__in=scope.summaries.rest(scope.tasks), period_id__in=summarised
            )
            .order_by()
            .annotate(grade=_GRADE)
            .values("period_id", "grade")
            .annotate(n=Count("pk")),
        ]
    counts: dict[tuple, int] = {}
    for row in _union(parts):
        key, level = scope.periods.get(row["period_id"]), scope.grades.level_of.get(row["grade"])
        if key is not None and level is not None:
            counts[key, level] = counts.get((key, level), 0) + row["n"]
    periods = sorted({key for key, _level in counts}, key=lambda p: (p.end, p.start))
    return Breakdown(
        kind="bars",
        categories=[p.label for p in periods],
        series=_grade_series(scope.grades, counts, periods),
        periods=periods,
    )


def _union(parts: list[QuerySet]) -> QuerySet | list:
    """The rows of `parts` (values querysets with the same columns) in one query."""
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _rated_in(scope: Scope, period: PeriodKey, *fields: str) -> list[QuerySet]:
    """The counts of the ratings of `period` by `fields` of their task and the grade in
    force (`grade`) as `n`: raw rows where the period is open, summary rows (and the raw
    rows of the tasks they do not count) where it is closed. Querysets to unite."""
    summarised, raw = scope.summaries.split(scope.period_ids(period))

    def counted(tasks: QuerySet[Task], ids: list[int]) -> QuerySet:
        return (
            tasks.filter(ratings__period_id__in=ids)
            .annotate(grade=_TASK_GRADE)
            .order_by()
            .values(*fields, "grade")
            .annotate(n=Count("pk"))
        )

    # First: the union's rows take their names from it (an empty part asks nothing).
    parts = [counted(scope.tasks, raw)]
    if summarised:
        by = "area" if fields[0] == "area_id" else "lead_unit"
        parts += [
            scope.summaries.rating_tallies(summarised, by)
            .values(*fields, "grade_id")
            .annotate(n=Sum("ratings")),
            counted(scope.summaries.rest(scope.tasks), summarised),
        ]
    return parts


def ratings_by_area(scope: Scope, period: PeriodKey | None) -> Breakdown:
    """Ratings of `period` (the latest rated one) by reform area and grade (one query)."""
    if period is None:
        return Breakdown(kind="hbars", categories=[], series=_grade_series(scope.grades, {}, []))
    fields = ("area_id", "area__order", "area__code", "area__name", "area__name_en")
    rows = _union(_rated_in(scope, period, *fields))
    english = (get_language() or "").startswith("en")
    areas: dict[int, tuple] = {}
    counts: dict[tuple, int] = {}
    for row in rows:
        level = scope.grades.level_of.get(row["grade"])
        name = row["area__name_en"] if english and row["area__name_en"] else row["area__name"]
        areas[row["area_id"]] = (row["area__order"], row["area__code"], name)
        key = (row["area_id"], level)
        counts[key] = counts.get(key, 0) + row["n"]
    order = sorted(areas, key=lambda a: areas[a][:2])
    return Breakdown(
        kind="hbars",
        categories=[areas[a][2] for a in order],
        series=_grade_series(scope.grades, counts, order),
        links=[_ledger_link(scope.year, area=a) for a in order],
        period=period,
    )


@dataclass(frozen=True)
class LeadUnit:
    """A lead unit of the year's tasks, with its number of tasks."""

    pk: int
    name: str
    tasks: int


def lead_units(scope: Scope) -> dict[int, LeadUnit]:
    """The units leading the tasks, most tasks first (one query); the charts by unit
    take their names and order from it."""
    rows = (
        scope.tasks.values(
            "lead_unit_id", "lead_unit__name", "lead_unit__short_name", "lead_unit__path"
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_unit__path")
    )
    return {
        row["lead_unit_id"]: LeadUnit(
            pk=row["lead_unit_id"],
            name=row["lead_unit__short_name"] or row["lead_unit__name"],
            tasks=row["n"],
        )
        for row in rows
    }


def ratings_by_unit(
    scope: Scope, period: PeriodKey | None, units: dict[int, LeadUnit]
) -> Breakdown:
    """Ratings of `period` by lead unit and grade (one query), the units with the most
    tasks first, at most UNIT_LIMIT of them."""
    if period is None:
        return Breakdown(kind="hbars", categories=[], series=_grade_series(scope.grades, {}, []))
    rows = _union(_rated_in(scope, period, "lead_unit_id"))
    counts: dict[tuple, int] = {}
    for row in rows:
        key = (row["lead_unit_id"], scope.grades.level_of.get(row["grade"]))
        counts[key] = counts.get(key, 0) + row["n"]
    rated = {unit for unit, _level in counts}
    order = [pk for pk in units if pk in rated]  # `units` is ordered by task count
    shown = order[:UNIT_LIMIT]
    return Breakdown(
        kind="hbars",
        categories=[units[pk].name for pk in shown],
        series=_grade_series(scope.grades, counts, shown),
        links=[_ledger_link(scope.year, lead_unit=pk) for pk in shown],
        of=len(order) if len(order) > len(shown) else 0,
        period=period,
    )


def task_status(scope: Scope) -> StatusSummary:
    """Tasks by status, all and key ones (one query): open, closed, carried over …"""
    rows = scope.tasks.values("status", "is_key").annotate(n=Count("pk")).order_by()
    all_, key = dict.fromkeys(TaskStatus.values, 0), dict.fromkeys(TaskStatus.values, 0)
    for row in rows:
        all_[row["status"]] += row["n"]
        if row["is_key"]:
            key[row["status"]] += row["n"]
    return StatusSummary(
        rows=[
            {
                "status": status.value,
                "label": str(status.label),
                "colour": STATUS_COLOURS[status.value],
                "all": all_[status.value],
                "key": key[status.value],
                "is_open": status in OPEN_STATUSES,
            }
            for status in TaskStatus
        ],
        total=sum(all_.values()),
        key=sum(key.values()),
        open=sum(all_[s] for s in OPEN_STATUSES),
        key_open=sum(key[s] for s in OPEN_STATUSES),
        closed=all_[TaskStatus.CLOSED],
        key_closed=key[TaskStatus.CLOSED],
        carried_over=all_[TaskStatus.CARRIED_OVER],
    )


def overdue_milestones(scope: Scope) -> Breakdown:
    """Milestones of approved plans of open tasks, not reached, whose planned date has
    passed by their ledger's reference date, by lead unit: overdue by up to
    SERIOUS_OVERDUE_DAYS and by more (one query)."""
    ledger = task_ledger("plan__task__")
    serious = scope.dates.on(ledger, days=SERIOUS_OVERDUE_DAYS)
    rows = (
        Milestone.objects.filter(
            scope.dates.overdue_milestones(),
            plan__status=PlanStatus.APPROVED,
            plan__task__in=scope.tasks.filter(status__in=OPEN_STATUSES),
        )
        .order_by()
        .values(
            "plan__task__lead_unit_id",
            "plan__task__lead_unit__name",
            "plan__task__lead_unit__short_name",
        )
        .annotate(
            n=Count("pk"),
            soon=Count("pk", filter=Q(planned_date__gte=serious)),
            late=Count("pk", filter=Q(planned_date__lt=serious)),
            key=Count("pk", filter=Q(is_key=True)),
        )
    )

    def name(row) -> str:
        return row["plan__task__lead_unit__short_name"] or row["plan__task__lead_unit__name"]

    ordered = sorted(rows, key=lambda r: (-r["n"], name(r)))
    shown = ordered[:UNIT_LIMIT]
    days = {"days": SERIOUS_OVERDUE_DAYS}
    return Breakdown(
        kind="hbars",
        categories=[name(r) for r in shown],
        series=[
            Series(
                key="soon",
                name=_("≤ %(days)s days late") % days,
                title=_("Overdue up to %(days)s days") % days,
                colour=SOON_COLOUR,
                values=[r["soon"] for r in shown],
            ),
            Series(
                key="late",
                name=_("> %(days)s days late") % days,
                title=_("Overdue more than %(days)s days") % days,
                colour=LATE_COLOUR,
                values=[r["late"] for r in shown],
            ),
            Series(
                key="key",
                name=_("of which key milestones"),
                colour="#495057",
                values=[r["key"] for r in shown],
                stacked=False,
            ),
        ],
        links=[_ledger_link(scope.year, lead_unit=r["plan__task__lead_unit_id"]) for r in shown],
        of=len(ordered) if len(ordered) > len(shown) else 0,
        all_total=sum(r["n"] for r in ordered),
    )


def staleness(scope: Scope, units: dict[int, LeadUnit]) -> Staleness:
    """Per unit with open tasks under way: days without a progress report and reports
    missing for the latest period past its due date, as the staleness page counts them
    (`ledger.selectors.reporting`: one query), to the year's reference date."""
    as_of = scope.as_of
    past_due = [p for p in scope.year_periods() if scope.due_of(p) < as_of]
    latest = max(past_due, key=lambda p: (p.end, p.start)) if past_due else None
    rows = []
    for unit_id, r in reporting(scope.tasks, scope.dates, summaries=scope.summaries).items():
        if r.days_silent is None and not r.missing:
            continue
        unit = units.get(unit_id)
        rows.append(
            StaleUnit(
                unit_id=unit_id,
                name=unit.name if unit else "",
                open_tasks=r.open_tasks,
                last_report=r.last_report,
                days=r.days_silent or 0,
                missing=r.missing,
            )
        )
    rows.sort(key=lambda r: (-r.days, -r.missing, r.name))
    return Staleness(
        rows=rows[:UNIT_LIMIT],
        period=latest,
        due=scope.due_of(latest) if latest else None,
        missing=sum(r.missing for r in rows),
        of=len(rows) if len(rows) > UNIT_LIMIT else 0,
    )


def key_task_paths(scope: Scope, periods: list[PeriodKey], of: int) -> KeyTaskPaths:
    """The rating path of the key tasks over `periods`: at most KEY_TASK_LIMIT of them,
    the worst latest rating first (two queries, bounded by the key tasks shown)."""
    # The severity of each key task's latest rating, worked out inside the subquery:
    # a CASE over the subquery's result would run the subquery once per grade.
    severity = Case(
        *(
            When(grade__in=scope.grades.ids_of(level), then=rank)
            for level, rank in LEVEL_SEVERITY.items()
        ),
        default=-1,
        output_field=IntegerField(),
    )
    latest = (
        Rating.objects.filter(task=OuterRef("pk"))
        .order_by("-period__end")
        .annotate(grade=_GRADE)
        .annotate(severity=severity)
        .values("severity")[:1]
    )
    rows = list(
        scope.tasks.filter(is_key=True)
        .annotate(severity=Coalesce(Subquery(latest), -1))
        .order_by("-severity", "code")
        .values("pk", "code", "title", "lead_unit__name", "lead_unit__short_name")[:KEY_TASK_LIMIT]
    )
    by_level = {g.level: g for g in scope.grades.grades}
    column = {p: i for i, p in enumerate(periods)}
    paths = {
        row["pk"]: KeyTaskPath(
            pk=row["pk"],
            code=row["code"],
            title=row["title"],
            unit=row["lead_unit__short_name"] or row["lead_unit__name"],
            cells=[None] * len(periods),
        )
        for row in rows
    }
    if paths:
        ratings = (
            Rating.objects.filter(task_id__in=list(paths))
            .order_by()
            .annotate(grade=_GRADE)
            .values("task_id", "period_id", "grade")
        )
        for r in ratings:
            x = column.get(scope.periods.get(r["period_id"]))
            level = scope.grades.level_of.get(r["grade"])
            if x is not None and level is not None:
                paths[r["task_id"]].cells[x] = by_level[level]
    return KeyTaskPaths(
        periods=periods, tasks=list(paths.values()), grades=scope.grades.grades, of=of
    )
