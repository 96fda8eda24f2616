"""Filters every app's API uses: whole numbers, row ids a column can hold, strict
booleans. A value that cannot mean what the parameter says is a 400 naming it,
never a silently unfiltered list."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


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
