from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from reformledger.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("full_name",)}),
        # Changed only through the account services (the security administrator's pages).
        (_("Sign-in"), {"fields": ("password_changed_at", "must_change_password", "enabled_at")}),
    )
    readonly_fields = ("password_changed_at", "must_change_password", "enabled_at")
    list_display = ("username", "full_name", "email", "is_active", "last_login")
    search_fields = ("username", "full_name", "email")
