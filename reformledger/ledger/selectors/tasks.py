"""Reads of the ledger, already scoped to the user and joined for the page that shows them."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.ledger.choices import OPEN_STATUSES, PlanStatus, TaskStatus
from reformledger.ledger.models import Milestone, Plan, Task
from reformledger.ledger.permissions import OFFICE, visible_tasks
from reformledger.ledger.selectors.years import ReferenceDates, reference_dates, task_ledger
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any


def ledger_rows(user) -> QuerySet[Task]:
    """The rows of the ledger page: visible tasks with what each row shows joined."""
    return visible_tasks(user).with_list_relations()


def ledger_totals(tasks: QuerySet[Task], dates: ReferenceDates | None = None) -> dict[str, int]:
    """Counts over a (filtered) ledger in one query: total, open, closed, key, overdue
    (as of each task's ledger's reference date)."""
    dates = dates or reference_dates()
    return tasks.order_by().aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        closed=Count("pk", filter=Q(status=TaskStatus.CLOSED)),
        key=Count("pk", filter=Q(is_key=True)),
        overdue=Count("pk", filter=dates.overdue_tasks()),
    )


def task_detail(user, pk: int) -> Task:
    """One visible task with its plans, milestones, sub-tasks and dependencies loaded.

    The linked tasks are those `user` may see too: a link set by someone who sees more
    (the city office linking a county's task to another's) tells a reader nothing of a
    task hidden from it. `parent_seen` says whether the parent is one of them."""
    plans = Plan.objects.select_related("created_by", "decided_by").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("order", "planned_date"))
    )
    seen = visible_tasks(user)
    linked = seen.select_related("lead_unit")
    return (
        seen.annotate(parent_seen=Exists(seen.filter(pk=OuterRef("parent_id"))))
        .select_related(
            "area",
            "system",
            "work_point",
            "lead_unit",
            "office",
            "responsible_leader",
            "parent",
            "carried_from",
        )
        .prefetch_related(
            "helping_units",
            Prefetch("plans", queryset=plans),
            Prefetch("subtasks", queryset=linked),
            Prefetch("depends_on", queryset=linked),
            Prefetch("dependents", queryset=linked),
        )
        .get(pk=pk)
    )


#: Changes of a task naming other tasks (as "code title"), which a reader may not see.
LINK_FIELDS = ("parent", "depends_on")


def task_history(task: Task, user, *, limit: int) -> list[AuditRecord]:
    """The task's latest `limit` audit records, newest first, for its history tab.

    A link to a task `user` may not see (set by someone who sees more) is named as such,
    not by its code and title: the history tells no more than the page does. The
    records are only read, never saved (the trail is append-only)."""
    records = list(history_of(task).order_by("-id")[:limit])
    named = {
        name
        for rec in records
        if isinstance(rec.changes, dict)
        for field in LINK_FIELDS
        for value in rec.changes.get(field) or ()
        for name in (value if isinstance(value, list) else [value])
        if isinstance(name, str)
    }
    if not named:
        return records
    codes = {name.split(" ", 1)[0] for name in named}
    seen = {str(t) for t in visible_tasks(user).filter(code__in=codes).only("code", "title")}
    hidden = named - seen
    if hidden:
        for rec in records:
            if isinstance(rec.changes, dict) and any(f in rec.changes for f in LINK_FIELDS):
                rec.changes = {
                    key: _unseen_named(change, hidden) if key in LINK_FIELDS else change
                    for key, change in rec.changes.items()
                }
    return records


def _unseen_named(value, hidden: set[str]):
    """`value` (a change, a list of tasks or one) with each hidden task's name replaced."""
    if isinstance(value, list):
        return [_unseen_named(v, hidden) for v in value]
    if isinstance(value, str) and value in hidden:
        return str(_("(a task you cannot see)"))
    return value


@dataclass
class PlanView:
    """The plans of a task, sorted into what a page shows."""

    current: Plan | None  # the approved revision in force
    pending: Plan | None  # a draft, submitted or returned revision
    earlier: list[Plan]  # superseded revisions, newest first


def plans_of(task: Task) -> PlanView:
    plans = list(task.plans.all())  # prefetched, newest revision first
    current = next((p for p in plans if p.status == PlanStatus.APPROVED), None)
    pending = next(
        (
            p
            for p in plans
            if p.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.REJECTED)
        ),
        None,
    )
    earlier = [p for p in plans if p.status == PlanStatus.SUPERSEDED]
    return PlanView(current, pending, earlier)


def unit_tasks(user, unit: Unit) -> tuple[QuerySet[Task], QuerySet[Task]]:
    """Visible tasks a unit (or a unit below it) leads, and those it helps on."""
    base = ledger_rows(user)
    led = base.filter(under_any("lead_unit", (unit.path,)))
    helped = base.filter(
        pk__in=Task.helping_units.through.objects.filter(under_any("unit", (unit.path,))).values(
            "task_id"
        )
    ).exclude(pk__in=led.values("pk"))
    return led, helped


@dataclass
class MyWork:
    """The dates a user's tasks keep: milestones due and overdue, tasks overdue (what
    waits for their decision is their next acts: `selectors.next_acts`)."""

    milestones_overdue: list[Milestone]
    milestones_due: list[Milestone]
    tasks_overdue: list[Task]


def my_work(user, dates: ReferenceDates | None = None, horizon_days: int = 30) -> MyWork:
    """The "my work" page's dates: milestones due or overdue and tasks overdue, of the
    tasks a user answers for, each counted to its ledger's reference date (today, or the
    end of a closed year)."""
    dates = dates or reference_dates()
    scopes = scopes_of(user)
    tasks = visible_tasks(user).filter(status__in=OPEN_STATUSES)
    own = tasks.filter(under_any("lead_unit", scopes.paths(Role.UNIT_REPORTER, Role.UNIT_HEAD)))
    if scopes.has(*OFFICE):
        own = tasks.filter(under_any("office", scopes.paths(*OFFICE))) | own
    live = Milestone.objects.filter(
        plan__status=PlanStatus.APPROVED, plan__task__in=own, reached_on__isnull=True
    ).select_related("plan__task", "plan__task__lead_unit")
    ledger = task_ledger("plan__task__")
    overdue = list(live.filter(dates.overdue_milestones()).order_by("planned_date")[:100])
    due = list(
        live.filter(
            planned_date__gte=dates.on(ledger),
            planned_date__lte=dates.on(ledger, days=-horizon_days),
        ).order_by("planned_date")[:100]
    )
    tasks_overdue = list(
        own.filter(dates.overdue_tasks()).select_related("lead_unit").order_by("deadline")[:100]
    )
    return MyWork(overdue, due, tasks_overdue)
