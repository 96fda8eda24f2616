"""Reads of notices: a user's notices, the reminders due today, staleness per unit.

Every read here costs a fixed number of queries, whatever the size of the ledger:
rows are fetched in bulk and matched in Python, never one query per task.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from reformledger.ledger.choices import (
    OPEN_STATUSES,
    ClosingStatus,
    PlanStatus,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import (
    ClosingRequest,
    Milestone,
    Period,
    ProgressReport,
    ReachedMilestone,
    Task,
)
from reformledger.ledger.permissions import visible_tasks
from reformledger.notifications.choices import UNIT_KINDS, NotificationKind
from reformledger.notifications.models import Notification
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit

#: Days before a report's due date that its reminder goes out.
REPORT_DUE_DAYS = 3
#: Days before a milestone's planned date that its reminder goes out.
MILESTONE_DUE_DAYS = 7
#: Days a closing request may wait before the office is told it is stale.
CLOSING_STALE_DAYS = 7
#: Days an unread reminder waits before the staleness page counts it as ignored.
IGNORED_AFTER_DAYS = 7

#: Tasks that owe a progress report each period: those under way. A task still in
#: planning owes its plan first (the "my work" page chases that).
REPORTING_STATUSES = (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)
#: A report counts as filed once submitted (accepted later or not).
FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


# --- A user's notices ----------------------------------------------------------


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notices, newest first, with the task each names."""
    return Notification.objects.filter(recipient=user).select_related("task")


def unread_count(user) -> int:
    """How many of the user's notices are unread (the navbar badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- Reminders due ---------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One reminder to send: its kind and occasion key, the task, who gets it, and the
    facts its words are made of."""

    kind: str
    key: str
    task_id: int
    recipients: tuple[int, ...]
    facts: dict = field(default_factory=dict, hash=False, compare=False)


class _People:
    """Who holds which role in which unit, read once: answers "the liaisons of this
    unit (or of the unit above, when it has none)" without a query per task."""

    def __init__(self) -> None:
        self.by_unit: dict[tuple[str, str], list[int]] = defaultdict(list)
        rows = (
            Membership.objects.filter(
                is_active=True,
                user__is_active=True,
                unit__is_active=True,
                role__in=[
                    Role.UNIT_REPORTER,
                    Role.UNIT_HEAD,
                    Role.OFFICE_ADMIN,
                    Role.OFFICE_LEADER,
                ],
            )
            .order_by("user_id")
            .values_list("role", "unit__path", "user_id")
        )
        for role, path, user_id in rows:
            self.by_unit[(role, path)].append(user_id)

    def of_unit(self, role: str, path: str) -> list[int]:
        """Holders of `role` in the unit at `path`; if none, in the unit just above."""
        found = self.by_unit.get((role, path))
        if found:
            return found
        parent = path[: -Unit.steplen]
        return self.by_unit.get((role, parent), []) if parent else []

    def over(self, role: str, path: str) -> list[int]:
        """Holders of `role` in the unit at `path` or any unit above it (the reach of an
        office role, as `ledger.permissions` reads it)."""
        users: set[int] = set()
        for depth in range(1, len(path) // Unit.steplen + 1):
            users.update(self.by_unit.get((role, path[: depth * Unit.steplen]), ()))
        return sorted(users)


def _ids(*groups: list[int]) -> tuple[int, ...]:
    return tuple(sorted({uid for group in groups for uid in group}))


def reminders_due(today: dt.date, now: dt.datetime | None = None) -> list[Due]:
    """Every reminder whose condition holds on `today` (DOMAIN: deadlines and reminders).

    - a period's progress report due within REPORT_DUE_DAYS days and not filed: the
      lead unit's liaisons (report_due); past due for the office's latest period
      whose due date has passed: the liaisons and the unit head (report_late);
    - a milestone of an approved plan, not reached, due within MILESTONE_DUE_DAYS days
      (milestone_due) or overdue (milestone_overdue): the liaisons;
    - a closing request awaiting the head's signature: the unit head
      (closing_to_sign); awaiting approval: the office leaders (closing_to_approve);
      pending more than CLOSING_STALE_DAYS days: the office staff (closing_stale).

    "Liaisons" and "head" are those of the lead unit itself, or of the unit above it
    when it has none. Whether one was already sent is the caller's business (the
    keys are stable, so a second run finds the same keys).
    """
    now = now or timezone.now()
    people = _People()
    due: list[Due] = []
    due += _report_reminders(today, people)
    due += _milestone_reminders(today, people)
    due += _closing_reminders(now, people)
    return [d for d in due if d.recipients]


def _report_reminders(today: dt.date, people: _People) -> list[Due]:
    horizon = today + dt.timedelta(days=REPORT_DUE_DAYS)
    periods = list(
        Period.objects.filter(report_due__lte=horizon).order_by("office_id", "report_due")
    )
    # Per office: the open periods due within the horizon, and the latest period whose
    # due date has passed (only the latest: older lapses were reminded in their time).
    upcoming: dict[int, list[Period]] = defaultdict(list)
    latest_past: dict[int, Period] = {}
    for p in periods:
        if p.report_due < today:
            latest_past[p.office_id] = p
        elif p.status == "open":
            upcoming[p.office_id].append(p)
    checked = [
        *(p for ps in upcoming.values() for p in ps),
        *(p for p in latest_past.values() if p.status == "open"),
    ]
    if not checked:
        return []
    ledgers = Q(pk__in=[])
    for p in checked:
        ledgers |= Q(office_id=p.office_id, year=p.year, start_date__lte=p.end)
    tasks = (
        Task.objects.filter(ledgers, status__in=REPORTING_STATUSES)
        .order_by()
        .values("id", "code", "title", "office_id", "year", "start_date", "lead_unit__path")
    )
    filed = set(
        ProgressReport.objects.filter(period__in=checked, status__in=FILED).values_list(
            "task_id", "period_id"
        )
    )
    by_ledger: dict[tuple[int, int], list[Period]] = defaultdict(list)
    for p in checked:
        by_ledger[(p.office_id, p.year)].append(p)
    out: list[Due] = []
    for t in tasks.iterator(chunk_size=2000):
        unit = t["lead_unit__path"]
        for p in by_ledger[(t["office_id"], t["year"])]:
            if t["start_date"] > p.end or (t["id"], p.pk) in filed:
                continue
            facts = {"code": t["code"], "title": t["title"], "period": p.label, "due": p.report_due}
            if p.report_due >= today:
                kind = NotificationKind.REPORT_DUE
                who = _ids(people.of_unit(Role.UNIT_REPORTER, unit))
            else:
                kind = NotificationKind.REPORT_LATE
                who = _ids(
                    people.of_unit(Role.UNIT_REPORTER, unit), people.of_unit(Role.UNIT_HEAD, unit)
                )
            key = f"{kind}:task={t['id']}:period={p.pk}"
            out.append(Due(kind, key, t["id"], who, facts))
    return out


def _milestone_reminders(today: dt.date, people: _People) -> list[Due]:
    horizon = today + dt.timedelta(days=MILESTONE_DUE_DAYS)
    # A milestone counts as reached when marked so, or when a filed report says so.
    reported = ReachedMilestone.objects.filter(milestone=OuterRef("pk"), report__status__in=FILED)
    rows = (
        Milestone.objects.filter(
            plan__status=PlanStatus.APPROVED,
            plan__task__status__in=OPEN_STATUSES,
            reached_on__isnull=True,
            planned_date__lte=horizon,
        )
        .exclude(Exists(reported))
        .order_by()
        .values(
            "id",
            "title",
            "planned_date",
            "plan__task_id",
            "plan__task__code",
            "plan__task__title",
            "plan__task__lead_unit__path",
        )
    )
    out: list[Due] = []
    for m in rows.iterator(chunk_size=2000):
        kind = (
            NotificationKind.MILESTONE_DUE
            if m["planned_date"] >= today
            else NotificationKind.MILESTONE_OVERDUE
        )
        task_id = m["plan__task_id"]
        who = _ids(people.of_unit(Role.UNIT_REPORTER, m["plan__task__lead_unit__path"]))
        facts = {
            "code": m["plan__task__code"],
            "title": m["plan__task__title"],
            "milestone": m["title"],
            "date": m["planned_date"],
        }
        out.append(Due(kind, f"{kind}:task={task_id}:milestone={m['id']}", task_id, who, facts))
    return out


def _closing_reminders(now: dt.datetime, people: _People) -> list[Due]:
    stale_before = now - dt.timedelta(days=CLOSING_STALE_DAYS)
    rows = (
        ClosingRequest.objects.filter(status__in=[ClosingStatus.REQUESTED, ClosingStatus.SIGNED])
        .order_by()
        .values(
            "id",
            "status",
            "document_no",
            "requested_at",
            "task_id",
            "task__code",
            "task__title",
            "task__lead_unit__path",
            "task__office__path",
        )
    )
    out: list[Due] = []
    for c in rows.iterator(chunk_size=2000):
        facts = {
            "code": c["task__code"],
            "title": c["task__title"],
            "document": c["document_no"],
            "requested": timezone.localdate(c["requested_at"]),
            "days": (now - c["requested_at"]).days,
        }
        occasion = f"task={c['task_id']}:closing={c['id']}"
        if c["status"] == ClosingStatus.REQUESTED:
            kind = NotificationKind.CLOSING_TO_SIGN
            who = _ids(people.of_unit(Role.UNIT_HEAD, c["task__lead_unit__path"]))
        else:
            kind = NotificationKind.CLOSING_TO_APPROVE
            who = _ids(people.over(Role.OFFICE_LEADER, c["task__office__path"]))
        out.append(Due(kind, f"{kind}:{occasion}", c["task_id"], who, facts))
        if c["requested_at"] < stale_before:
            kind = NotificationKind.CLOSING_STALE
            who = _ids(people.over(Role.OFFICE_ADMIN, c["task__office__path"]))
            out.append(Due(kind, f"{kind}:{occasion}", c["task_id"], who, facts))
    return out


# --- Staleness per unit ----------------------------------------------------------


@dataclass
class UnitStaleness:
    """How stale one lead unit is (DOMAIN: staleness), as the office's page shows it."""

    unit_id: int
    open_tasks: int = 0
    missing_reports: int = 0
    last_report_at: dt.datetime | None = None
    last_update_at: dt.datetime | None = None
    ignored_reminders: int = 0
    days_silent: int | None = None
    unit: Unit | None = None

    @property
    def never_reported(self) -> bool:
        return self.last_report_at is None


#: Sort keys of the staleness page; "worst" (the default) is worst first.
STALENESS_SORTS = {
    "unit": lambda r: (r.unit.path if r.unit else "",),
    "open": lambda r: (r.open_tasks,),
    "missing": lambda r: (r.missing_reports,),
    "silent": lambda r: (r.days_silent if r.days_silent is not None else -1,),
    "ignored": lambda r: (r.ignored_reminders,),
    "worst": lambda r: (
        r.missing_reports,
        r.ignored_reminders,
        r.days_silent if r.days_silent is not None else -1,
        r.open_tasks,
    ),
}


def staleness_by_unit(user, today: dt.date | None = None, now: dt.datetime | None = None):
    """Per lead unit of the user's visible open tasks: open tasks, reports missing for
    the latest period whose due date has passed, days since the unit's last filed
    report (or, if it never filed one, since its tasks last changed), and reminders
    ignored (sent to its people about its tasks, unread after IGNORED_AFTER_DAYS days).

    Four grouped queries whatever the number of units and tasks; the caller sorts
    and pages the list, then loads the units of one page with `attach_units`.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    tasks = visible_tasks(user).order_by()
    open_tasks = tasks.filter(status__in=OPEN_STATUSES)
    latest_period = Subquery(
        Period.objects.filter(
            office=OuterRef("office"), year=OuterRef("year"), report_due__lt=today
        )
        .order_by("-report_due")
        .values("pk")[:1]
    )
    rows: dict[int, UnitStaleness] = {}
    grouped = (
        open_tasks.annotate(latest_period=latest_period)
        .annotate(
            filed=Exists(
                ProgressReport.objects.filter(
                    task=OuterRef("pk"), period=OuterRef("latest_period"), status__in=FILED
                )
            ),
            owes=Exists(
                Period.objects.filter(pk=OuterRef("latest_period"), end__gte=OuterRef("start_date"))
            ),
        )
        .values("lead_unit_id")
        .annotate(
            open=Count("pk"),
            missing=Count(
                "pk",
                filter=Q(status__in=REPORTING_STATUSES, owes=True, filed=False),
            ),
            updated=Max("updated_at"),
        )
    )
    for g in grouped:
        rows[g["lead_unit_id"]] = UnitStaleness(
            unit_id=g["lead_unit_id"],
            open_tasks=g["open"],
            missing_reports=g["missing"],
            last_update_at=g["updated"],
        )
    if not rows:
        return []
    last_reports = (
        ProgressReport.objects.filter(task__in=tasks, status__in=FILED)
        .order_by()
        .values("task__lead_unit_id")
        .annotate(last=Max("submitted_at"))
    )
    for g in last_reports:
        row = rows.get(g["task__lead_unit_id"])
        if row is not None:
            row.last_report_at = g["last"]
    ignored = (
        Notification.objects.filter(
            task__in=tasks,
            kind__in=UNIT_KINDS,
            read_at__isnull=True,
            created_at__lt=now - dt.timedelta(days=IGNORED_AFTER_DAYS),
        )
        .order_by()
        .values("task__lead_unit_id")
        .annotate(n=Count("pk"))
    )
    for g in ignored:
        row = rows.get(g["task__lead_unit_id"])
        if row is not None:
            row.ignored_reminders = g["n"]
    for row in rows.values():
        last = row.last_report_at or row.last_update_at
        row.days_silent = (today - timezone.localdate(last)).days if last else None
    return list(rows.values())


def attach_units(rows: list[UnitStaleness]) -> list[UnitStaleness]:
    """Load the units of `rows` (one page of them) in one query."""
    units = Unit.objects.in_bulk([r.unit_id for r in rows])
    for r in rows:
        r.unit = units.get(r.unit_id)
    return rows


def sort_staleness(rows: list[UnitStaleness], sort: str) -> list[UnitStaleness]:
    """Sort by `sort`, a key of STALENESS_SORTS, ascending, or descending with a "-"
    in front; anything else sorts worst first."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in STALENESS_SORTS or name == "worst":
        name, descending = "worst", True
    if name == "unit":
        # Sorting by unit needs every unit; the numbers need only one page's.
        attach_units(rows)
    key = STALENESS_SORTS[name]
    return sorted(rows, key=lambda r: (*key(r), r.unit_id), reverse=descending)
