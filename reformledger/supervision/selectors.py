"""Reads of supervision: each scoped to the user and joined, so a page costs the same
number of queries whatever the number of rows."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.core.clock import business_today
from reformledger.ledger.choices import LEVEL_SEVERITY, OPEN_STATUSES, PlanStatus
from reformledger.ledger.models import Milestone, Rating, Task
from reformledger.ledger.selectors import (
    ReferenceDates,
    reference_dates,
    reporting,
)
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


# --- the ledger year of a matter, and when it is overdue -------------------------------


def matter_ledger(offices: list[int], year: int) -> Q:
    """The orders and action items of some offices' ledgers of `year` (a `LedgerOf`):
    those on a task of the year, and those on no task falling due in it."""
    return Q(office_id__in=offices) & in_year(year)


def in_year(year: int) -> Q:
    """Orders and action items counted in `year`: by their task's ledger year (an order
    issued in December 2016 on a 2017 task is 2017's), else by their own deadline."""
    return Q(task__year=year) | Q(task__isnull=True, deadline__year=year)


def ledger_year_of(matter: Matter) -> int:
    return matter.task.year if matter.task_id else matter.deadline.year


def matter_as_of(matter: Matter, dates: ReferenceDates) -> dt.date:
    """The day a matter's deadline is judged on: its ledger year's reference date (today,
    or the end of a closed year)."""
    return dates.of(matter.office_id, ledger_year_of(matter))


def mark_overdue(matters: Iterable[Matter], dates: ReferenceDates | None = None) -> None:
    """Give each matter `overdue` and `days_overdue` (None when not overdue) as of its
    ledger year's reference date, for the pages that list or show it. Without `dates`
    they are read (one query) only if some matter is past its deadline today: a
    reference date is never after today."""
    matters = list(matters)
    today = dates.today if dates else business_today()
    late = [m for m in matters if m.is_overdue(today)]
    for matter in matters:
        matter.overdue, matter.days_overdue = False, None
    if late and dates is None:
        dates = reference_dates(today)
    for matter in late:
        as_of = matter_as_of(matter, dates)
        matter.overdue = matter.is_overdue(as_of)
        matter.days_overdue = (as_of - matter.deadline).days if matter.overdue else None


def overdue_filter(today: dt.date | None = None, dates: ReferenceDates | None = None) -> Q:
    """Orders or action items unanswered past their deadline, as of their ledger year's
    reference date."""
    dates = dates or reference_dates(today)
    return Q(status__in=AWAITING) & Q(deadline__lt=dates.on(matter_ledger))


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
            "tasks",
            Prefetch("action_items", queryset=ActionItem.objects.select_related("unit", "task")),
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
        Prefetch("action_items", queryset=ActionItem.objects.select_related("unit", "task"))
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


def leader_desk(leader, dates: ReferenceDates | None = None) -> list[DeskRow]:
    """Every task linked to `leader` now, with its rating, what is due, open orders
    and open action items, each marked overdue as of its ledger year's reference date
    (`mark_overdue`): five queries whatever the number of tasks (six when a matter is
    past its deadline and `dates` is not given)."""
    rows = list(
        LeaderLink.objects.filter(leader=leader, ended_at__isnull=True)
        .select_related("task__lead_unit", "task__office", "task__area")
        .order_by("task__code")
    )
    ids = [r.task_id for r in rows]
    ratings = latest_ratings(ids)
    milestones = next_milestones(ids)
    tasks = {r.task_id: r.task for r in rows}
    open_orders: dict[int, list] = defaultdict(list)
    for order in SupervisionOrder.objects.filter(task_id__in=ids, status__in=UNSETTLED).order_by(
        "deadline"
    ):
        order.task = tasks[order.task_id]
        open_orders[order.task_id].append(order)
    open_items: dict[int, list] = defaultdict(list)
    for item in ActionItem.objects.filter(task_id__in=ids, status__in=UNSETTLED).select_related(
        "unit"
    ):
        item.task = tasks[item.task_id]
        open_items[item.task_id].append(item)
    mark_overdue([m for ms in (*open_orders.values(), *open_items.values()) for m in ms], dates)
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
    most escalated orders, then longest without a progress report (as the staleness page
    and the dashboard count it: `ledger.selectors.reporting`, to the year's reference
    date) — each with its reasons. A fixed number of queries whatever the number of
    tasks."""
    dates = reference_dates(today)
    tasks = list(
        Task.objects.filter(office=office, year=year, is_key=True, status__in=OPEN_STATUSES)
        .select_related("lead_unit", "area")
        .order_by("code")
    )
    ids = [t.pk for t in tasks]
    ratings = latest_ratings(ids)
    silence = reporting(Task.objects.filter(pk__in=ids), dates, per="task") if ids else {}
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
        stale = silence.get(task.pk)
        days = (stale.days_silent or 0) if stale else 0
        c = Candidate(task, rating, severity, days, escalated[task.pk], reviewed[task.pk])
        if rating:
            c.reasons.append(
                _("rated %(letter)s in %(period)s")
                % {"letter": rating.grade.letter, "period": rating.period.label}
            )
        else:
            c.reasons.append(_("not rated yet"))
        if c.escalated:
            c.reasons.append(_("%(n)s escalated order(s)") % {"n": c.escalated})
        if stale is not None and not stale.never_reported:
            c.reasons.append(_("no progress report for %(n)s days") % {"n": days})
        else:
            c.reasons.append(_("no progress report since it started (%(n)s days)") % {"n": days})
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


def figures(
    user, year: int, today: dt.date | None = None, dates: ReferenceDates | None = None
) -> SupervisionFigures:
    """The year's supervision at a glance, scoped to what `user` may see. Orders and
    action items count in their task's ledger year (`in_year`), and are overdue as of
    its reference date (the end of a closed year)."""
    dates = dates or reference_dates(today)
    f = SupervisionFigures()
    meetings = permissions.visible_leading_group_meetings(user).filter(year=year)
    f.meetings = meetings.count()
    f.documents_reviewed = ReformDocument.objects.filter(meetings__in=meetings).distinct().count()
    f.reviews = CollectiveReview.objects.filter(meeting__in=meetings).count()
    year_orders = permissions.visible_orders(user).filter(in_year(year))
    by_level = dict(year_orders.values_list("level").annotate(n=Count("pk")).order_by())
    f.orders_by_level = {lv: by_level.get(lv, 0) for lv in OrderLevel.values}
    per_unit: dict[str, dict[str, int]] = defaultdict(dict)
    rows = year_orders.values_list("unit__name", "level").annotate(n=Count("pk")).order_by()
    for unit, level, n in rows:
        per_unit[unit][level] = n
    f.orders_by_unit = sorted(per_unit.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    f.orders_open = year_orders.filter(status__in=UNSETTLED).count()
    overdue = overdue_filter(dates=dates)
    f.orders_overdue = year_orders.filter(overdue).count()
    f.items_overdue = list(
        permissions.visible_action_items(user)
        .filter(in_year(year))
        .filter(overdue)
        .select_related("unit", "task")
        .order_by("deadline", "pk")[:20]
    )
    mark_overdue(f.items_overdue, dates)
    return f
