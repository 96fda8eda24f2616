"""Reads of notices: a user's notices and how many are unread; a unit's messenger
robots and their deliveries."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from reformledger.notifications.choices import DeliveryStatus
from reformledger.notifications.models import Delivery, MessengerRobot, Notification

#: Days a delivery that failed for good is counted among the office's next acts (the
#: robots page lists it for as long as it is kept).
FAILED_SHOWN_DAYS = 7

# --- A user's notices ----------------------------------------------------------


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notices, newest first, with the task each names."""
    return Notification.objects.filter(recipient=user).select_related("task")


def unread_count(user) -> int:
    """How many of the user's notices are unread (the navbar badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- Messenger robots ------------------------------------------------------------------


def robots_of(unit) -> QuerySet[MessengerRobot]:
    """A unit's robots, those switched on first (callers check who may see them)."""
    return MessengerRobot.objects.filter(unit=unit).order_by("-is_active", "name", "pk")


def deliveries_of(unit, *, failing: bool = False) -> QuerySet[Delivery]:
    """The deliveries to a unit's robots, newest first, with their robot; `failing`:
    only those that failed or wait to be tried again after failing."""
    qs = Delivery.objects.filter(robot__unit=unit).select_related("robot")
    return qs.filter(failing_q()) if failing else qs


def failing_q() -> Q:
    """Deliveries that failed for good, or wait for another try after a failure."""
    return Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0)


def deliveries_to_look_at() -> QuerySet[Delivery]:
    """What the office should look at (its next acts; callers scope it to their units):
    retrying deliveries, and those failed for good in the last FAILED_SHOWN_DAYS days,
    of robots still switched on."""
    since = timezone.now() - dt.timedelta(days=FAILED_SHOWN_DAYS)
    return Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, attempts__gt=0)
        | Q(status=DeliveryStatus.FAILED, created_at__gte=since),
        robot__is_active=True,
    )
