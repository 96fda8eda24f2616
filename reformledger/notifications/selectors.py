"""Reads of notices: a user's notices and how many are unread."""

from django.db.models import QuerySet

from reformledger.notifications.models import Notification

# --- A user's notices ----------------------------------------------------------


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notices, newest first, with the task each names."""
    return Notification.objects.filter(recipient=user).select_related("task")


def unread_count(user) -> int:
    """How many of the user's notices are unread (the navbar badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
