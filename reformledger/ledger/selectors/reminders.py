"""The reminders due on a day (DOMAIN: deadlines and reminders): reports due and late,
milestones due and overdue, closing requests waiting. Read in bulk, in a fixed
number of queries whatever the size of the ledger; `services.reminders_send` sends
them through the notices.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from reformledger.core.clock import business_now
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
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit

#: Days before a report's due date that its reminder goes out.
REPORT_DUE_DAYS = 3
#: Days before a milestone's planned date that its reminder goes out.
MILESTONE_DUE_DAYS = 7
#: Days a closing request may wait before the office is told it is stale.
CLOSING_STALE_DAYS = 7

#: Tasks that owe a progress report each period: those under way. A task still in
#: planning owes its plan first (the "my work" page chases that).
REPORTING_STATUSES = (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)
#: A report counts as filed once submitted (accepted later or not).
FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


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
    # The page the notice opens, the one its recipients act on (their next act's): the
    # report form ("report", with facts["period_id"]), the task's reports ("reports"),
    # its plan ("plan"), its closing ("closing"), or the task ("task").
    page: str = "task"
    # The unit whose messenger robots post it: the lead unit, or the office for what
    # waits on the office.
    unit_id: int | None = None


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


def unit_people(paths: dict[int, str]) -> dict[int, tuple[int, ...]]:
    """The liaisons and head of each unit (by id, from its path), or of the unit just
    above it for a role it has nobody in: who a reminder to the unit reaches. One query."""
    people = _People()
    return {
        unit_id: _ids(
            people.of_unit(Role.UNIT_REPORTER, path), people.of_unit(Role.UNIT_HEAD, path)
        )
        for unit_id, path in paths.items()
    }


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
    now = now or business_now()
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
        .values(
            "id",
            "code",
            "title",
            "office_id",
            "year",
            "start_date",
            "lead_unit_id",
            "lead_unit__path",
        )
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
            facts = {
                "code": t["code"],
                "title": t["title"],
                "period": p.label,
                "due": p.report_due,
                "period_id": p.pk,
            }
            kind = (
                NotificationKind.REPORT_DUE
                if p.report_due >= today
                else NotificationKind.REPORT_LATE
            )
            key = f"{kind}:task={t['id']}:period={p.pk}"
            # The liaisons file the report; the head, told once it is late, reads it.
            liaisons = _ids(people.of_unit(Role.UNIT_REPORTER, unit))
            lead = t["lead_unit_id"]
            out.append(Due(kind, key, t["id"], liaisons, facts, page="report", unit_id=lead))
            if kind == NotificationKind.REPORT_LATE:
                heads = tuple(
                    uid for uid in _ids(people.of_unit(Role.UNIT_HEAD, unit)) if uid not in liaisons
                )
                out.append(Due(kind, key, t["id"], heads, facts, page="reports", unit_id=lead))
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
            "plan__task__lead_unit_id",
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
        key = f"{kind}:task={task_id}:milestone={m['id']}"
        lead = m["plan__task__lead_unit_id"]
        out.append(Due(kind, key, task_id, who, facts, page="plan", unit_id=lead))
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
            "task__lead_unit_id",
            "task__lead_unit__path",
            "task__office_id",
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
            unit_id = c["task__lead_unit_id"]
        else:
            kind = NotificationKind.CLOSING_TO_APPROVE
            who = _ids(people.over(Role.OFFICE_LEADER, c["task__office__path"]))
            unit_id = c["task__office_id"]
        out.append(Due(kind, f"{kind}:{occasion}", c["task_id"], who, facts, "closing", unit_id))
        if c["requested_at"] < stale_before:
            kind = NotificationKind.CLOSING_STALE
            who = _ids(people.over(Role.OFFICE_ADMIN, c["task__office__path"]))
            office = c["task__office_id"]
            out.append(Due(kind, f"{kind}:{occasion}", c["task_id"], who, facts, "closing", office))
    return out
