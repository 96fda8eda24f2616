"""Reads of supervision: each scoped to the user and joined, so a page costs the same
number of queries whatever the number of rows."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.ledger.choices import LEVEL_SEVERITY, OPEN_STATUSES, PlanStatus
from reformledger.ledger.models import Milestone, ProgressReport, Rating, Task
from reformledger.orgs.models import Unit
from reformledger.supervision import permissions
from reformledger.supervision.choices import AWAITING, UNSETTLED, OrderLevel
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    AnswerFile,
    CollectiveReview,
    LeaderLink,
    LeadingGroupMeeting,
    Matter,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)

_ANSWERS = Prefetch(
    "answers",
    queryset=Answer.objects.select_related("answered_by", "decided_by").prefetch_related("files"),
)


def orders(user) -> QuerySet[SupervisionOrder]:
    """Orders the user may see, with what a list row shows."""
    return permissions.visible_orders(user).select_related(
        "office", "unit", "task", "action_item", "issued_by", "received_by"
    )


def order_detail(user, pk: int) -> SupervisionOrder:
    """One visible order with its answers and files (raises DoesNotExist otherwise)."""
    return orders(user).prefetch_related(_ANSWERS).get(pk=pk)


def action_items(user) -> QuerySet[ActionItem]:
    """Action items the user may see, with their source and unit."""
    return permissions.visible_action_items(user).select_related(
        "office", "unit", "task", "meeting", "review__meeting", "review__task", "received_by"
    )


def action_item_detail(user, pk: int) -> ActionItem:
    return (
        action_items(user)
        .prefetch_related(_ANSWERS, Prefetch("orders", queryset=SupervisionOrder.objects.all()))
        .get(pk=pk)
    )


def answer_file(user, pk: int) -> AnswerFile:
    """An answer's evidence file, if the user may see its order or action item."""
    stored = AnswerFile.objects.select_related("answer").get(pk=pk)
    answer = stored.answer
    if answer.order_id:
        permissions.visible_orders(user).get(pk=answer.order_id)
    else:
        permissions.visible_action_items(user).get(pk=answer.action_item_id)
    return stored


def matter_history(matter: Matter) -> QuerySet[AuditRecord]:
    """The audit records of an order or action item, oldest first."""
    return history_of(matter)


def supervision_meetings(user) -> QuerySet[SupervisionMeeting]:
    return (
        permissions.visible_supervision_meetings(user)
        .select_related("office")
        .annotate(n_items=Count("action_items", distinct=True))
    )


def supervision_meeting_detail(user, pk: int) -> SupervisionMeeting:
    return (
        permissions.visible_supervision_meetings(user)
        .select_related("office", "created_by")
        .prefetch_related(
            "tasks", Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
        )
        .get(pk=pk)
    )


def leading_group_meetings(user) -> QuerySet[LeadingGroupMeeting]:
    return (
        permissions.visible_leading_group_meetings(user)
        .select_related("office")
        .annotate(
            n_documents=Count("documents", distinct=True),
            n_reviews=Count("reviews", distinct=True),
        )
    )


_REVIEWS = Prefetch(
    "reviews",
    queryset=CollectiveReview.objects.select_related("task__lead_unit").prefetch_related(
        Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
    ),
)


def leading_group_meeting_detail(user, pk: int) -> LeadingGroupMeeting:
    """A meeting with its documents, its reviews and their action items."""
    return (
        permissions.visible_leading_group_meetings(user)
        .select_related("office", "created_by")
        .prefetch_related(
            Prefetch("documents", queryset=ReformDocument.objects.select_related("drafting_unit")),
            _REVIEWS,
        )
        .get(pk=pk)
    )


def documents(user) -> QuerySet[ReformDocument]:
    return (
        permissions.visible_documents(user)
        .select_related("office", "drafting_unit", "task")
        .annotate(n_meetings=Count("meetings", distinct=True))
    )


def links(user) -> QuerySet[LeaderLink]:
    return permissions.visible_links(user).select_related(
        "task__lead_unit", "task__office", "leader", "linked_by"
    )


# --- the linked leader's page -------------------------------------------------------


def latest_ratings(task_ids: list[int]) -> dict[int, Rating]:
    """Each task's latest rating (the period starting last), in one query."""
    latest: dict[int, Rating] = {}
    rows = (
        Rating.objects.filter(task_id__in=task_ids)
        .select_related("period", "suggested", "final")
        .order_by("task_id", "period__start")
    )
    for rating in rows:
        latest[rating.task_id] = rating
    return latest


def next_milestones(task_ids: list[int]) -> dict[int, Milestone]:
    """Each task's next unreached milestone of its approved plan, in one query."""
    first: dict[int, Milestone] = {}
    rows = Milestone.objects.filter(
        plan__task_id__in=task_ids, plan__status=PlanStatus.APPROVED, reached_on__isnull=True
    ).order_by("planned_date", "order")
    for m in rows.select_related("plan"):
        first.setdefault(m.plan.task_id, m)
    return first


@dataclass
class DeskRow:
    """One linked task on a leader's page and what needs the leader there."""

    link: LeaderLink
    task: Task
    rating: Rating | None
    next_milestone: Milestone | None
    orders: list[SupervisionOrder] = field(default_factory=list)
    items: list[ActionItem] = field(default_factory=list)


def leader_desk(leader) -> list[DeskRow]:
    """Every task linked to `leader` now, with its rating, what is due, open orders
    and open action items: five queries whatever the number of tasks."""
    rows = list(
        LeaderLink.objects.filter(leader=leader, ended_at__isnull=True)
        .select_related("task__lead_unit", "task__office", "task__area")
        .order_by("task__code")
    )
    ids = [r.task_id for r in rows]
    ratings = latest_ratings(ids)
    milestones = next_milestones(ids)
    open_orders: dict[int, list] = defaultdict(list)
    for order in SupervisionOrder.objects.filter(task_id__in=ids, status__in=UNSETTLED).order_by(
        "deadline"
    ):
        open_orders[order.task_id].append(order)
    open_items: dict[int, list] = defaultdict(list)
    for item in ActionItem.objects.filter(task_id__in=ids, status__in=UNSETTLED).select_related(
        "unit"
    ):
        open_items[item.task_id].append(item)
    return [
        DeskRow(
            link=r,
            task=r.task,
            rating=ratings.get(r.task_id),
            next_milestone=milestones.get(r.task_id),
            orders=open_orders[r.task_id],
            items=open_items[r.task_id],
        )
        for r in rows
    ]


# --- preparing a leading-group meeting: which key tasks need review most -------------


@dataclass
class Candidate:
    """A key task proposed for collective review, with why."""

    task: Task
    rating: Rating | None
    severity: int  # 0 (done or ahead) … 4 (stalled); -1 when never rated
    stale_days: int  # days since its last progress report (or since it started)
    escalated: int  # its orders that climbed above blue
    reviewed_before: int  # times it was already reviewed this year
    reasons: list[str] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        return (
            -self.severity,
            -self.escalated,
            -self.stale_days,
            self.reviewed_before,
            self.task.code,
        )


def review_candidates(
    office: Unit, year: int, today: dt.date | None = None, limit: int = 10
) -> list[Candidate]:
    """The open key tasks of `office`'s `year` ranked by need — worst rating first, then
    most escalated orders, then longest without progress — each with its reasons.
    A fixed number of queries whatever the number of tasks."""
    today = today or timezone.localdate()
    tasks = list(
        Task.objects.filter(office=office, year=year, is_key=True, status__in=OPEN_STATUSES)
        .select_related("lead_unit", "area")
        .order_by("code")
    )
    ids = [t.pk for t in tasks]
    ratings = latest_ratings(ids)
    last_report = dict(
        ProgressReport.objects.filter(task_id__in=ids, submitted_at__isnull=False)
        .values("task_id")
        .annotate(last=Max("submitted_at"))
        .values_list("task_id", "last")
    )
    escalated = Counter(
        SupervisionOrder.objects.filter(task_id__in=ids, escalations__gt=0).values_list(
            "task_id", flat=True
        )
    )
    reviewed = Counter(
        CollectiveReview.objects.filter(task_id__in=ids, meeting__year=year).values_list(
            "task_id", flat=True
        )
    )
    out = []
    for task in tasks:
        rating = ratings.get(task.pk)
        severity = LEVEL_SEVERITY.get(rating.grade.level, -1) if rating else -1
        last = last_report.get(task.pk)
        since = timezone.localdate(last) if last else task.start_date
        stale = max(0, (today - since).days)
        c = Candidate(task, rating, severity, stale, escalated[task.pk], reviewed[task.pk])
        if rating:
            c.reasons.append(
                _("rated %(letter)s in %(period)s")
                % {"letter": rating.grade.letter, "period": rating.period.label}
            )
        else:
            c.reasons.append(_("not rated yet"))
        if c.escalated:
            c.reasons.append(_("%(n)s escalated order(s)") % {"n": c.escalated})
        if last:
            c.reasons.append(_("no progress report for %(n)s days") % {"n": stale})
        else:
            c.reasons.append(_("no progress report since it started (%(n)s days)") % {"n": stale})
        if c.reviewed_before:
            c.reasons.append(
                _("already reviewed %(n)s time(s) this year") % {"n": c.reviewed_before}
            )
        out.append(c)
    out.sort(key=lambda c: c.sort_key)
    return out[:limit]


# --- the dashboard ------------------------------------------------------------------


@dataclass
class SupervisionFigures:
    """What the dashboard shows of supervision for one year."""

    meetings: int = 0
    documents_reviewed: int = 0
    reviews: int = 0
    orders_by_level: dict[str, int] = field(default_factory=dict)
    # unit name -> {level: count}
    orders_by_unit: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    orders_open: int = 0
    orders_overdue: int = 0
    items_overdue: list[ActionItem] = field(default_factory=list)


def figures(user, year: int, today: dt.date | None = None) -> SupervisionFigures:
    """The year's supervision at a glance, scoped to what `user` may see."""
    today = today or timezone.localdate()
    f = SupervisionFigures()
    meetings = permissions.visible_leading_group_meetings(user).filter(year=year)
    f.meetings = meetings.count()
    f.documents_reviewed = ReformDocument.objects.filter(meetings__in=meetings).distinct().count()
    f.reviews = CollectiveReview.objects.filter(meeting__in=meetings).count()
    year_orders = permissions.visible_orders(user).filter(year=year)
    by_level = dict(year_orders.values_list("level").annotate(n=Count("pk")).order_by())
    f.orders_by_level = {lv: by_level.get(lv, 0) for lv in OrderLevel.values}
    per_unit: dict[str, dict[str, int]] = defaultdict(dict)
    rows = year_orders.values_list("unit__name", "level").annotate(n=Count("pk")).order_by()
    for unit, level, n in rows:
        per_unit[unit][level] = n
    f.orders_by_unit = sorted(per_unit.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    f.orders_open = year_orders.filter(status__in=UNSETTLED).count()
    f.orders_overdue = year_orders.filter(status__in=AWAITING, deadline__lt=today).count()
    f.items_overdue = list(
        permissions.visible_action_items(user)
        .filter(status__in=AWAITING, deadline__lt=today)
        .select_related("unit", "task")
        .order_by("deadline")[:20]
    )
    return f


def overdue_filter(today: dt.date) -> Q:
    return Q(status__in=AWAITING, deadline__lt=today)
