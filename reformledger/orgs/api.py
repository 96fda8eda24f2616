"""API of the organisation: units and people, read-only, scoped like the pages."""

from django.db.models import Q
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from reformledger.api.filters import StrictBooleanFilter
from reformledger.api.schema import describe_tags
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Person, Unit
from reformledger.orgs.permissions import visible_units

describe_tags(
    {
        "units": "Units (单位), read only: office staff and leaders, city leaders and the system "
        "administrator read every unit; a unit's liaison and head their unit and those below. "
        "The unit tree changes on the pages.",
        "people": "People (人员) named in the ledger, in the units one reads.",
    }
)


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "is_active", "merged_into", "parent"]

    def get_parent(self, unit: Unit) -> int | None:
        parents = self.context.get("parents", {})
        return parents.get(unit.path[: -Unit.steplen]) if unit.depth > 1 else None


class UnitFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label="search code or name")
    kind = filters.ChoiceFilter(choices=UnitKind.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = Unit
        fields = ["q", "kind", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units the user may open (单位), in tree order."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.none()  # for the schema; rows come from get_queryset
    lookup_value_regex = "[0-9]+"
    filterset_class = UnitFilter

    def get_queryset(self):
        return visible_units(self.request.user).order_by("path")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        # One query for every parent id on the page, instead of one per unit.
        context["parents"] = dict(Unit.objects.values_list("path", "id"))
        return context


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "title", "unit"]


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People named in the ledger (人员), in the units the user may open."""

    serializer_class = PersonSerializer
    queryset = Person.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Person.objects.filter(unit__in=visible_units(self.request.user)).order_by("id")
