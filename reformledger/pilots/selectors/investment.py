"""Reads of sub-project investment (子项目投资): a pilot's totals, completion rate and
cumulative trend, always summed from its sub-projects and their reports (never typed
on the pilot); the sub-projects a user reports on; and what a pilot's one-page
summary shows of its tasks. Each read is a fixed number of queries, whatever the
number of sub-projects or periods."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period, Rating, RatingGrade, Task
from reformledger.orgs.permissions import scopes_of, under_any
from reformledger.pilots import permissions
from reformledger.pilots.models import InvestmentReport, Pilot, SubProject

ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


def completion_rate(planned: Decimal, completed: Decimal) -> Decimal | None:
    """Completed as a percentage of planned, one decimal (None when nothing is planned)."""
    if not planned:
        return None
    return (completed * 100 / planned).quantize(_TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TrendPoint:
    """One period of a pilot's investment: completed in it, and completed up to its end."""

    period: Period
    amount: Decimal
    cumulative: Decimal
    rate: Decimal | None


@dataclass
class InvestmentTotals:
    """A pilot's investment (10,000 yuan), summed from its sub-projects."""

    sub_projects: int = 0
    planned: Decimal = ZERO
    completed: Decimal = ZERO
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return completion_rate(self.planned, self.completed)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(_CENT)


def investment_totals(pilots: QuerySet[Pilot]) -> dict[int, InvestmentTotals]:
    """Every pilot's sub-project count, planned and completed investment (no trend), in
    two queries: {pilot id: InvestmentTotals}."""
    ids = pilots.order_by().values("pk")
    out: dict[int, InvestmentTotals] = defaultdict(InvestmentTotals)
    planned = (
        SubProject.objects.filter(pilot__in=ids)
        .order_by()
        .values("pilot_id")
        .annotate(n=Count("pk"), planned=Sum("planned_investment"))
    )
    for row in planned:
        totals = out[row["pilot_id"]]
        totals.sub_projects, totals.planned = row["n"], _money(row["planned"])
    completed = (
        InvestmentReport.objects.filter(sub_project__pilot__in=ids)
        .order_by()
        .values("sub_project__pilot_id")
        .annotate(done=Sum("amount"))
    )
    for row in completed:
        out[row["sub_project__pilot_id"]].completed = _money(row["done"])
    return dict(out)


def pilot_investment(pilot: Pilot) -> InvestmentTotals:
    """A pilot's totals and its cumulative trend per period (the periods any of its
    sub-projects reported in, oldest first), in four queries."""
    totals = investment_totals(Pilot.objects.filter(pk=pilot.pk)).get(pilot.pk, InvestmentTotals())
    by_period = (
        InvestmentReport.objects.filter(sub_project__pilot=pilot)
        .order_by()
        .values("period_id")
        .annotate(amount=Sum("amount"))
    )
    amounts = {row["period_id"]: _money(row["amount"]) for row in by_period}
    running = ZERO
    for period in Period.objects.filter(pk__in=amounts).order_by("start", "pk"):
        running += amounts[period.pk]
        totals.trend.append(
            TrendPoint(
                period, amounts[period.pk], running, completion_rate(totals.planned, running)
            )
        )
    return totals


@dataclass
class SubProjectRow:
    """A sub-project as the investment sheet and the pilot's pages show it."""

    sub_project: SubProject
    before: Decimal  # completed in the periods before the period in question
    in_period: Decimal | None  # reported for the period in question, if any
    note: str = ""
    total: Decimal = ZERO  # completed over every period

    @property
    def rate(self) -> Decimal | None:
        return completion_rate(self.sub_project.planned_investment, self.total)


def sub_project_rows(
    sub_projects: QuerySet[SubProject], period: Period | None = None
) -> list[SubProjectRow]:
    """Each sub-project with what it completed before `period` and in it (two queries)."""
    subs = list(sub_projects.select_related("host_unit", "pilot").order_by("code", "pk"))
    before: dict[int, Decimal] = defaultdict(lambda: ZERO)
    total: dict[int, Decimal] = defaultdict(lambda: ZERO)
    current: dict[int, InvestmentReport] = {}
    reports = InvestmentReport.objects.filter(sub_project__in=[s.pk for s in subs]).select_related(
        "period"
    )
    for report in reports:
        total[report.sub_project_id] += report.amount
        if period is None:
            continue
        if report.period_id == period.pk:
            current[report.sub_project_id] = report
        elif report.period.start < period.start:
            before[report.sub_project_id] += report.amount
    rows = []
    for sub in subs:
        report = current.get(sub.pk)
        rows.append(
            SubProjectRow(
                sub_project=sub,
                before=_money(before[sub.pk]),
                in_period=report.amount if report else None,
                note=report.note if report else "",
                total=_money(total[sub.pk]),
            )
        )
    return rows


def reportable_sub_projects(user, pilot: Pilot) -> QuerySet[SubProject]:
    """The pilot's sub-projects `user` may report investment on: all of them for the
    pilot's host unit, else those its unit (or a unit below it) hosts."""
    paths = scopes_of(user).paths(*permissions.UNIT)
    subs = SubProject.objects.filter(pilot=pilot)
    if not paths:
        return subs.none()
    return subs.filter(
        Q(pilot__in=Pilot.objects.filter(under_any("host_unit", paths)).values("pk"))
        | under_any("host_unit", paths)
    )


def sheet_sub_projects(user, pilot: Pilot) -> QuerySet[SubProject]:
    """The sub-projects on `user`'s investment sheet of a pilot: those it reports on; the
    whole pilot for the office (which sends the sheet out)."""
    if permissions.can(user, "manage", pilot):
        return SubProject.objects.filter(pilot=pilot)
    return reportable_sub_projects(user, pilot)


def open_periods(pilot: Pilot) -> QuerySet[Period]:
    """The open periods of the pilot's office, newest first: where investment is reported."""
    return Period.objects.filter(office_id=pilot.office_id, status=PeriodStatus.OPEN).order_by(
        "-start"
    )


def visible_investment_reports(user) -> QuerySet[InvestmentReport]:
    """Investment reports of the sub-projects the user sees, joined for listing."""
    return InvestmentReport.objects.filter(
        sub_project__in=permissions.visible_sub_projects(user).values("pk")
    ).select_related("sub_project", "sub_project__pilot", "period", "reported_by")


@dataclass(frozen=True)
class TaskRating:
    """A pilot's ledger task with the rating in force in its latest rated period."""

    task: Task
    grade: RatingGrade | None
    period: Period | None


def pilot_task_ratings(pilot: Pilot) -> list[TaskRating]:
    """The pilot's ledger tasks, each with its latest rating (three queries)."""
    tasks = list(pilot.tasks.select_related("lead_unit").order_by("year", "code"))
    ids = [t.pk for t in tasks]
    latest = dict(
        Rating.objects.filter(task__in=ids)
        .order_by()
        .values("task_id")
        .annotate(start=Max("period__start"))
        .values_list("task_id", "start")
    )
    grades: dict[int, Rating] = {}
    if latest:
        q = Q()
        for task_id, start in latest.items():
            q |= Q(task_id=task_id, period__start=start)
        for rating in Rating.objects.filter(q).select_related("suggested", "final", "period"):
            grades[rating.task_id] = rating
    out = []
    for task in tasks:
        rating = grades.get(task.pk)
        out.append(
            TaskRating(task, rating.grade if rating else None, rating.period if rating else None)
        )
    return out
