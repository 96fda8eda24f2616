"""The reads of the pilot registry (改革试点): the list (scoped, filtered, sorted, with
its investment totals summed in the database), one pilot's page, the county brands
side by side (一县区一品牌) and the registry's totals. Every read is a fixed number of
queries whatever the number of pilots, sub-projects or reports."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Rating, Task
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Unit
from reformledger.pilots import permissions
from reformledger.pilots.choices import PilotLevel, PilotStatus
from reformledger.pilots.models import (
    Acceptance,
    InvestmentReport,
    MidTermReview,
    Pilot,
    PilotFile,
    SubProject,
)
from reformledger.pilots.selectors.investment import (
    ZERO,
    InvestmentTotals,
    SubProjectRow,
    TaskRating,
    completion_rate,
    pilot_investment,
    pilot_task_ratings,
    sub_project_rows,
)

__all__ = [
    "PILOT_SORTS",
    "BrandRow",
    "PilotDetail",
    "county_brands",
    "pilot_detail",
    "pilot_history",
    "pilot_list",
    "pilot_totals",
    "with_investment",
]

_MONEY = DecimalField(max_digits=16, decimal_places=2)
#: The order of levels on every list: national, provincial, municipal.
LEVEL_RANK = Case(
    *(When(level=level, then=Value(i)) for i, level in enumerate(PilotLevel.values)),
    default=Value(9),
    output_field=IntegerField(),
)
STATUS_RANK = Case(
    *(When(status=status, then=Value(i)) for i, status in enumerate(PilotStatus.values)),
    default=Value(9),
    output_field=IntegerField(),
)

#: The sorts a list accepts (`order`), each with its columns; "-" reverses.
PILOT_SORTS = {
    "code": ("code",),
    "name": ("name",),
    "level": ("level_rank", "code"),
    "status": ("status_rank", "code"),
    "host": ("host_unit__path", "code"),
    "start": ("start", "code"),
    "end": ("end", "code"),
    "sub_projects": ("n_sub_projects", "code"),
    "planned": ("planned", "code"),
    "completed": ("completed", "code"),
    "rate": ("completion", "code"),
}
DEFAULT_ORDER = "level"


def with_investment(pilots: QuerySet[Pilot]) -> QuerySet[Pilot]:
    """The pilots annotated with `n_sub_projects`, `planned` and `completed` (sums of
    their sub-projects and of the sub-projects' investment reports, 10,000 yuan) and
    `completion` (percent, None when nothing is planned), each a subquery so that the
    sums do not multiply one another."""
    subs = SubProject.objects.filter(pilot=OuterRef("pk")).order_by().values("pilot")
    reports = (
        InvestmentReport.objects.filter(sub_project__pilot=OuterRef("pk"))
        .order_by()
        .values("sub_project__pilot")
    )
    return pilots.annotate(
        n_sub_projects=Coalesce(
            Subquery(subs.annotate(n=Count("pk")).values("n")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
        planned=Coalesce(
            Subquery(subs.annotate(s=Sum("planned_investment")).values("s")[:1]),
            Value(ZERO),
            output_field=_MONEY,
        ),
        completed=Coalesce(
            Subquery(reports.annotate(s=Sum("amount")).values("s")[:1]),
            Value(ZERO),
            output_field=_MONEY,
        ),
    ).annotate(
        completion=Case(
            When(
                planned__gt=0,
                then=Cast(F("completed"), FloatField()) * 100.0 / Cast(F("planned"), FloatField()),
            ),
            default=None,
            output_field=FloatField(),
        )
    )


def pilot_list(
    user,
    *,
    level: str | None = None,
    status: str | None = None,
    q: str | None = None,
    office: Unit | None = None,
    order: str = DEFAULT_ORDER,
) -> QuerySet[Pilot]:
    """The pilots `user` sees, filtered by level, status, office and a search of code,
    name, granting body, host unit and brand; each with its investment totals
    (`with_investment`), its office and host unit joined; sorted by `order` (a key of
    PILOT_SORTS, "-" for descending; an unknown one gives the default: level, code).
    One query for a page of rows."""
    qs = permissions.visible_pilots(user)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if office is not None:
        qs = qs.filter(office=office)
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(granting_body__icontains=term)
            | Q(brand__icontains=term)
            | Q(host_unit__name__icontains=term)
            | Q(host_unit__short_name__icontains=term)
        )
    qs = with_investment(qs.select_related("office", "host_unit")).annotate(
        level_rank=LEVEL_RANK, status_rank=STATUS_RANK
    )
    key = (order or DEFAULT_ORDER).lstrip("-")
    columns = PILOT_SORTS.get(key) or PILOT_SORTS[DEFAULT_ORDER]
    if key in PILOT_SORTS and order.startswith("-"):
        first, *rest = columns
        nulls = {"nulls_last": True} if first == "completion" else {}
        return qs.order_by(F(first).desc(**nulls), *rest, "pk")
    if columns[0] == "completion":
        return qs.order_by(F("completion").asc(nulls_last=True), *columns[1:], "pk")
    return qs.order_by(*columns, "pk")


def pilot_totals(pilots: QuerySet[Pilot]) -> dict:
    """The registry's totals over `pilots` (already scoped): how many by level and by
    status, and the planned and completed investment with the completion rate. Three
    queries, whatever the number of pilots:

        {"count": n, "by_level": {level: n}, "by_status": {status: n},
         "planned": Decimal, "completed": Decimal, "rate": Decimal | None,
         "sub_projects": n}
    """
    ids = pilots.order_by().values("pk")
    by_level: dict[str, int] = dict.fromkeys(PilotLevel.values, 0)
    by_status: dict[str, int] = dict.fromkeys(PilotStatus.values, 0)
    rows = Pilot.objects.filter(pk__in=ids).order_by().values("level", "status")
    for row in rows.annotate(n=Count("pk")):
        by_level[row["level"]] = by_level.get(row["level"], 0) + row["n"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    subs = SubProject.objects.filter(pilot__in=ids).aggregate(
        n=Count("pk"), planned=Sum("planned_investment")
    )
    done = InvestmentReport.objects.filter(sub_project__pilot__in=ids).aggregate(s=Sum("amount"))
    planned = (subs["planned"] or ZERO).quantize(Decimal("0.01"))
    completed = (done["s"] or ZERO).quantize(Decimal("0.01"))
    return {
        "count": sum(by_level.values()),
        "by_level": by_level,
        "by_status": by_status,
        "sub_projects": subs["n"],
        "planned": planned,
        "completed": completed,
        "rate": completion_rate(planned, completed),
    }


# --- one pilot ---------------------------------------------------------------------------


@dataclass
class PilotDetail:
    """Everything a pilot's page shows: the pilot (with its office, host and helping
    units, leader), its tasks with their latest ratings and states, its sub-projects
    with their totals, its investment with the cumulative trend per period, its
    reviews, acceptance and files."""

    pilot: Pilot
    tasks: list[TaskRating]
    sub_projects: list[SubProjectRow]
    investment: InvestmentTotals
    reviews: list[MidTermReview]
    acceptance: Acceptance | None
    files: list[PilotFile]
    trend_by_sub_project: dict[int, list[Decimal]] = field(default_factory=dict)

    @property
    def closed_tasks(self) -> int:
        return sum(1 for row in self.tasks if row.task.status == TaskStatus.CLOSED)

    def chart(self) -> dict:
        """The cumulative completed investment per period, stacked by sub-project, for
        the dashboard's bar chart (`web/static/web/dashboard.js`, kind "bars")."""
        labels = [point.period.label for point in self.investment.trend]
        series = []
        palette = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#6c757d")
        for i, row in enumerate(self.sub_projects):
            values = self.trend_by_sub_project.get(row.sub_project.pk)
            if not values:
                continue
            series.append(
                {
                    "name": row.sub_project.code,
                    "title": f"{row.sub_project.code} {row.sub_project.name}",
                    "values": [float(v) for v in values],
                    "colour": palette[i % len(palette)],
                }
            )
        return {"kind": "bars", "categories": labels, "series": series}


def _cumulative_by_sub_project(pilot: Pilot, trend) -> dict[int, list[Decimal]]:
    """Each sub-project's completed investment up to the end of each period of the
    pilot's trend (one query)."""
    order = {point.period.pk: i for i, point in enumerate(trend)}
    amounts: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * len(order))
    rows = InvestmentReport.objects.filter(sub_project__pilot=pilot).values_list(
        "sub_project_id", "period_id", "amount"
    )
    for sub_id, period_id, amount in rows:
        if period_id in order:
            amounts[sub_id][order[period_id]] += amount
    out = {}
    for sub_id, values in amounts.items():
        running, cumulative = ZERO, []
        for value in values:
            running += value
            cumulative.append(running)
        out[sub_id] = cumulative
    return out


def pilot_detail(user, pk: int) -> PilotDetail:
    """A pilot `user` may see, with all its page shows (Pilot.DoesNotExist otherwise:
    a 404). A fixed number of queries whatever the number of tasks, sub-projects,
    periods, reviews and files."""
    pilot = (
        permissions.visible_pilots(user)
        .select_related("office", "host_unit", "leader", "created_by")
        .prefetch_related("helping_units")
        .get(pk=pk)
    )
    investment = pilot_investment(pilot)
    reviews = list(
        MidTermReview.objects.filter(pilot=pilot)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("files", queryset=PilotFile.objects.order_by("pk")))
        .order_by("reviewed_on", "pk")
    )
    acceptance = Acceptance.objects.filter(pilot=pilot).select_related("recorded_by").first()
    files = list(
        PilotFile.objects.filter(pilot=pilot)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    return PilotDetail(
        pilot=pilot,
        tasks=pilot_task_ratings(pilot),
        sub_projects=sub_project_rows(SubProject.objects.filter(pilot=pilot)),
        investment=investment,
        reviews=reviews,
        acceptance=acceptance,
        files=files,
        trend_by_sub_project=_cumulative_by_sub_project(pilot, investment.trend),
    )


def pilot_history(pilot: Pilot) -> QuerySet[AuditRecord]:
    """The pilot's audit records (its acts, its reviews, acceptance, files and
    sub-projects), oldest first."""
    return history_of(pilot).order_by("at", "id")


# --- county brands (一县区一品牌) -----------------------------------------------------------


@dataclass
class BrandRow:
    """A county or zone with its municipal pilot (its brand), if it has one the user sees:
    its state, the latest ratings of its tasks and what it produced."""

    unit: Unit
    pilot: Pilot | None = None
    ratings: list[TaskRating] = field(default_factory=list)
    acceptance: Acceptance | None = None
    tasks: int = 0
    closed_tasks: int = 0
    others: int = 0  # more municipal pilots of the unit, not shown


def county_brands(user, office: Unit) -> list[BrandRow]:
    """Every county and zone under the office's parent (the city), each beside its
    municipal pilot hosted by it or a unit below it — the brand (一县区一品牌): the
    running or latest one the user may see. Five queries whatever the counties."""
    units = Unit.objects.filter(kind__in=(UnitKind.COUNTY, UnitKind.ZONE), is_active=True)
    if office.depth > 1:  # the units beside the office, under its city
        units = units.filter(path__startswith=office.path[: -Unit.steplen], depth=office.depth)
    rows = [BrandRow(unit=u) for u in units.order_by("kind", "path")]
    if not rows:
        return rows
    by_path = {row.unit.path: row for row in rows}
    step = Unit.steplen
    pilots = (
        permissions.visible_pilots(user)
        .filter(office=office, level=PilotLevel.MUNICIPAL)
        .select_related("host_unit")
        .annotate(
            running=Case(
                When(status=PilotStatus.ENDED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("running", "-start", "-pk")
    )
    depths = sorted({row.unit.depth for row in rows})
    chosen: dict[int, Pilot] = {}
    for pilot in pilots:
        path = pilot.host_unit.path
        row = next((by_path[path[: d * step]] for d in depths if path[: d * step] in by_path), None)
        if row is None:
            continue
        if row.pilot is None:
            row.pilot = pilot
            chosen[pilot.pk] = pilot
        else:
            row.others += 1
    if not chosen:
        return rows
    acceptances = {
        a.pilot_id: a for a in Acceptance.objects.filter(pilot__in=list(chosen)).order_by()
    }
    ratings = _ratings_of(list(chosen.values()))
    for row in rows:
        if row.pilot is None:
            continue
        row.acceptance = acceptances.get(row.pilot.pk)
        row.ratings = ratings.get(row.pilot.pk, [])
        row.tasks = len(row.ratings)
        row.closed_tasks = sum(1 for r in row.ratings if r.task.status == TaskStatus.CLOSED)
    return rows


def _ratings_of(pilots: list[Pilot]) -> dict[int, list[TaskRating]]:
    """Each pilot's tasks with their latest rating, for several pilots (two queries)."""
    links = Pilot.tasks.through.objects.filter(pilot__in=[p.pk for p in pilots]).values_list(
        "pilot_id", "task_id"
    )
    by_pilot: dict[int, list[int]] = defaultdict(list)
    for pilot_id, task_id in links:
        by_pilot[pilot_id].append(task_id)
    task_ids = {t for ids in by_pilot.values() for t in ids}
    if not task_ids:
        return {}
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=task_ids).order_by("year", "code")}
    latest: dict[int, Rating] = {}
    ratings = (
        Rating.objects.filter(task__in=task_ids)
        .select_related("period", "suggested", "final")
        .order_by("task_id", "period__start")
    )
    for rating in ratings:
        latest[rating.task_id] = rating  # the last one read is the latest
    out: dict[int, list[TaskRating]] = {}
    for pilot_id, ids in by_pilot.items():
        rows = []
        for task_id in sorted(ids, key=lambda i: (tasks[i].year, tasks[i].code)):
            rating = latest.get(task_id)
            rows.append(
                TaskRating(
                    tasks[task_id],
                    rating.grade if rating else None,
                    rating.period if rating else None,
                )
            )
        out[pilot_id] = rows
    return out
