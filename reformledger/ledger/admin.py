"""Reference data of the ledger in Django admin: areas, systems, work programmes.

Tasks and plans are changed through the ledger pages (and their services), so
they are read-only here.
"""

from django.contrib import admin

from reformledger.ledger.models import (
    CycleSettings,
    RatingGrade,
    RatingScale,
    ReformArea,
    ReformSystem,
    Task,
    WorkPoint,
    WorkProgramme,
)


@admin.register(ReformArea)
class ReformAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "order")
    list_editable = ("order",)


@admin.register(ReformSystem)
class ReformSystemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")


class WorkPointInline(admin.TabularInline):
    model = WorkPoint
    extra = 1


@admin.register(WorkProgramme)
class WorkProgrammeAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "office", "document_no")
    inlines = [WorkPointInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("year", "code", "title", "lead_unit", "status", "is_key")
    list_filter = ("year", "status", "is_key", "area")
    search_fields = ("code", "title")
    list_select_related = ("lead_unit",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RatingGradeInline(admin.TabularInline):
    model = RatingGrade
    extra = 0


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    """The A–E scale of a year: letters, names, colours and thresholds are data."""

    list_display = ("office", "year", "name")
    list_filter = ("year",)
    inlines = [RatingGradeInline]


@admin.register(CycleSettings)
class CycleSettingsAdmin(admin.ModelAdmin):
    list_display = ("office", "year", "months_per_period", "report_due_days")
