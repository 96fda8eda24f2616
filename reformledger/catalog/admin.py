"""The system administrator keeps the power types (reference data) here; editions and
items change only through the services (the office's pages and the API)."""

from django.contrib import admin

from reformledger.catalog.models import ItemType


@admin.register(ItemType)
class ItemTypeAdmin(admin.ModelAdmin):
    list_display = ("position", "code", "name", "aliases", "is_approval", "is_active")
    list_editable = ("name", "aliases", "is_approval", "is_active")
    list_display_links = ("code",)
    ordering = ("position",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
