"""Reads for closing (销账): a task's closing requests, the closed ledger, the
inbox of requests awaiting a head or an office leader, and the year-end
carry-over preview — scoped to the user and joined for the page."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from reformledger.ledger.choices import OPEN_STATUSES, ClosingStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Evidence, Task
from reformledger.ledger.permissions import OFFICE, visible_tasks
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

__all__ = [
    "CarryOverPreview",
    "ClosingView",
    "carry_over_preview",
    "closed_rows",
    "closed_totals",
    "closing_of",
    "closings_inbox",
    "closings_visible",
    "run_office_choices",
]

_PENDING = (ClosingStatus.REQUESTED, ClosingStatus.SIGNED)


def _closing_parts(qs: QuerySet[ClosingRequest]) -> QuerySet[ClosingRequest]:
    return qs.select_related("requested_by", "signed_by", "decided_by").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
    )


@dataclass
class ClosingView:
    """A task's closing requests, sorted into what its page shows."""

    pending: ClosingRequest | None  # awaiting the head or the office
    approved: ClosingRequest | None  # the approval in force, if the task is closed
    earlier: list[ClosingRequest]  # every other request, newest first


def closing_of(task: Task) -> ClosingView:
    """The closing tab of a task: the pending request, the approval, the earlier ones."""
    rows = list(_closing_parts(task.closings.all()).order_by("-requested_at", "-pk"))
    pending = next((c for c in rows if c.status in _PENDING), None)
    approved = None
    if task.status == TaskStatus.CLOSED:
        approved = next((c for c in rows if c.status == ClosingStatus.APPROVED), None)
    earlier = [c for c in rows if c is not pending and c is not approved]
    return ClosingView(pending, approved, earlier)


def closed_rows(user) -> QuerySet[Task]:
    """The closed ledger: visible closed tasks with the date they were closed (annotated
    `closed_at`) and their approved request (`approved_closings`, newest first)."""
    approved = ClosingRequest.objects.filter(task=OuterRef("pk"), status=ClosingStatus.APPROVED)
    return (
        visible_tasks(user)
        .filter(status=TaskStatus.CLOSED)
        .with_list_relations()
        .annotate(closed_at=Subquery(approved.order_by("-decided_at").values("decided_at")[:1]))
        .prefetch_related(
            Prefetch(
                "closings",
                queryset=ClosingRequest.objects.filter(status=ClosingStatus.APPROVED)
                .select_related("decided_by")
                .order_by("-decided_at"),
                to_attr="approved_closings",
            )
        )
    )


def closed_totals(tasks: QuerySet[Task]) -> dict[str, int]:
    """Counts over a (filtered) closed ledger in one query: total, key tasks, closed by
    their deadline."""
    return tasks.order_by().aggregate(
        total=Count("pk"),
        key=Count("pk", filter=Q(is_key=True)),
        on_time=Count("pk", filter=Q(closed_at__date__lte=F("deadline"))),
    )


def closings_visible(user) -> QuerySet[ClosingRequest]:
    """Closing requests of the tasks the user sees (for loading one by id: else 404)."""
    return ClosingRequest.objects.filter(task__in=visible_tasks(user)).select_related(
        "task", "task__office", "task__lead_unit"
    )


def closings_inbox(user, *, mine: bool = True) -> QuerySet[ClosingRequest]:
    """Pending closing requests of visible tasks, oldest first. With `mine`, only those
    waiting for this user: to sign (a head of the lead unit) or to approve (a leader of
    the task's office)."""
    qs = closings_visible(user).filter(status__in=_PENDING)
    if mine:
        scopes = scopes_of(user)
        heads = scopes.paths(Role.UNIT_HEAD)
        leaders = scopes.paths(Role.OFFICE_LEADER)
        qs = qs.filter(
            (Q(status=ClosingStatus.REQUESTED) & under_any("task__lead_unit", heads))
            | (Q(status=ClosingStatus.SIGNED) & under_any("task__office", leaders))
        )
    return _closing_parts(qs).select_related("task__area").order_by("requested_at", "pk")


def run_office_choices(user) -> QuerySet[Unit]:
    """The offices whose year the user may carry over (office staff and leaders)."""
    return Unit.objects.filter(kind="office").filter(under_any("", scopes_of(user).paths(*OFFICE)))


@dataclass
class CarryOverPreview:
    open_count: int
    by_status: dict[str, int]
    already_carried: int
    sample: list[Task]


def carry_over_preview(office: Unit, year: int, sample: int = 20) -> CarryOverPreview:
    """What carrying an office's year over would do: how many open tasks move on."""
    tasks = Task.objects.filter(office=office, year=year)
    counts = dict(
        tasks.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    carried = tasks.filter(status=TaskStatus.CARRIED_OVER).count()
    rows = list(
        tasks.filter(status__in=OPEN_STATUSES).select_related("lead_unit").order_by("code")[:sample]
    )
    return CarryOverPreview(sum(counts.values()), counts, carried, rows)
