"""Reads of the ledger, already scoped to the user and joined for the page that shows them."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

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
    """One visible task with its plans, milestones, sub-tasks and dependencies loaded."""
    plans = Plan.objects.select_related("created_by", "decided_by").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("order", "planned_date"))
    )
    return (
        visible_tasks(user)
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
            Prefetch("subtasks", queryset=Task.objects.select_related("lead_unit")),
            Prefetch("depends_on", queryset=Task.objects.select_related("lead_unit")),
            Prefetch("dependents", queryset=Task.objects.select_related("lead_unit")),
        )
        .get(pk=pk)
    )


def task_history(task: Task) -> QuerySet[AuditRecord]:
    """The task's audit records, newest first, for its history tab."""
    return history_of(task).order_by("-id")


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
    """What needs a user now: plans to write or approve, milestones due, tasks overdue."""

    plans_to_write: list[Plan]
    plans_to_approve: list[Plan]
    milestones_overdue: list[Milestone]
    milestones_due: list[Milestone]
    tasks_overdue: list[Task]


def my_work(user, dates: ReferenceDates | None = None, horizon_days: int = 30) -> MyWork:
    """The "my work" page: what is due or overdue for the tasks a user answers for, each
    counted to its ledger's reference date (today, or the end of a closed year)."""
    dates = dates or reference_dates()
    scopes = scopes_of(user)
    tasks = visible_tasks(user).filter(status__in=OPEN_STATUSES)
    own = tasks.filter(under_any("lead_unit", scopes.paths(Role.UNIT_REPORTER, Role.UNIT_HEAD)))
    if scopes.has(*OFFICE):
        own = tasks.filter(under_any("office", scopes.paths(*OFFICE))) | own
    plan_rel = ("task", "task__lead_unit")
    plans_to_write = list(
        Plan.objects.filter(
            task__in=own, status__in=[PlanStatus.DRAFT, PlanStatus.REJECTED]
        ).select_related(*plan_rel)[:100]
    )
    plans_to_approve = (
        list(
            Plan.objects.filter(
                task__in=tasks.filter(under_any("office", scopes.paths(*OFFICE))),
                status=PlanStatus.SUBMITTED,
            ).select_related(*plan_rel)[:100]
        )
        if scopes.has(*OFFICE)
        else []
    )
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
    return MyWork(plans_to_write, plans_to_approve, overdue, due, tasks_overdue)
