"""Reference data in Django admin: the unit tree, people, memberships (system admin)."""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from reformledger.orgs.models import Membership, Person, Unit, UnitName


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
