"""The dashboard (领导驾驶舱): what a leader reads at a glance about the tasks a user sees.

One selector per chart. Each takes a `Scope` — the user's tasks of one year as a
queryset (never as rows), with the few reference rows every chart needs (the tasks'
offices' grades and periods) — and returns plain data: what its chart draws
(`.chart`, handed to the page with `json_script`) and what its table lists
(`.rows`); the table under each chart shows the same numbers. Each selector runs
one or two aggregate queries (`values()` + `annotate(Count)`), so the page costs a
fixed number of queries whatever the size of the ledger: no selector loads a row
per task or per rating, and the key-task grid is bounded by `KEY_TASK_LIMIT`.

A rating's grade is the decision if there is one, else the suggestion
(`Rating.grade`); ratings are counted by the grade's *level* (what it means to the
engine) and shown with the letter and colour of the office's `RatingGrade` rows, so
an office that renames or recolours its grades changes no code here. Periods of
different offices that share their dates (the city's 2016-03 and a county's) count
as one; "the latest rated period" is the latest such period with any rating.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reformledger.ledger.choices import (
    LEVEL_SEVERITY,
    OPEN_STATUSES,
    STATUS_COLOURS,
    PlanStatus,
    RatingLevel,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import Milestone, Period, ProgressReport, Rating, RatingGrade, Task
from reformledger.ledger.permissions import visible_tasks

if TYPE_CHECKING:
    from reformledger.web.dashboard_supervision import SupervisionSection

#: At most this many units are listed in a chart by unit (the first by the chart's order).
UNIT_LIMIT = 50
#: At most this many key tasks are drawn in the grid of key-task paths, worst first.
KEY_TASK_LIMIT = 60
#: A milestone overdue by more than this many days is serious (DOMAIN step 4, D).
SERIOUS_OVERDUE_DAYS = 30

#: Letters and colours used when an office has defined no rating scale.
DEFAULT_GRADES = {
    RatingLevel.AHEAD: ("A", "#1b7f3b"),
    RatingLevel.ON_SCHEDULE: ("B", "#74b816"),
    RatingLevel.SLIGHTLY_BEHIND: ("C", "#f2b705"),
    RatingLevel.SERIOUSLY_BEHIND: ("D", "#f76707"),
    RatingLevel.STALLED: ("E", "#c92a2a"),
}
#: A unit whose last report is older than this many days is stale; older than the
#: second, very stale (monthly reports fall due 5 days after the period ends).
STALE_DAYS, VERY_STALE_DAYS = 35, 65
RECENT_COLOUR, SOON_COLOUR, LATE_COLOUR, NEVER_COLOUR = "#2f9e44", "#f59f00", "#e03131", "#862e9c"

# The grade in force: the office leader's decision, else the engine's suggestion. Ratings
# are grouped by these ids, not by the grades' columns: a join per rating to the grade
# table would double what the biggest aggregate costs.
_GRADE = Coalesce(F("final_id"), F("suggested_id"))
_TASK_GRADE = Coalesce(F("ratings__final_id"), F("ratings__suggested_id"))


# --- plain data ------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """One grade as the charts show it: its level, letter, name and colour."""

    level: str
    letter: str
    name: str
    colour: str


@dataclass(frozen=True)
class PeriodKey:
    """A rating period as the dashboard groups it: offices whose periods share dates
    are counted together (the city's 2016-03 and a county's 2016-03)."""

    year: int
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        # The same text as Period.label.
        if self.start.month == self.end.month:
            return f"{self.year}-{self.start.month:02d}"
        return f"{self.year}-{self.start.month:02d}/{self.end.month:02d}"


@dataclass
class Series:
    """One stacked series: a grade, a bucket. `stacked=False` shows only in the table."""

    key: str
    name: str
    colour: str
    values: list[int]
    title: str = ""
    stacked: bool = True
    badge: bool = False  # shown as a coloured badge in the table head (a grade)


@dataclass
class Breakdown:
    """Counts by category (an area, a unit, a period) and series (a grade, a bucket):
    a stacked bar chart and its table, one row per category."""

    kind: str  # how dashboard.js draws it: "bars" (vertical) or "hbars" (horizontal)
    categories: list[str]
    series: list[Series]
    links: list[str] = field(default_factory=list)
    of: int = 0  # categories before the UNIT_LIMIT cut (0 = no cut)
    period: PeriodKey | None = None  # the one period the counts were drawn from, if one
    periods: list[PeriodKey] = field(default_factory=list)  # the categories, when periods
    all_total: int | None = None  # the total before the UNIT_LIMIT cut, where it differs

    @property
    def is_empty(self) -> bool:
        return not self.categories

    @property
    def rows(self) -> list[dict]:
        out = []
        for i, category in enumerate(self.categories):
            values = [s.values[i] for s in self.series]
            total = sum(s.values[i] for s in self.series if s.stacked)
            link = self.links[i] if self.links else ""
            out.append({"label": category, "values": values, "total": total, "link": link})
        return out

    @property
    def totals(self) -> dict:
        values = [sum(s.values) for s in self.series]
        total = sum(sum(s.values) for s in self.series if s.stacked)
        return {"values": values, "total": total}

    @property
    def chart(self) -> dict:
        return {
            "kind": self.kind,
            "categories": self.categories,
            "series": [
                {"name": s.name, "title": s.title or s.name, "colour": s.colour, "values": s.values}
                for s in self.series
                if s.stacked
            ],
        }


@dataclass
class StatusSummary:
    """Tasks by status (open, closed, carried over …), for all tasks and key tasks."""

    rows: list[dict]  # {"status", "label", "colour", "all", "key"} per status, life order
    total: int
    key: int
    open: int
    key_open: int
    closed: int
    key_closed: int
    carried_over: int

    @property
    def is_empty(self) -> bool:
        return self.total == 0

    @property
    def chart(self) -> dict:
        return {
            "kind": "donut",
            "total": self.total,
            "total_label": _("Tasks"),
            "items": [
                {"name": r["label"], "colour": r["colour"], "value": r["all"]}
                for r in self.rows
                if r["all"]
            ],
        }


@dataclass
class StaleUnit:
    unit_id: int
    name: str
    open_tasks: int
    last_report: dt.date | None
    days: int  # since the last report, or since its first task started if never
    missing: int  # reports missing for the latest period past its due date

    @property
    def never(self) -> bool:
        return self.last_report is None


@dataclass
class Staleness:
    """Per unit: days since its last submitted report, and reports missing for the
    latest period whose reports are past due. Most stale first."""

    rows: list[StaleUnit]
    period: PeriodKey | None  # the latest period past its due date
    due: dt.date | None
    missing: int  # all units together
    of: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def chart(self) -> dict:
        return {
            "kind": "stale",
            "categories": [r.name for r in self.rows],
            "days": [r.days for r in self.rows],
            "missing": [r.missing for r in self.rows],
            "never": [r.never for r in self.rows],
            "stale_days": STALE_DAYS,
            "very_stale_days": VERY_STALE_DAYS,
            "colours": {
                "recent": RECENT_COLOUR,
                "stale": SOON_COLOUR,
                "very_stale": LATE_COLOUR,
                "never": NEVER_COLOUR,
            },
            "labels": {
                "days": _("Days since the last report"),
                "missing": _("Reports missing"),
                "never": _("Never reported"),
            },
        }


@dataclass
class KeyTaskPath:
    pk: int
    code: str
    title: str
    unit: str
    cells: list[Grade | None]  # one per period of KeyTaskPaths.periods


@dataclass
class KeyTaskPaths:
    """The rating path of each key task: key tasks × periods, worst latest rating first."""

    periods: list[PeriodKey]
    tasks: list[KeyTaskPath]
    grades: list[Grade]
    of: int  # key tasks in all (the grid shows at most KEY_TASK_LIMIT)

    @property
    def is_empty(self) -> bool:
        return not self.tasks

    @property
    def chart(self) -> dict:
        index = {g.level: i for i, g in enumerate(self.grades)}
        cells = [
            [x, y, index[g.level]]
            for y, t in enumerate(self.tasks)
            for x, g in enumerate(t.cells)
            if g is not None
        ]
        return {
            "kind": "heatmap",
            "periods": [p.label for p in self.periods],
            "tasks": [t.code for t in self.tasks],
            "titles": [t.title for t in self.tasks],
            "grades": [
                {"letter": g.letter, "name": g.name, "colour": g.colour} for g in self.grades
            ],
            "cells": cells,
        }


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one user and one year."""

    years: list[int]
    year: int | None
    grades: list[Grade]
    status: StatusSummary
    by_area: Breakdown
    by_unit: Breakdown
    over_periods: Breakdown
    overdue: Breakdown
    staleness: Staleness
    key_paths: KeyTaskPaths
    # The supervision section (web/dashboard_supervision.py); None when not shown.
    supervision: SupervisionSection | None = None

    @property
    def cards(self) -> dict[str, int]:
        return {
            "tasks": self.status.total,
            "open": self.status.open,
            "closed": self.status.closed,
            "key": self.status.key,
            "overdue_milestones": self.overdue.all_total or 0,
            "reports_late": self.staleness.missing,
        }


# --- what every chart reads from ----------------------------------------------------------


@dataclass
class GradeSet:
    """The grades the charts show, best to worst, and the level of every grade id that
    ratings of the tasks may carry (any scale of their offices)."""

    grades: list[Grade]
    level_of: dict[int, str]

    def ids_of(self, level: str) -> list[int]:
        return [pk for pk, lv in self.level_of.items() if lv == level]


@dataclass
class Scope:
    """The user's tasks of one year and the small reference rows their charts need —
    their offices' grades and periods — read once for the whole page."""

    tasks: QuerySet[Task]
    year: int
    today: dt.date
    grades: GradeSet
    periods: dict[int, PeriodKey]  # every period of the tasks' offices, by id
    due: dict[int, dt.date]  # the date reports of each period are due, by id
    offices: dict[int, int]  # the office of each period, by id

    def period_ids(self, key: PeriodKey) -> list[int]:
        return [pk for pk, k in self.periods.items() if k == key]


def dashboard_years(user) -> list[int]:
    """The years in which `user` sees tasks, latest first."""
    years = visible_tasks(user).order_by().values_list("year", flat=True).distinct()
    return sorted(years, reverse=True)


def year_tasks(user, year: int) -> QuerySet[Task]:
    """The tasks of `year` that `user` sees, unordered: every chart starts from it."""
    return visible_tasks(user).filter(year=year).order_by()


def rating_grades(offices: list[int], year: int) -> GradeSet:
    """The grades of the offices' scales (one query). The charts show the letters and
    colours of the scale in force in `year` (else the latest before it); a level no
    scale defines gets the default letter and colour."""
    rows = (
        RatingGrade.objects.filter(scale__office_id__in=offices)
        .order_by("-scale__year", "scale_id")
        .values("pk", "level", "letter", "name", "name_en", "colour", "scale__year")
    )
    english = (get_language() or "").startswith("en")
    found: dict[str, Grade] = {}
    level_of: dict[int, str] = {}
    for row in rows:
        level_of[row["pk"]] = row["level"]
        if row["scale__year"] <= year and row["level"] not in found:
            name = row["name_en"] if english and row["name_en"] else row["name"]
            found[row["level"]] = Grade(row["level"], row["letter"], name, row["colour"])
    grades = []
    for level in RatingLevel:
        if level.value in found:
            grades.append(found[level.value])
        else:
            letter, colour = DEFAULT_GRADES[level]
            grades.append(Grade(level.value, letter, str(level.label), colour))
    return GradeSet(grades, level_of)


def dashboard_scope(user, year: int, today: dt.date) -> Scope:
    """Read what every chart needs besides its own aggregate: the tasks' offices, their
    grades and their periods (three small queries)."""
    tasks = year_tasks(user, year)
    offices = list(tasks.values_list("office_id", flat=True).distinct())
    periods = Period.objects.filter(office_id__in=offices).values(
        "pk", "office_id", "year", "start", "end", "report_due"
    )
    keys, due, office_of = {}, {}, {}
    for p in periods:
        keys[p["pk"]] = PeriodKey(p["year"], p["start"], p["end"])
        due[p["pk"]] = p["report_due"]
        office_of[p["pk"]] = p["office_id"]
    return Scope(tasks, year, today, rating_grades(offices, year), keys, due, office_of)


def empty_scope(today: dt.date) -> Scope:
    """A scope without tasks, for a user who sees none: every chart answers empty."""
    return Scope(Task.objects.none(), 0, today, rating_grades([], 0), {}, {}, {})


def _grade_series(grades: GradeSet, counts: dict[tuple, int], keys: list) -> list[Series]:
    return [
        Series(
            key=g.level,
            name=g.letter,
            title=f"{g.letter} {g.name}",
            colour=g.colour,
            values=[counts.get((k, g.level), 0) for k in keys],
            badge=True,
        )
        for g in grades.grades
    ]


def _ledger_link(year: int, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": year, **params}.items())
    return f"{reverse('ledger:ledger')}?{query}"


# --- one selector per chart ----------------------------------------------------------------


def ratings_over_periods(scope: Scope) -> Breakdown:
    """Ratings in force per period, by grade (one query over every rating of the tasks;
    the only selector whose cost grows with the ratings, grouped in the database). Its
    last period is the latest rated one, which the charts by area and by unit show."""
    rows = (
        Rating.objects.filter(task__in=scope.tasks)
        .order_by()
        .annotate(grade=_GRADE)
        .values("period_id", "grade")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple, int] = {}
    for row in rows:
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


def _rated_in(scope: Scope, period: PeriodKey) -> QuerySet[Task]:
    """The tasks joined to their rating of `period`, with the grade in force as `grade`."""
    return (
        scope.tasks.filter(ratings__period_id__in=scope.period_ids(period))
        .annotate(grade=_TASK_GRADE)
        .order_by()
    )


def ratings_by_area(scope: Scope, period: PeriodKey | None) -> Breakdown:
    """Ratings of `period` (the latest rated one) by reform area and grade (one query)."""
    if period is None:
        return Breakdown(kind="hbars", categories=[], series=_grade_series(scope.grades, {}, []))
    rows = (
        _rated_in(scope, period)
        .values("area_id", "area__order", "area__code", "area__name", "area__name_en", "grade")
        .annotate(n=Count("pk"))
    )
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
    """A lead unit of the year's tasks, with its counts."""

    pk: int
    name: str
    tasks: int
    open: int
    started: int  # open tasks whose start date has come, which owe reports
    first_start: dt.date | None  # the earliest start among those


def lead_units(scope: Scope) -> dict[int, LeadUnit]:
    """The units leading the tasks, most tasks first (one query); the charts by unit
    take their names and order from it."""
    started = Q(status__in=OPEN_STATUSES, start_date__lte=scope.today)
    rows = (
        scope.tasks.values(
            "lead_unit_id", "lead_unit__name", "lead_unit__short_name", "lead_unit__path"
        )
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            started=Count("pk", filter=started),
            first_start=Min("start_date", filter=started),
        )
        .order_by("-n", "lead_unit__path")
    )
    return {
        row["lead_unit_id"]: LeadUnit(
            pk=row["lead_unit_id"],
            name=row["lead_unit__short_name"] or row["lead_unit__name"],
            tasks=row["n"],
            open=row["open"],
            started=row["started"],
            first_start=row["first_start"],
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
    rows = _rated_in(scope, period).values("lead_unit_id", "grade").annotate(n=Count("pk"))
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
    passed, by lead unit: overdue by up to SERIOUS_OVERDUE_DAYS and by more (one query)."""
    today = scope.today
    serious = today - dt.timedelta(days=SERIOUS_OVERDUE_DAYS)
    rows = (
        Milestone.objects.filter(
            plan__status=PlanStatus.APPROVED,
            plan__task__in=scope.tasks.filter(status__in=OPEN_STATUSES),
            reached_on__isnull=True,
            planned_date__lt=today,
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
    """Per unit with open tasks under way: days since its last submitted progress
    report, and reports missing for the latest period of the year past its due date
    (two queries: the last reports, the missing ones)."""
    today = scope.today
    last_rows = (
        scope.tasks.filter(reports__submitted_at__isnull=False)
        .values("lead_unit_id")
        .annotate(last=Max("reports__submitted_at"))
        .order_by()
    )
    last = {row["lead_unit_id"]: timezone.localdate(row["last"]) for row in last_rows}

    past_due = [
        pk for pk, key in scope.periods.items() if key.year == scope.year and scope.due[pk] < today
    ]
    latest, due, missing = None, None, {}
    if past_due:
        latest = max((scope.periods[pk] for pk in past_due), key=lambda p: (p.end, p.start))
        same = [pk for pk in past_due if scope.periods[pk] == latest]
        due = max(scope.due[pk] for pk in same)
        reported = ProgressReport.objects.filter(
            period_id__in=same, status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
        ).values("task_id")
        missing_rows = (
            scope.tasks.filter(
                status__in=OPEN_STATUSES,
                start_date__lte=latest.end,
                office_id__in={scope.offices[pk] for pk in same},
            )
            .exclude(pk__in=reported)
            .values("lead_unit_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        missing = {row["lead_unit_id"]: row["n"] for row in missing_rows}

    rows = []
    for unit in units.values():
        if not unit.started and not missing.get(unit.pk):
            continue
        seen = last.get(unit.pk)
        since = seen or unit.first_start or today
        rows.append(
            StaleUnit(
                unit_id=unit.pk,
                name=unit.name,
                open_tasks=unit.open,
                last_report=seen,
                days=max(0, (today - since).days),
                missing=missing.get(unit.pk, 0),
            )
        )
    rows.sort(key=lambda r: (-r.days, -r.missing, r.name))
    return Staleness(
        rows=rows[:UNIT_LIMIT],
        period=latest,
        due=due,
        missing=sum(missing.values()),
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


def dashboard(user, year: int | str | None = None, today: dt.date | None = None) -> Dashboard:
    """The whole dashboard of `user` for `year` (default and fallback: the latest year
    with ratings it sees, else the latest year with tasks — a year just carried over
    into has tasks but nothing to chart yet). A fixed number of queries whatever the
    number of tasks."""
    today = today or timezone.localdate()
    years = dashboard_years(user)
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    if year not in years:
        rated = (
            Rating.objects.filter(task__in=visible_tasks(user))
            .order_by("-task__year")
            .values_list("task__year", flat=True)
            .first()
        )
        year = rated if rated in years else (years[0] if years else None)
    # Imported here: the supervision section builds on this module's Breakdown.
    from reformledger.web.dashboard_supervision import supervision_section

    # Without a task to show, every selector answers empty without a query.
    scope = dashboard_scope(user, year, today) if year else empty_scope(today)
    status = task_status(scope)
    over = ratings_over_periods(scope)
    latest = over.periods[-1] if over.periods else None
    units = lead_units(scope)
    return Dashboard(
        years=years,
        year=year,
        grades=scope.grades.grades,
        status=status,
        by_area=ratings_by_area(scope, latest),
        by_unit=ratings_by_unit(scope, latest, units),
        over_periods=over,
        overdue=overdue_milestones(scope),
        staleness=staleness(scope, units),
        key_paths=key_task_paths(scope, over.periods, status.key),
        supervision=supervision_section(user, year, today),
    )
