"""Filters of the supervision API: years, units (and below), overdue, and each list's own."""

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from reformledger.api.filters import IdFilter, StrictBooleanFilter
from reformledger.core.clock import business_today
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any
from reformledger.supervision import selectors
from reformledger.supervision.choices import (
    DocumentStatus,
    MatterStatus,
    OrderLevel,
)
from reformledger.supervision.models import (
    ActionItem,
    LeaderLink,
    LeadingGroupMeeting,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


# --- filters ------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})
class YearFilter(django_filters.NumberFilter):
    """A year between 2000 and 2100; anything else is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


def _under_unit(lookup: str):
    """A filter method: rows whose `lookup` unit is the unit given or one below it; an id
    that matches no unit gives an empty list (as on the ledger's filters)."""

    def method(self, queryset, name, value):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(under_any(lookup, (path,))) if path else queryset.none()

    return method


def _overdue(self, queryset, name, value):
    overdue = selectors.overdue_filter(business_today())
    return queryset.filter(overdue) if value else queryset.exclude(overdue)


class MatterFilter(django_filters.FilterSet):
    """What orders and action items are filtered by."""

    status = django_filters.ChoiceFilter(choices=MatterStatus.choices)
    unit = IdFilter(method="under_unit", help_text="The responsible unit, or a unit above it.")
    task = IdFilter(field_name="task_id")
    overdue = StrictBooleanFilter(
        method="overdue_only", help_text="true: unanswered past the deadline; false: the rest."
    )
    under_unit = _under_unit("unit")
    overdue_only = _overdue


class OrderFilter(MatterFilter):
    year = YearFilter()
    level = django_filters.ChoiceFilter(choices=OrderLevel.choices)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("number", "number"),
            ("deadline", "deadline"),
            ("level", "level"),
            ("issued_at", "issued_at"),
            ("unit__path", "unit"),
        )
    )

    class Meta:
        model = SupervisionOrder
        fields = ["year", "level", "status", "unit", "task", "overdue"]


class ActionItemFilter(MatterFilter):
    year = YearFilter(method="of_year", help_text="The year of the meeting that set it.")
    meeting = IdFilter(field_name="meeting_id")
    review = IdFilter(field_name="review_id")
    ordering = django_filters.OrderingFilter(
        fields=(("deadline", "deadline"), ("status", "status"), ("unit__path", "unit"))
    )

    class Meta:
        model = ActionItem
        fields = ["year", "status", "unit", "task", "overdue", "meeting", "review"]

    def of_year(self, queryset, name, value):
        return queryset.filter(Q(meeting__held_on__year=value) | Q(review__meeting__year=value))


class LinkFilter(django_filters.FilterSet):
    year = YearFilter(field_name="task__year")
    task = IdFilter(field_name="task_id")
    leader = IdFilter(field_name="leader_id")
    unit = IdFilter(method="under_unit", help_text="The task's lead unit, or a unit above it.")
    active = StrictBooleanFilter(method="active_only")
    ordering = django_filters.OrderingFilter(
        fields=(("task__code", "task"), ("linked_at", "linked_at"))
    )
    under_unit = _under_unit("task__lead_unit")

    class Meta:
        model = LeaderLink
        fields = ["year", "task", "leader", "unit", "active"]

    def active_only(self, queryset, name, value):
        return queryset.filter(ended_at__isnull=value)


class SupervisionMeetingFilter(django_filters.FilterSet):
    year = YearFilter(field_name="held_on__year")
    task = IdFilter(field_name="tasks", help_text="A task the meeting discussed.")
    ordering = django_filters.OrderingFilter(fields=(("held_on", "held_on"),))

    class Meta:
        model = SupervisionMeeting
        fields = ["year", "task"]


class DocumentFilter(django_filters.FilterSet):
    year = YearFilter()
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices)
    unit = IdFilter(method="under_unit", help_text="The drafting unit, or a unit above it.")
    task = IdFilter(field_name="task_id")
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("status", "status"), ("issued_on", "issued_on"))
    )
    under_unit = _under_unit("drafting_unit")

    class Meta:
        model = ReformDocument
        fields = ["year", "status", "unit", "task"]


class LeadingGroupMeetingFilter(django_filters.FilterSet):
    year = YearFilter()
    task = IdFilter(field_name="reviews__task_id", help_text="A task put to collective review.")
    document = IdFilter(field_name="documents", help_text="A reform document reviewed.")
    ordering = django_filters.OrderingFilter(fields=(("held_on", "held_on"), ("number", "number")))

    class Meta:
        model = LeadingGroupMeeting
        fields = ["year", "task", "document"]
