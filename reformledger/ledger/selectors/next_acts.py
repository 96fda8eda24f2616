"""The next act (待办, DOMAIN: what every part keeps): what waits for each person, in one
place, each a row linking to the page where the act is done.

`next_acts(user)` gathers every kind of act waiting for a user: the ledger's own kinds
(`ledger_sources`) and those a higher app adds through `register` — supervision does,
in its AppConfig.ready, so the ledger never imports it. Each kind is a `Source`: the
rows that are due (a queryset scoped to the user, one row per act) and how the first
few of them are shown. The counts of every kind are one query together (a UNION ALL of
one COUNT per kind), so `next_acts_count(user)`, the navigation's badge, costs one
query; the page adds one query per kind that has rows, whatever their number.

Kinds read on a period use the working year (`selectors.years`): the tasks that cannot
be rated are judged on its period, a city leader's D/E tasks are those of its latest
rated period. Acts that wait on a row (a plan submitted, a report returned, a closing
to sign) wait whatever the year; a report is due for every open period that has ended,
so December's report still shows in January.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.core.clock import business_today
from reformledger.ledger.choices import (
    OPEN_STATUSES,
    ClosingStatus,
    NotRatedReason,
    PeriodStatus,
    PlanStatus,
    RatingLevel,
    RatingStatus,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import (
    ClosingRequest,
    Milestone,
    Period,
    Plan,
    ProgressReport,
    Rating,
    Task,
)
from reformledger.ledger.rating_engine import not_rated_reason
from reformledger.ledger.selectors.reminders import REPORTING_STATUSES
from reformledger.ledger.selectors.years import ReferenceDates, WorkingYear, working_year
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import Scopes, scopes_of, under_any

__all__ = [
    "NextAct",
    "NextActContext",
    "NextActGroup",
    "NextActs",
    "Source",
    "first_rows",
    "next_acts",
    "next_acts_count",
    "register_next_acts",
]

#: Rows shown per kind on a landing page; the count says how many more there are.
SHOWN_PER_KIND = 20

#: The grades a city leader is shown: seriously behind (D) and stalled (E).
WORST_LEVELS = (RatingLevel.SERIOUSLY_BEHIND, RatingLevel.STALLED)

#: A report that stops a period's report being due: sent, accepted, or returned (the
#: unit then corrects it: a kind of its own).
_REPORT_HANDED_IN = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED)


@dataclass(frozen=True)
class NextAct:
    """One act waiting for a user: what it is about, where it is done, and why or by
    when."""

    subject: str  # e.g. "2016-001 表格化捆绑式绩效考核改革", "督办〔2016〕3号"
    url: str  # the page where the act is done
    detail: str = ""  # by when, or why: "due 2016-07-05", "returned: …"
    late: bool = False  # past its due date
    count: int = 1  # a row standing for several acts (a period's ratings)


@dataclass(frozen=True)
class Source:
    """One kind of next act for one user: the rows that are due (a queryset, one row per
    act, scoped to the user, without annotations) and how the first `limit` of them are
    shown (a fixed number of queries)."""

    kind: str
    label: str  # what to do, as the group's heading: "Plans to write"
    due: QuerySet
    items: Callable[[int], list[NextAct]]
    more_url: str = ""  # the page listing every one of them, if there is one


@dataclass
class NextActGroup:
    """The acts of one kind, as a landing page shows them."""

    kind: str
    label: str
    count: int
    items: list[NextAct] = field(default_factory=list)
    more_url: str = ""

    @property
    def more(self) -> int:
        """How many are not among the rows shown."""
        return max(0, self.count - sum(item.count for item in self.items))


@dataclass
class NextActs:
    """Everything waiting for one user, by kind (only the kinds with something due)."""

    groups: list[NextActGroup]
    kinds: int = 0  # how many kinds apply to the user's roles (0: the page shows none)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    def of(self, kind: str) -> NextActGroup | None:
        return next((g for g in self.groups if g.kind == kind), None)


class NextActContext:
    """Whom the next acts are gathered for: the user, where their roles reach, the day,
    and the working year (read only when a kind needs it)."""

    def __init__(self, user, today: dt.date, dates: ReferenceDates | None = None):
        self.user = user
        self.scopes: Scopes = scopes_of(user)
        self.today = today
        self._dates = dates

    def paths(self, *roles: str) -> tuple[str, ...]:
        return self.scopes.paths(*roles)

    @cached_property
    def working(self) -> WorkingYear:
        return working_year(self.user, today=self.today, dates=self._dates)


#: A provider gives the sources of its kinds for one user (none for roles it has
#: nothing for).
Provider = Callable[[NextActContext], Iterable[Source]]

_PROVIDERS: dict[str, Provider] = {}


def register_next_acts(name: str, provider: Provider) -> None:
    """Add a higher app's kinds to everyone's next acts (in its AppConfig.ready).
    Idempotent: registering a name again replaces its provider."""
    _PROVIDERS[name] = provider


def _sources(context: NextActContext) -> list[Source]:
    return [source for provider in _PROVIDERS.values() for source in provider(context)]


def _counts(sources: list[Source]) -> list[int]:
    """The number of rows due of each source, in one query."""
    if not sources:
        return []
    parts = [
        s.due.order_by()
        .annotate(next_act_kind=Value(i, output_field=IntegerField()))
        .values("next_act_kind")
        .annotate(next_act_n=Count("pk"))
        for i, s in enumerate(sources)
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found = dict(combined.values_list("next_act_kind", "next_act_n"))
    return [found.get(i, 0) for i in range(len(sources))]


def next_acts(
    user,
    *,
    today: dt.date | None = None,
    dates: ReferenceDates | None = None,
    limit: int = SHOWN_PER_KIND,
) -> NextActs:
    """What waits for `user`, by kind, with the first `limit` rows of each (DOMAIN: the
    next act). One query for every count, then one (rarely two or three) per kind that
    has rows, whatever the number of rows."""
    context = NextActContext(user, today or business_today(), dates)
    sources = _sources(context)
    groups = []
    for source, count in zip(sources, _counts(sources), strict=True):
        if count:
            groups.append(
                NextActGroup(
                    kind=source.kind,
                    label=source.label,
                    count=count,
                    items=source.items(limit),
                    more_url=source.more_url,
                )
            )
    return NextActs(groups, kinds=len(sources))


def next_acts_count(
    user, *, today: dt.date | None = None, dates: ReferenceDates | None = None
) -> int:
    """How many acts wait for `user` (the navigation's badge): one query (and the
    working year's, for a role whose kinds are read on its period)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    context = NextActContext(user, today or business_today(), dates)
    return sum(_counts(_sources(context)))


# --- the ledger's kinds ------------------------------------------------------------


def _task_label(task: Task) -> str:
    return f"{task.code} {task.title}"


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def first_rows(
    due: QuerySet, related: tuple[str, ...], order: tuple[str, ...], show: Callable
) -> Callable[[int], list[NextAct]]:
    """The common way to show a kind: its first rows, joined and sorted, one item each
    (one query)."""

    def items(limit: int) -> list[NextAct]:
        return [show(row) for row in due.select_related(*related).order_by(*order)[:limit]]

    return items


def ledger_sources(context: NextActContext) -> list[Source]:
    """The ledger's kinds, by role: a unit liaison's plans, reports and tasks ready to
    close, a unit head's closing requests to sign, the office staff's plans and reports
    to decide and the tasks that cannot be rated, an office leader's ratings and
    closings to decide, a city leader's D/E tasks."""
    sources: list[Source] = []
    if liaison := context.paths(Role.UNIT_REPORTER):
        sources += _liaison_sources(context, liaison)
    if heads := context.paths(Role.UNIT_HEAD):
        sources.append(_closings_to_sign(heads))
    if staff := context.paths(Role.OFFICE_ADMIN):
        sources += _staff_sources(context, staff)
    if leaders := context.paths(Role.OFFICE_LEADER):
        sources += _leader_sources(leaders)
    if city := context.paths(Role.CITY_LEADER):
        sources += _city_sources(context, city)
    return sources


# A unit liaison (联络员): plans and reports of the tasks its unit leads.


def _plan_missing(paths: tuple[str, ...]) -> Source:
    in_force = Plan.objects.filter(
        task=OuterRef("pk"),
        status__in=[PlanStatus.APPROVED, PlanStatus.SUBMITTED, PlanStatus.REJECTED],
    )
    due = Task.objects.filter(under_any("lead_unit", paths), status__in=OPEN_STATUSES).filter(
        ~Exists(in_force)
    )

    def items(limit: int) -> list[NextAct]:
        drafted = Plan.objects.filter(task=OuterRef("pk"), status=PlanStatus.DRAFT)
        rows = due.annotate(drafted=Exists(drafted)).order_by("deadline", "code")[:limit]
        return [
            NextAct(
                subject=_task_label(t),
                url=reverse("ledger:plan_edit", args=[t.pk]),
                detail=_("a draft is saved but not submitted")
                if t.drafted
                else _("no plan written yet"),
            )
            for t in rows
        ]

    return Source("plan_missing", _("Plans to write and submit"), due, items)


def _plan_returned(paths: tuple[str, ...]) -> Source:
    due = Plan.objects.filter(
        under_any("task__lead_unit", paths),
        task__status__in=OPEN_STATUSES,
        status=PlanStatus.REJECTED,
    )

    def show(plan: Plan) -> NextAct:
        return NextAct(
            subject=_task_label(plan.task),
            url=reverse("ledger:plan_edit", args=[plan.task_id]),
            detail=_("returned on %(date)s: %(reason)s")
            % {"date": _day(plan.decided_at), "reason": plan.decision_note},
        )

    return Source(
        "plan_returned",
        _("Plans returned to correct"),
        due,
        first_rows(due, ("task",), ("decided_at", "pk"), show),
    )


def _reports_due(context: NextActContext, paths: tuple[str, ...]) -> Source:
    """Tasks under way that owe a report for an open period already ended: no report
    handed in (a draft is not)."""
    today = context.today
    handed_in = ProgressReport.objects.filter(
        task=OuterRef(OuterRef("pk")), period=OuterRef("pk"), status__in=_REPORT_HANDED_IN
    )
    owed = Period.objects.filter(
        office=OuterRef("office"),
        year=OuterRef("year"),
        status=PeriodStatus.OPEN,
        end__lt=today,
        end__gte=OuterRef("start_date"),
    ).filter(~Exists(handed_in))
    due = Task.objects.filter(under_any("lead_unit", paths), status__in=REPORTING_STATUSES).filter(
        Exists(owed)
    )

    def items(limit: int) -> list[NextAct]:
        tasks = list(due.order_by("code")[:limit])
        if not tasks:
            return []
        periods = list(
            Period.objects.filter(
                office_id__in={t.office_id for t in tasks},
                year__in={t.year for t in tasks},
                status=PeriodStatus.OPEN,
                end__lt=today,
            ).order_by("start")
        )
        handed = set(
            ProgressReport.objects.filter(
                task__in=tasks, period__in=periods, status__in=_REPORT_HANDED_IN
            ).values_list("task_id", "period_id")
        )
        rows = []
        for task in tasks:
            missing = [
                p
                for p in periods
                if p.office_id == task.office_id
                and p.year == task.year
                and p.end >= task.start_date
                and (task.pk, p.pk) not in handed
            ]
            if not missing:
                continue
            words = [
                (
                    _("%(period)s, late since %(due)s")
                    if p.report_due < today
                    else _("%(period)s, due %(due)s")
                )
                % {"period": p.label, "due": p.report_due.isoformat()}
                for p in missing
            ]
            rows.append(
                NextAct(
                    subject=_task_label(task),
                    url=reverse("ledger:report_file", args=[task.pk]) + f"?period={missing[0].pk}",
                    detail="; ".join(words),
                    late=any(p.report_due < today for p in missing),
                )
            )
        rows.sort(key=lambda item: not item.late)
        return rows

    return Source("report_due", _("Progress reports to file"), due, items)


def _reports_returned(paths: tuple[str, ...]) -> Source:
    due = ProgressReport.objects.filter(
        under_any("task__lead_unit", paths),
        task__status__in=OPEN_STATUSES,
        period__status=PeriodStatus.OPEN,
        status=ReportStatus.RETURNED,
    )

    def show(report: ProgressReport) -> NextAct:
        return NextAct(
            subject=_task_label(report.task),
            url=reverse("ledger:report_file", args=[report.task_id])
            + f"?period={report.period_id}",
            detail=_("%(period)s, returned: %(reason)s")
            % {"period": report.period.label, "reason": report.return_reason},
        )

    return Source(
        "report_returned",
        _("Progress reports returned to correct"),
        due,
        first_rows(due, ("task", "period"), ("decided_at", "pk"), show),
    )


#: A closing request waiting on the unit head or the office: the task is not offered
#: for closing again meanwhile.
_CLOSING_PENDING = (ClosingStatus.REQUESTED, ClosingStatus.SIGNED)


def _ready_to_close(paths: tuple[str, ...]) -> Source:
    """Tasks under way whose approved plan in force has every milestone reached (through
    accepted reports), with no closing request pending: the unit may ask to close them
    (销账申请). A task without milestones is not offered: nothing says it is done."""
    milestones = Milestone.objects.filter(
        plan__task=OuterRef("pk"), plan__status=PlanStatus.APPROVED
    )
    pending = ClosingRequest.objects.filter(task=OuterRef("pk"), status__in=_CLOSING_PENDING)
    due = Task.objects.filter(under_any("lead_unit", paths), status__in=REPORTING_STATUSES).filter(
        Exists(milestones),
        ~Exists(milestones.filter(reached_on__isnull=True)),
        ~Exists(pending),
    )

    def items(limit: int) -> list[NextAct]:
        total = milestones.order_by().values("plan__task").annotate(n=Count("pk")).values("n")[:1]
        last_report = (
            ProgressReport.objects.filter(task=OuterRef("pk"), status=ReportStatus.ACCEPTED)
            .order_by("-period__start", "-pk")
            .values("percent")[:1]
        )
        rows = due.annotate(
            milestones_n=Subquery(total, output_field=IntegerField()),
            last_percent=Subquery(last_report, output_field=IntegerField()),
        ).order_by("deadline", "code")[:limit]
        return [
            NextAct(
                subject=_task_label(t),
                url=reverse("ledger:task", args=[t.pk]) + "#closing",
                detail=(
                    _("milestones reached %(n)s/%(n)s, last report %(percent)s%%")
                    if t.last_percent is not None
                    else _("milestones reached %(n)s/%(n)s, no accepted report")
                )
                % {"n": t.milestones_n, "percent": t.last_percent},
            )
            for t in rows
        ]

    return Source("ready_to_close", _("Tasks ready to be closed (销账)"), due, items)


def _liaison_sources(context: NextActContext, paths: tuple[str, ...]) -> list[Source]:
    return [
        _plan_missing(paths),
        _plan_returned(paths),
        _reports_due(context, paths),
        _reports_returned(paths),
        _ready_to_close(paths),
    ]


# A unit head (一把手), and an office leader: closing requests (销账).


def _closing_item(closing: ClosingRequest) -> NextAct:
    return NextAct(
        subject=_task_label(closing.task),
        url=reverse("ledger:task_closing", args=[closing.task_id]),
        detail=_("document %(document)s, requested on %(date)s by %(who)s")
        % {
            "document": closing.document_no,
            "date": _day(closing.requested_at),
            "who": closing.requested_by,
        },
    )


def _closings_to_sign(paths: tuple[str, ...]) -> Source:
    due = ClosingRequest.objects.filter(
        under_any("task__lead_unit", paths), status=ClosingStatus.REQUESTED
    )
    return Source(
        "closing_to_sign",
        _("Closing requests to sign"),
        due,
        first_rows(due, ("task", "requested_by"), ("requested_at", "pk"), _closing_item),
        more_url=reverse("ledger:closings"),
    )


# Office staff (改革办科员): plans and reports to decide, tasks that cannot be rated.


def _plans_to_approve(paths: tuple[str, ...]) -> Source:
    due = Plan.objects.filter(
        under_any("task__office", paths),
        task__status__in=OPEN_STATUSES,
        status=PlanStatus.SUBMITTED,
    )

    def show(plan: Plan) -> NextAct:
        return NextAct(
            subject=_task_label(plan.task),
            url=reverse("ledger:task", args=[plan.task_id]) + "#plan",
            detail=_("revision %(n)s from %(unit)s, submitted on %(date)s")
            % {
                "n": plan.revision,
                "unit": plan.task.lead_unit.label,
                "date": _day(plan.submitted_at),
            },
        )

    return Source(
        "plan_to_approve",
        _("Plans to approve"),
        due,
        first_rows(due, ("task", "task__lead_unit"), ("submitted_at", "pk"), show),
    )


def _reports_to_accept(paths: tuple[str, ...]) -> Source:
    due = ProgressReport.objects.filter(
        under_any("task__office", paths), status=ReportStatus.SUBMITTED
    )

    def show(report: ProgressReport) -> NextAct:
        return NextAct(
            subject=_task_label(report.task),
            url=reverse("ledger:task_reports", args=[report.task_id]),
            detail=_("%(period)s from %(unit)s, submitted on %(date)s")
            % {
                "period": report.period.label,
                "unit": report.task.lead_unit.label,
                "date": _day(report.submitted_at),
            },
            late=report.is_late,
        )

    return Source(
        "report_to_accept",
        _("Progress reports to accept"),
        due,
        first_rows(due, ("task", "task__lead_unit", "period"), ("submitted_at", "pk"), show),
        more_url=reverse("ledger:reports"),
    )


def _periods_missing(context: NextActContext, paths: tuple[str, ...]) -> Source | None:
    """Offices of the staff with tasks in the working year and no period set up: no
    report can be filed and no task rated until there is."""
    year = context.working.year
    if year is None:
        return None
    due = (
        Unit.objects.filter(under_any("", paths), kind="office")
        .filter(Exists(Task.objects.filter(office=OuterRef("pk"), year=year)))
        .filter(~Exists(Period.objects.filter(office=OuterRef("pk"), year=year)))
    )

    def show(office: Unit) -> NextAct:
        return NextAct(
            subject=_("%(office)s, %(year)s") % {"office": office.name, "year": year},
            url=reverse("ledger:ratings"),
            detail=_("no reporting period is set up: no report can be filed and no task rated"),
        )

    return Source(
        "periods_missing",
        _("Reporting periods to set up"),
        due,
        first_rows(due, (), ("path",), show),
    )


def _not_ratable(context: NextActContext, paths: tuple[str, ...]) -> Source | None:
    """Open tasks of the working year that its period does not rate, and why — the rule
    computing follows (`rating_engine.not_rated_reason`): still in planning (with where
    its plan stands), or not started by the rating date."""
    working = context.working
    period = working.period
    if period is None or period.is_frozen or period.start > context.today:
        return None
    on = min(period.end, context.today)
    due = Task.objects.filter(
        under_any("office", paths), year=working.year, status__in=OPEN_STATUSES
    ).filter(Q(status=TaskStatus.PLANNING) | Q(start_date__gt=on))

    def items(limit: int) -> list[NextAct]:
        approved = Plan.objects.filter(task=OuterRef("pk"), status=PlanStatus.APPROVED)
        pending = Plan.objects.filter(
            task=OuterRef("pk"),
            status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.REJECTED],
        ).values("status")[:1]
        rows = (
            due.select_related("lead_unit")
            .annotate(has_plan=Exists(approved), pending=Subquery(pending))
            .order_by("code")[:limit]
        )
        return [_why_not_ratable(t, on, period) for t in rows]

    return Source(
        "not_ratable",
        _("Tasks that cannot be rated in %(period)s") % {"period": period.label},
        due,
        items,
    )


#: Where a task's plan stands, as the reason a task in planning is not rated says it.
def _plan_words(status: str | None) -> str:
    return {
        None: _("no plan written yet"),
        PlanStatus.DRAFT: _("the plan is a draft, not submitted"),
        PlanStatus.SUBMITTED: _("the plan awaits the office's approval"),
        PlanStatus.REJECTED: _("the plan was returned to the unit"),
    }.get(status, "")


def _why_not_ratable(task: Task, on: dt.date, period: Period) -> NextAct:
    reason = not_rated_reason(
        status=task.status,
        start_date=task.start_date,
        on=on,
        period_start=period.start,
        has_plan=task.has_plan,
    )
    planning = task.status == TaskStatus.PLANNING
    extra = [_plan_words(task.pending)] if planning else []
    if task.start_date > on:
        extra.append(_("starts on %(date)s") % {"date": task.start_date})
    words = str(NotRatedReason(reason).label) if reason else ""
    if extra:
        words = f"{words} ({'; '.join(extra)})"
    url = reverse("ledger:task", args=[task.pk]) + ("#plan" if planning else "")
    return NextAct(subject=_task_label(task), url=url, detail=f"{task.lead_unit.label}: {words}")


def _staff_sources(context: NextActContext, paths: tuple[str, ...]) -> list[Source]:
    sources = [_plans_to_approve(paths), _reports_to_accept(paths)]
    return sources + [
        s for s in (_periods_missing(context, paths), _not_ratable(context, paths)) if s
    ]


# An office leader (主任/副主任): ratings to confirm, closings to approve.


def _ratings_to_confirm(paths: tuple[str, ...]) -> Source:
    due = Rating.objects.filter(
        under_any("task__office", paths),
        period__status=PeriodStatus.OPEN,
        status=RatingStatus.SUGGESTED,
    )

    def items(limit: int) -> list[NextAct]:
        per_period = list(
            due.order_by()
            .values("period_id")
            .annotate(n=Count("pk"))
            .order_by("period__start", "period_id")[:limit]
        )
        periods = Period.objects.select_related("office").in_bulk(
            [row["period_id"] for row in per_period]
        )
        rows = []
        for row in per_period:
            period = periods[row["period_id"]]
            rows.append(
                NextAct(
                    subject=_("%(office)s, %(period)s")
                    % {"office": period.office.name, "period": period.label},
                    url=reverse("ledger:ratings") + f"?period={period.pk}&state=suggested",
                    detail=_("%(n)s suggested ratings to confirm or override") % {"n": row["n"]},
                    count=row["n"],
                )
            )
        return rows

    return Source("rating_to_confirm", _("Ratings to confirm"), due, items)


def _closings_to_approve(paths: tuple[str, ...]) -> Source:
    due = ClosingRequest.objects.filter(
        under_any("task__office", paths), status=ClosingStatus.SIGNED
    )
    return Source(
        "closing_to_approve",
        _("Closing requests to approve"),
        due,
        first_rows(due, ("task", "requested_by"), ("signed_at", "pk"), _closing_item),
        more_url=reverse("ledger:closings"),
    )


def _leader_sources(paths: tuple[str, ...]) -> list[Source]:
    return [_ratings_to_confirm(paths), _closings_to_approve(paths)]


# A city leader (领导小组成员): the period's D/E tasks.


def _worst_rated(context: NextActContext, paths: tuple[str, ...]) -> Source | None:
    """Tasks rated D or E (the grade in force) in the latest period of the working year
    that has ratings, up to the period it shows."""
    period = context.working.period
    if period is None:
        return None
    of_year = Rating.objects.filter(
        under_any("task__office", paths),
        period__year=period.year,
        period__start__lte=period.start,
    )
    latest = of_year.order_by("-period__start").values("period__start")[:1]
    worst = Q(final__level__in=WORST_LEVELS) | Q(
        final__isnull=True, suggested__level__in=WORST_LEVELS
    )
    due = of_year.filter(worst, period__start=Subquery(latest))

    def show(rating: Rating) -> NextAct:
        grade = rating.grade
        return NextAct(
            subject=_task_label(rating.task),
            url=reverse("ledger:task", args=[rating.task_id]),
            detail=_("%(letter)s %(name)s in %(period)s, %(unit)s")
            % {
                "letter": grade.letter,
                "name": grade.name,
                "period": rating.period.label,
                "unit": rating.task.lead_unit.label,
            },
            late=True,
        )

    return Source(
        "rated_worst",
        _("Tasks rated D or E"),
        due,
        first_rows(
            due,
            ("task", "task__lead_unit", "period", "suggested", "final"),
            ("task__code", "pk"),
            show,
        ),
    )


def _city_sources(context: NextActContext, paths: tuple[str, ...]) -> list[Source]:
    worst = _worst_rated(context, paths)
    return [worst] if worst else []


register_next_acts("ledger", ledger_sources)
