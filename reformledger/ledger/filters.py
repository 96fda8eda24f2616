"""The ledger page's filters, search and sort (django-filter), shared with the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from reformledger.ledger.choices import OPEN_STATUSES, TaskStatus
from reformledger.ledger.models import ReformArea, ReformSystem, Task
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any


class TaskFilter(django_filters.FilterSet):
    """Filter by year, area, system, lead unit, status, key, overdue; search; sort."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))
    area = django_filters.ModelChoiceFilter(
        label=_("Reform area"), queryset=ReformArea.objects.all()
    )
    system = django_filters.ModelChoiceFilter(
        label=_("Reform system"), queryset=ReformSystem.objects.all()
    )
    lead_unit = django_filters.ModelChoiceFilter(
        label=_("Lead unit"),
        queryset=Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path"),
        method="under_unit",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    is_key = django_filters.BooleanFilter(label=_("Key tasks only"), method="key_only")
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="overdue_only")
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("code", "code"),
            ("title", "title"),
            ("deadline", "deadline"),
            ("status", "status"),
            ("lead_unit__code", "lead_unit"),
            ("area__order", "area"),
        ),
        field_labels={
            "code": _("Code"),
            "title": _("Title"),
            "deadline": _("Deadline"),
            "status": _("Status"),
            "lead_unit": _("Lead unit"),
            "area": _("Reform area"),
        },
    )

    class Meta:
        model = Task
        fields = ["q", "year", "area", "system", "lead_unit", "status", "is_key", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def under_unit(self, queryset, name, value):
        return queryset.filter(under_any("lead_unit", (value.path,))) if value else queryset

    def key_only(self, queryset, name, value):
        return queryset.filter(is_key=True) if value else queryset

    def overdue_only(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("area", "system", "lead_unit", "status"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, an id): 0.5 is refused, not rounded."""

    field_class = forms.IntegerField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number a database column can hold (larger ones are a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    """`true` or `false`, nothing else: an API client that sends `null` or `yes`
    gets a 400 naming the parameter instead of a silently unfiltered list."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class TaskApiFilter(TaskFilter):
    """The ledger filters for the API: the same names and meaning, checked strictly,
    and an id that matches nothing gives an empty list (as a search would)."""

    year = IntegerFilter(label=_("Year"))
    area = IntegerFilter(label=_("Reform area"), field_name="area_id")
    system = IntegerFilter(label=_("Reform system"), field_name="system_id")
    lead_unit = IntegerFilter(label=_("Lead unit"), method="under_unit_id")
    is_key = StrictBooleanFilter(label=_("Key tasks only"), method="key_only")
    overdue = StrictBooleanFilter(label=_("Overdue only"), method="overdue_only")

    def under_unit_id(self, queryset, name, value):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(under_any("lead_unit", (path,))) if path else queryset.none()
