"""Reporting periods (报告期): setting up a year's periods and closing (freezing) one.

A closed period is frozen: no rating of it is computed, confirmed or overridden
and no report is filed for it. Every act that writes into a period calls
`require_open(period)` first, inside its own transaction.
"""

import calendar
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now, business_today
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import permissions
from reformledger.ledger.choices import PeriodStatus, RatingStatus
from reformledger.ledger.models import CycleSettings, Period
from reformledger.ledger.services.summaries import summaries_rebuild
from reformledger.orgs.models import Unit

__all__ = [
    "period_close",
    "period_for",
    "period_spans",
    "periods_ensure",
    "require_open",
]

#: Without a CycleSettings row: monthly periods, reports due 5 days after the end.
DEFAULT_MONTHS = 1
DEFAULT_DUE_DAYS = 5


def period_spans(
    year: int, months_per_period: int = DEFAULT_MONTHS, due_days: int = DEFAULT_DUE_DAYS
) -> list[tuple[int, dt.date, dt.date, dt.date]]:
    """The periods of a year as (number, start, end, report due), first to last."""
    spans = []
    for number, first_month in enumerate(range(1, 13, months_per_period), start=1):
        last_month = first_month + months_per_period - 1
        start = dt.date(year, first_month, 1)
        end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        spans.append((number, start, end, end + dt.timedelta(days=due_days)))
    return spans


@transaction.atomic
def periods_ensure(*, office: Unit, year: int, by=None) -> list[Period]:
    """The periods of an office's year, creating the missing ones from its CycleSettings.

    Idempotent: a second call creates nothing and writes no record. The periods a
    call creates are one act ("set up the year"), so they share one audit record
    ("period.created", listing them) rather than twelve records that say the same.
    `by=None` is the system (the `rate` command); a person must be office staff.
    """
    if by is not None and not permissions.can_run_office(by, office):
        raise PermissionDenied("periods_ensure")
    cycle = CycleSettings.objects.filter(office=office, year=year).first()
    months = cycle.months_per_period if cycle else DEFAULT_MONTHS
    due_days = cycle.report_due_days if cycle else DEFAULT_DUE_DAYS
    have = set(Period.objects.filter(office=office, year=year).values_list("number", flat=True))
    missing = [
        Period(office=office, year=year, number=n, start=start, end=end, report_due=due)
        for n, start, end, due in period_spans(year, months, due_days)
        if n not in have
    ]
    if missing:
        try:
            with transaction.atomic():
                Period.objects.bulk_create(missing)
        except IntegrityError:
            # Someone set the year up at the same moment: theirs stands, and so
            # does their record.
            return list(Period.objects.filter(office=office, year=year).order_by("number"))
        audit.record(
            actor=by,
            verb="period.created",
            obj=office,
            changes={
                "year": [None, year],
                "periods": [None, [p.label for p in missing]],
                "report_due_days": [None, due_days],
            },
        )
    return list(Period.objects.filter(office=office, year=year).order_by("number"))


def period_for(office: Unit, on: dt.date) -> Period | None:
    """The office's period that `on` falls in, or None if that year is not set up."""
    return Period.objects.filter(office=office, start__lte=on, end__gte=on).first()


def require_open(period: Period) -> Period:
    """Refuse (ValidationError on "period") if the period is closed.

    The status is read from the database, not the caller's copy; inside a
    transaction the period row is locked, so the period cannot close between this
    check and the caller's write (`period_close` takes the same lock).
    """
    rows = Period.objects.filter(pk=period.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    period.status = rows.values_list("status", flat=True).get()
    if period.status == PeriodStatus.CLOSED:
        raise ValidationError(
            {
                "period": _("The period %(period)s is closed (frozen); it can no longer change.")
                % {"period": period.label}
            }
        )
    return period


@transaction.atomic
def period_close(*, period: Period, by) -> Period:
    """Close (freeze) a period once it has ended: its ratings stay as they are, decided or
    only suggested, and the ledger can be shown as of it. Office leaders only."""
    if not permissions.can_run_office(by, period.office, leader=True):
        raise PermissionDenied("period_close")
    period = Period.objects.select_for_update().select_related("office").get(pk=period.pk)
    if period.status == PeriodStatus.CLOSED:
        raise ConflictError(
            _("The period %(period)s is already closed.") % {"period": period.label}
        )
    if period.end >= business_today():
        raise ValidationError(
            {
                "period": _("The period %(period)s has not ended yet; close it after %(end)s.")
                % {"period": period.label, "end": period.end.isoformat()}
            }
        )
    counts = dict.fromkeys(RatingStatus.values, 0)
    for row in period.ratings.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    period.status = PeriodStatus.CLOSED
    period.closed_at, period.closed_by = business_now(), by
    period.save(update_fields=["status", "closed_at", "closed_by"])
    # Its counts are frozen with it: the dashboard reads them from the summary rows.
    summaries_rebuild(period)
    audit.record(
        actor=by,
        verb="period.closed",
        obj=period,
        changes={
            "status": [PeriodStatus.OPEN.value, PeriodStatus.CLOSED.value],
            **{f"ratings_{status}": [None, n] for status, n in counts.items()},
        },
    )
    return period
