"""Notices in Django admin: read-only delivery facts for the system administrator.

The system administrator runs the system but reads no ledger content, so the
title, message and task of a notice are left out; who got what kind of notice,
when, and whether the e-mail went out is what delivery problems need.
"""

from django.contrib import admin

from reformledger.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "recipient__full_name")
    list_select_related = ("recipient",)
    fields = ("kind", "key", "recipient", "created_at", "read_at", "emailed_at")
    readonly_fields = fields
    date_hierarchy = "created_at"

    # Notices are written by services only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
