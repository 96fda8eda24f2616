"""The ledger page's filters as the API reads them: the same names and meaning,
checked strictly."""

from django.utils.translation import gettext_lazy as _

from reformledger.api.filters import IntegerFilter, StrictBooleanFilter
from reformledger.ledger.filters import TaskFilter
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any


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
