"""The public part of the lists' API (/api/v1/public/lists/), open without a token: the
published editions, their items and each edition's comparison with the place's previous
published edition. It shows what the published document shows — names, never the
ledger's ids of offices, departments, people or tasks — and each client address may
make RL_PUBLIC_RATE requests (beyond it: 429), counted in the public cache."""

import django_filters
from django.conf import settings
from django.core.cache import caches
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle

from reformledger.api.filters import IdFilter
from reformledger.api.mixins import ERRORS
from reformledger.catalog import selectors
from reformledger.catalog.api.common import (
    NUMERIC,
    PAGED,
    ComparisonSerializer,
    TextFilter,
    YearFilter,
    comparison_response,
    count_of,
    search,
)
from reformledger.catalog.choices import EditionStatus, ListKind
from reformledger.catalog.compare import compare_editions
from reformledger.catalog.models import Edition, Item


class PublicEditionFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year")

    class Meta:
        model = Edition
        fields = []


class PublicItemFilter(django_filters.FilterSet):
    """`q` searches names and codes, `department` departments' names; `type` is a power
    type's code (`licensing`, `penalty`, …)."""

    edition = IdFilter(field_name="edition_id")
    year = YearFilter(field_name="edition__year")
    list_kind = django_filters.ChoiceFilter(choices=ListKind.choices)
    type = TextFilter(field_name="item_type__code")
    department = TextFilter(field_name="department__name", lookup_expr="icontains")
    q = TextFilter(method=search)

    class Meta:
        model = Item
        fields = []


# --- the public part ---------------------------------------------------------------------


class PublicThrottle(AnonRateThrottle):
    """Requests one client address may make without signing in: RL_PUBLIC_RATE (as the
    public pages; "0" switches it off), counted in the public cache."""

    scope = "public"

    @property
    def cache(self):
        return caches["public"]

    def get_rate(self):
        rate = str(getattr(settings, "RL_PUBLIC_RATE", "120/m")).strip()
        return None if rate in ("", "0") else rate


class PublicEditionSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.name", read_only=True)
    previous = serializers.IntegerField(
        source="previous_published",
        read_only=True,
        allow_null=True,
        help_text="The place's previous published edition, compared with.",
    )
    power_items = serializers.IntegerField(read_only=True)
    service_items = serializers.IntegerField(read_only=True)

    class Meta:
        model = Edition
        fields = [
            "id",
            "jurisdiction",
            "year",
            "title",
            "document_no",
            "document_title",
            "published_on",
            "previous",
            "power_items",
            "service_items",
        ]
        read_only_fields = fields


class PublicItemSerializer(serializers.ModelSerializer):
    edition_title = serializers.CharField(source="edition.title", read_only=True)
    year = serializers.IntegerField(source="edition.year", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    item_type = serializers.CharField(source="item_type.name", read_only=True, allow_null=True)
    sub_item_of = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "edition",
            "edition_title",
            "year",
            "list_kind",
            "department",
            "parent",
            "sub_item_of",
            "code",
            "name",
            "item_type",
            "basis",
            "body",
            "level",
            "responsibilities",
            "accountability",
            "serves",
            "provides",
            "time_limit",
            "fees",
            "contact",
            "note",
        ]
        read_only_fields = fields


def published_editions():
    """Published editions (`selectors.published_editions`), each with its place's
    previous published edition (`selectors.previous_published`, as a subquery)."""
    published = selectors.published_editions()
    earlier = published.filter(
        jurisdiction=OuterRef("jurisdiction"), year__lt=OuterRef("year")
    ).order_by("-year")
    mains = Item.objects.filter(edition=OuterRef("pk"), parent__isnull=True)
    return published.annotate(
        previous_published=Subquery(earlier.values("pk")[:1]),
        power_items=count_of(mains.filter(list_kind=ListKind.POWER)),
        service_items=count_of(mains.filter(list_kind=ListKind.SERVICE)),
    ).order_by("-year", "jurisdiction__path", "pk")


class _Public:
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]


TOO_MANY = {
    429: OpenApiResponse(
        description="Too many requests from this address: wait (Retry-After) and ask again."
    )
}


def _public_schema(serializer):
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **TOO_MANY}),
        retrieve=extend_schema(responses={200: serializer, **TOO_MANY}),
    )


@extend_schema(tags=["public"], auth=[])
@_public_schema(PublicEditionSerializer)
class PublicEditionViewSet(
    _Public, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Published editions of the lists, the latest year first; open without a token."""

    queryset = Edition.objects.none()
    serializer_class = PublicEditionSerializer
    filterset_class = PublicEditionFilter
    lookup_value_regex = NUMERIC

    def get_queryset(self):
        return published_editions()

    @extend_schema(
        parameters=PAGED,
        responses={200: ComparisonSerializer, 404: ERRORS[404], **TOO_MANY},
        auth=[],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def comparison(self, request, pk=None):
        """What changed from the place's previous published edition to this one: the
        summary and a page of the changes (404 for the first published edition)."""
        edition = self.get_object()
        if edition.previous_published is None:
            raise NotFound(_("This is the first published edition: there is none to compare with."))
        other = Edition.objects.get(pk=edition.previous_published)
        return comparison_response(self, compare_editions(other, edition))


@extend_schema(tags=["public"], auth=[])
@_public_schema(PublicItemSerializer)
class PublicItemViewSet(
    _Public, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Items of the published editions, searchable; open without a token."""

    queryset = Item.objects.none()
    serializer_class = PublicItemSerializer
    filterset_class = PublicItemFilter
    lookup_value_regex = NUMERIC

    def get_queryset(self):
        return (
            Item.objects.filter(edition__status=EditionStatus.PUBLISHED)
            .select_related("edition", "department", "item_type", "parent")
            .order_by(
                "-edition__year", "edition", "list_kind", "department__path", "position", "pk"
            )
        )
