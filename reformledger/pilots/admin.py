"""Pilots in Django admin, read-only: pilots, their reviews, acceptances, sub-projects,
investment reports, files, innovations and adoptions change only through their pages
and services (each act with its audit record), so here they are only read — by an
account given the model's view permission, never by default."""

from django.contrib import admin

from reformledger.pilots.models import (
    Acceptance,
    Adoption,
    Innovation,
    InnovationFile,
    InvestmentReport,
    MidTermReview,
    Pilot,
    PilotFile,
    SubProject,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; adds, changes and deletes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Pilot)
class PilotAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "status", "host_unit", "office", "start", "end")
    list_filter = ("level", "status")
    search_fields = ("code", "name", "brand", "granting_body")
    list_select_related = ("host_unit", "office")


@admin.register(MidTermReview)
class MidTermReviewAdmin(ReadOnlyAdmin):
    list_display = ("pilot", "reviewed_on", "reviewer")
    list_select_related = ("pilot",)


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("pilot", "accepted_on", "accepting_body", "result", "rank_text")
    list_filter = ("result",)
    list_select_related = ("pilot",)


@admin.register(SubProject)
class SubProjectAdmin(ReadOnlyAdmin):
    list_display = ("pilot", "code", "name", "host_unit", "planned_investment")
    search_fields = ("code", "name")
    list_select_related = ("pilot", "host_unit")


@admin.register(InvestmentReport)
class InvestmentReportAdmin(ReadOnlyAdmin):
    list_display = ("sub_project", "period", "amount", "reported_at")
    list_select_related = ("sub_project", "period")


@admin.register(PilotFile)
class PilotFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "pilot", "kind", "size", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("pilot",)


@admin.register(Innovation)
class InnovationAdmin(ReadOnlyAdmin):
    list_display = ("title", "year", "unit", "status", "proposed_at")
    list_filter = ("year", "status")
    search_fields = ("title",)
    list_select_related = ("unit",)


@admin.register(InnovationFile)
class InnovationFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "innovation", "size", "uploaded_at")
    list_select_related = ("innovation",)


@admin.register(Adoption)
class AdoptionAdmin(ReadOnlyAdmin):
    list_display = ("innovation", "unit", "adopted_on")
    list_select_related = ("innovation", "unit")
