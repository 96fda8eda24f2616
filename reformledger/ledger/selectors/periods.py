"""Reads of periods and rating scales for other systems: the period running today, and
the scales (with their grades) of the ledgers a user works or reads."""

import datetime as dt

from django.db.models import Q, QuerySet

from reformledger.core.clock import business_today
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period, RatingScale
from reformledger.ledger.permissions import OFFICE, visible_tasks
from reformledger.orgs.permissions import scopes_of, under_any

__all__ = ["current_periods", "visible_scales"]


def current_periods(periods: QuerySet[Period], today: dt.date | None = None) -> QuerySet[Period]:
    """Of `periods`, the open ones running today (one per office whose year is set up)."""
    today = today or business_today()
    return periods.filter(status=PeriodStatus.OPEN, start__lte=today, end__gte=today)


def visible_scales(user) -> QuerySet[RatingScale]:
    """Rating scales, with their grades, of the ledgers a user works or reads: offices
    they are staff of, and offices whose tasks they see (the rule of `visible_periods`)."""
    paths = scopes_of(user).paths(*OFFICE)
    ledgers = Q(office__in=visible_tasks(user).order_by().values("office"))
    return (
        RatingScale.objects.filter(ledgers | under_any("office", paths))
        .select_related("office")
        .prefetch_related("grades")
    )
