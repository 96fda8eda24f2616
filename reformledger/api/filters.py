"""Filters every app's API uses: whole numbers, row ids a column can hold, strict
booleans, and the backend that reads them. A value that cannot mean what the
parameter says, or an empty one, is a 400 naming it, never a silently unfiltered
list."""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, stricter: a filter given empty (`status=`) is a 400
    naming it, where django-filter would skip it and answer every row. (`ordering=` is
    no filter: empty, it is the default order, as its schema, an empty list, says.)
    The filterset is left on the view (`view.filterset`) for lists that show what
    was asked."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        empty = {
            name: [_("An empty value filters nothing: give a value or leave the parameter out.")]
            for name, flt in filterset.filters.items()
            if not isinstance(flt, django_filters.OrderingFilter)
            and any(not value.strip() for value in request.query_params.getlist(name))
        }
        if empty:
            raise ValidationError(empty)
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        view.filterset = filterset
        return filterset.qs


#: What a database's integer column can hold (SQLite's INTEGER, PostgreSQL's bigint).
INT64 = (-(2**63), 2**63 - 1)


@extend_schema_field({"type": "integer", "minimum": INT64[0], "maximum": INT64[1]})
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, an id): 0.5 is refused, not rounded, and so is one no
    database column can hold (a 20-digit number is a 400, not a driver's overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", INT64[0])
        kwargs.setdefault("max_value", INT64[1])
        super().__init__(*args, **kwargs)


@extend_schema_field(ID_SCHEMA)
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
