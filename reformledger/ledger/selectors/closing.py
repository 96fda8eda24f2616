"""Reads for closing (销账): a task's closing requests, the closed ledger, the
inbox of requests awaiting a head or an office leader, and the year-end
carry-over preview — scoped to the user and joined for the page."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from reformledger.ledger.choices import (
    OPEN_STATUSES,
    ClosingStatus,
    PlanStatus,
    RatingLevel,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import (
    ClosingRequest,
    Evidence,
    Milestone,
    ProgressReport,
    Rating,
    Task,
)
from reformledger.ledger.permissions import OFFICE, visible_tasks
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

__all__ = [
    "CarryOverPreview",
    "ClosingProof",
    "ClosingView",
    "attach_proofs",
    "carry_over_preview",
    "closed_rows",
    "closed_totals",
    "closing_of",
    "closings_inbox",
    "closings_visible",
    "proofs_of",
    "run_office_choices",
]

_PENDING = (ClosingStatus.REQUESTED, ClosingStatus.SIGNED)


def _closing_parts(qs: QuerySet[ClosingRequest]) -> QuerySet[ClosingRequest]:
    return qs.select_related("requested_by", "signed_by", "decided_by").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
    )


#: Ratings that make an approval need a stated reason: seriously behind (D), stalled (E).
POOR_LEVELS = (RatingLevel.SERIOUSLY_BEHIND, RatingLevel.STALLED)


@dataclass
class ClosingProof:
    """What a closing decision rests on (销账依据): the milestones of the approved plan
    and which are reached, the last accepted progress report, and the latest rating.
    The deliverables (document number, date, evidence files) are on the request itself.

    Approving needs a stated reason when a milestone is not reached (or the task has no
    approved plan with milestones) or when the latest rating is D or E (by level, so an
    office that spells its grades otherwise keeps the rule).
    """

    milestones: list[Milestone] = field(default_factory=list)
    report: ProgressReport | None = None  # the last accepted report
    rating: Rating | None = None  # the task's rating in the latest period it is rated in

    @property
    def total(self) -> int:
        return len(self.milestones)

    @property
    def unreached(self) -> list[Milestone]:
        return [m for m in self.milestones if m.reached_on is None]

    @property
    def reached(self) -> int:
        return self.total - len(self.unreached)

    @property
    def poor_rating(self) -> bool:
        return self.rating is not None and self.rating.grade.level in POOR_LEVELS

    @property
    def concerns(self) -> list[str]:
        """Why approving needs a stated reason, in the active language; empty if not."""
        found = []
        if not self.milestones:
            found.append(_("The task has no approved plan with milestones."))
        elif self.unreached:
            found.append(
                _("%(reached)s of %(total)s milestones reached; not reached: %(titles)s.")
                % {
                    "reached": self.reached,
                    "total": self.total,
                    "titles": "、".join(m.title for m in self.unreached),
                }
            )
        if self.poor_rating:
            found.append(
                _("The latest rating is %(letter)s (%(period)s).")
                % {"letter": self.rating.grade.letter, "period": self.rating.period.label}
            )
        return found

    @property
    def needs_reason(self) -> bool:
        return bool(self.concerns)

    @property
    def summary(self) -> str:
        """The proof in one line, for the question asked before approving."""
        parts = [
            _("Milestones reached: %(reached)s of %(total)s.")
            % {"reached": self.reached, "total": self.total}
        ]
        if self.unreached:
            parts.append(
                _("Not reached: %(titles)s.")
                % {"titles": "、".join(m.title for m in self.unreached)}
            )
        if self.report is not None:
            parts.append(
                _("Last accepted report: %(percent)s%% (%(period)s).")
                % {"percent": self.report.percent, "period": self.report.period.label}
            )
        else:
            parts.append(_("No accepted progress report."))
        if self.rating is not None:
            parts.append(
                _("Latest rating: %(letter)s (%(period)s).")
                % {"letter": self.rating.grade.letter, "period": self.rating.period.label}
            )
        else:
            parts.append(_("Not rated yet."))
        return " ".join(parts)

    def as_record(self) -> dict:
        """The proof as the approval's audit record keeps it."""
        return {
            "milestones_reached": [None, f"{self.reached}/{self.total}"],
            "milestones_not_reached": [None, [m.title for m in self.unreached]],
            "last_report": [
                None,
                f"{self.report.percent}% {self.report.period.label}" if self.report else None,
            ],
            "latest_rating": [
                None,
                f"{self.rating.grade.letter} {self.rating.period.label}" if self.rating else None,
            ],
        }


def proofs_of(task_ids: Iterable[int]) -> dict[int, ClosingProof]:
    """The proof of each task (by id): three queries whatever the number of tasks —
    the approved plans' milestones, the last accepted report of each task, the rating
    of each task's latest rated period."""
    ids = sorted(set(task_ids))
    proofs = {pk: ClosingProof() for pk in ids}
    if not ids:
        return proofs
    for m in (
        Milestone.objects.filter(plan__task__in=ids, plan__status=PlanStatus.APPROVED)
        .order_by("plan__task_id", "order", "planned_date", "pk")
        .annotate(task_id=F("plan__task_id"))
    ):
        proofs[m.task_id].milestones.append(m)
    last_report = (
        ProgressReport.objects.filter(task=OuterRef("pk"), status=ReportStatus.ACCEPTED)
        .order_by("-period__start", "-pk")
        .values("pk")[:1]
    )
    latest_rating = (
        Rating.objects.filter(task=OuterRef("pk"))
        .order_by("-period__start", "-pk")
        .values("pk")[:1]
    )
    of_tasks = Task.objects.filter(pk__in=ids).order_by()
    for report in ProgressReport.objects.filter(
        pk__in=of_tasks.annotate(last=Subquery(last_report)).values("last")
    ).select_related("period"):
        proofs[report.task_id].report = report
    for rating in Rating.objects.filter(
        pk__in=of_tasks.annotate(latest=Subquery(latest_rating)).values("latest")
    ).select_related("period", "suggested", "final"):
        proofs[rating.task_id].rating = rating
    return proofs


def attach_proofs(closings: Iterable[ClosingRequest]) -> list[ClosingRequest]:
    """Give each closing request its `proof` (`proofs_of` its task), in three queries."""
    closings = [c for c in closings if c is not None]
    proofs = proofs_of(c.task_id for c in closings)
    for closing in closings:
        closing.proof = proofs[closing.task_id]
    return closings


@dataclass
class ClosingView:
    """A task's closing requests, sorted into what its page shows."""

    pending: ClosingRequest | None  # awaiting the head or the office
    approved: ClosingRequest | None  # the approval in force, if the task is closed
    earlier: list[ClosingRequest]  # every other request, newest first


def closing_of(task: Task) -> ClosingView:
    """The closing tab of a task: the pending request (with its `proof`, what deciding
    it rests on), the approval, the earlier ones."""
    rows = list(_closing_parts(task.closings.all()).order_by("-requested_at", "-pk"))
    pending = next((c for c in rows if c.status in _PENDING), None)
    if pending is not None:
        attach_proofs([pending])
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
