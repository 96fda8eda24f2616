"""What the lists' API resources share: who may act (a 403 for the role, a 409 for a
published edition), the version a change read, the strict filters, the comparison's
answer and the counting subqueries that keep each list to a fixed number of queries."""

import copy

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import F, Func, IntegerField, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reformledger.api.exceptions import PreconditionRequired
from reformledger.api.mixins import ERRORS, etag, if_match_version
from reformledger.catalog import permissions, services
from reformledger.catalog.choices import ChangeKind, EditionStatus, ListKind, MatchedBy
from reformledger.catalog.models import Edition
from reformledger.core.exceptions import ConflictError

NUMERIC = "[0-9]+"
FIRST_YEAR, LAST_YEAR = services.FIRST_YEAR, services.LAST_YEAR
MAX_ID = 2**31 - 1

# --- who may act ------------------------------------------------------------------------


def edition_of(obj) -> Edition:
    return obj if isinstance(obj, Edition) else obj.edition


def require(user, act: str, obj) -> None:
    """A 403 unless `user` may do `act`; a 409 when only the edition's being published
    stands in the way (it no longer changes), so the role is told apart from the state."""
    edition = edition_of(obj)
    if permissions.can(user, act, edition):
        return
    if not edition.is_draft:
        as_draft = copy.copy(edition)
        as_draft.status = EditionStatus.DRAFT
        if permissions.can(user, act, as_draft):
            raise ConflictError(_("This edition is published: it no longer changes."))
    raise PermissionDenied(f"{act} not allowed on {obj._meta.model_name} {obj.pk}")


def versioned(request, body_version: int | None) -> tuple[int, bool]:
    """The version a change read (If-Match or `version`), and whether If-Match named it."""
    if_match = if_match_version(request)
    if if_match is not None and body_version is not None and if_match != body_version:
        raise ValidationError(
            {"version": [_("The version in the body and If-Match differ; send one.")]}
        )
    if if_match is None and body_version is None:
        raise PreconditionRequired()
    return (if_match if if_match is not None else body_version), if_match is not None


def checked(serializer_class, request, *, partial: bool = False) -> dict:
    data = serializer_class(data=request.data, partial=partial, context={"request": request})
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def with_etag(response: Response) -> Response:
    response["ETag"] = etag(response.data["version"])
    return response


# --- filters ----------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})
class YearFilter(django_filters.NumberFilter):
    """A year between 2000 and 2100; anything else is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "maxLength": 100})
class TextFilter(django_filters.CharFilter):
    """A text of at most 100 characters (the schema says so; a longer one is a 400)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)


def search(queryset, name, value):
    return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


# --- the comparison ----------------------------------------------------------------------


class TallySerializer(serializers.Serializer):
    label = serializers.CharField()
    old = serializers.IntegerField()
    new = serializers.IntegerField()
    removed = serializers.IntegerField()
    added = serializers.IntegerField()
    net = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    """`Comparison.summary()`: the sentence an office writes, items per list, the
    administrative approval items, per type and per department, and changes per kind."""

    old_edition = serializers.IntegerField()
    new_edition = serializers.IntegerField()
    sentence = serializers.CharField()
    lists = serializers.DictField(child=TallySerializer())
    approval = TallySerializer()
    by_type = TallySerializer(many=True)
    by_department = TallySerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    matched_by_name = serializers.IntegerField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class ChangeSerializer(serializers.Serializer):
    """One item's difference (`Change.as_dict()`)."""

    list = serializers.ChoiceField(choices=ListKind.choices)
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=ChangeKind.choices))
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    old_name = serializers.CharField(allow_blank=True)
    department = serializers.CharField(allow_blank=True)
    old_department = serializers.CharField(allow_blank=True)
    sub_item_of = serializers.CharField(allow_blank=True)
    matched_by = serializers.ChoiceField(choices=MatchedBy.choices, allow_blank=True)
    old_item = serializers.IntegerField(allow_null=True)
    new_item = serializers.IntegerField(allow_null=True)
    fields = FieldChangeSerializer(many=True)


class ComparisonSerializer(serializers.Serializer):
    """The summary, and one page of the changes."""

    summary = SummarySerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ChangeSerializer(many=True)


# --- counting, paging --------------------------------------------------------------------


def count_of(queryset) -> Coalesce:
    """The number of rows of `queryset` (filtered on an OuterRef), as a subquery: a plain
    COUNT with no GROUP BY, so one row whatever the filter."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def compared_with(request, edition: Edition, others) -> Edition:
    """The edition `edition` is compared with: `?with=<id>` among `others`, or its
    previous one."""
    values = request.query_params.getlist("with")
    if len(values) > 1:
        raise ValidationError({"with": [_("Give this parameter once.")]})
    if values:
        text = values[0].strip()
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
            raise ValidationError({"with": [_("Give the id of an edition.")]})
        other = others.filter(pk=int(text)).first()
        if other is None:
            raise ValidationError({"with": [_("No edition you may see has this id.")]})
    else:
        other = others.filter(pk=edition.previous_id).first() if edition.previous_id else None
        if other is None:
            raise ValidationError(
                {"with": [_("This edition has no previous edition: give one to compare with.")]}
            )
    if other.pk == edition.pk:
        raise ValidationError({"with": [_("Compare the edition with another one.")]})
    return other


def comparison_response(view, comparison) -> Response:
    page = view.paginator.paginate_queryset(comparison.changes, view.request, view=view)
    body = view.paginator.get_paginated_response([c.as_dict() for c in page]).data
    return Response({"summary": comparison.summary(), **body})


PAGED = [
    OpenApiParameter(
        "page", {"type": "integer", "minimum": 1, "maximum": 10**9}, OpenApiParameter.QUERY
    ),
    OpenApiParameter(
        "page_size", {"type": "integer", "minimum": 1, "maximum": 500}, OpenApiParameter.QUERY
    ),
]
WITH = OpenApiParameter(
    "with",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    OpenApiParameter.QUERY,
    description="The edition to compare with (default: the previous edition).",
)
XLSX_FILE = {200: OpenApiResponse(description="the .xlsx workbook"), 404: ERRORS[404]}
