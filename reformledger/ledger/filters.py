"""The ledger page's filters, search and sort (django-filter), shared with the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
