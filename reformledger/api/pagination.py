"""Paging of API lists: `?page=` and `?page_size=`, checked strictly.

DRF ignores a malformed `page_size`; here a malformed or out-of-range value is a
400 naming the parameter, so a client never gets a page it did not ask for.
"""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from reformledger.core import paging


def _positive_int(request, name: str, maximum: int | None = None) -> int | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise ValidationError({name: [_("Give this parameter once.")]})
    try:
        number = int(values[0])
    except ValueError as exc:
        raise ValidationError({name: [_("A whole number is required.")]}) from exc
    if number < 1 or (maximum is not None and number > maximum):
        raise ValidationError(
            {name: [_("Must be between 1 and %(max)s.") % {"max": maximum or "∞"}]}
        )
    return number


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        return _positive_int(request, "page_size", self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        _positive_int(request, "page", 10**9)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            param["schema"]["minimum"] = 1
            if param["name"] == "page_size":
                param["schema"]["maximum"] = self.max_page_size
            if param["name"] == "page":
                param["schema"]["maximum"] = 10**9
        return params


class DeepPagePagination(PageNumberPagination):
    """Paging of a long list: each page is read by its ids first (`core.paging`), so a
    page deep in the list costs about what the first does."""

    django_paginator_class = paging.Paginator
