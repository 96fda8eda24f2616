"""Reference data in Django admin: the unit tree, people, memberships (system admin)."""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from reformledger.orgs.models import Membership, Person, Unit, UnitAlias, UnitName


class UnitNameInline(admin.TabularInline):
    model = UnitName
    extra = 0


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "code", "kind", "is_active")
    search_fields = ("name", "code")
    list_filter = ("kind", "is_active")
    inlines = [UnitNameInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "unit", "user")
    search_fields = ("name", "title")
    list_select_related = ("unit", "user")
    autocomplete_fields = ("unit",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "title", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__full_name", "unit__name")
    list_select_related = ("unit", "user")
    autocomplete_fields = ("unit",)


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    """Aliases are added and removed by offices through the services (each act is
    audited); the admin shows them and where they came from."""

    list_display = ("alias", "unit", "source", "added_by", "added_at")
    search_fields = ("alias", "normalised", "unit__name", "source")
    list_select_related = ("unit", "added_by")
    readonly_fields = ("unit", "alias", "normalised", "source", "added_by", "added_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
