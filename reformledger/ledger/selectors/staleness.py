"""Staleness per unit (DOMAIN: staleness): who has stopped reporting, and the one
definition of "days without a progress report" every page shows.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from reformledger.ledger.choices import (
    OPEN_STATUSES,
)
from reformledger.ledger.models import (
    Period,
    ProgressReport,
)
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.selectors.reminders import FILED, REPORTING_STATUSES
from reformledger.notifications.choices import UNIT_KINDS
from reformledger.notifications.models import Notification
from reformledger.orgs.models import Unit

#: Days an unread reminder waits before the staleness page counts it as ignored.
IGNORED_AFTER_DAYS = 7


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
