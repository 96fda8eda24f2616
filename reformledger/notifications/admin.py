"""Notices in Django admin: read-only delivery facts for the system administrator.

The system administrator runs the system but reads no ledger content, so the
title, message and task of a notice are left out; who got what kind of notice,
when, and whether the e-mail went out is what delivery problems need.
"""

from django.contrib import admin

from reformledger.notifications.models import Delivery, MessengerRobot, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written here: notices, robots and deliveries change through the
    services (and the office's pages), each with its audit record."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("kind", "recipient", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "recipient__full_name")
    list_select_related = ("recipient",)
    fields = ("kind", "key", "recipient", "created_at", "read_at", "emailed_at")
    readonly_fields = fields
    date_hierarchy = "created_at"


@admin.register(MessengerRobot)
class MessengerRobotAdmin(ReadOnlyAdmin):
    """Which units have robots, for the system administrator; the address and secret
    are left out (the office manages robots on the unit's page)."""

    list_display = ("name", "unit", "platform", "is_active", "created_at")
    list_filter = ("platform", "is_active")
    list_select_related = ("unit",)
    fields = ("name", "unit", "platform", "topics", "is_active", "created_at")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Delivery facts of the robots' messages (no title or words), for diagnosing."""

    list_display = ("kind", "robot", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    list_select_related = ("robot",)
    fields = (
        "kind",
        "key",
        "robot",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    date_hierarchy = "created_at"
