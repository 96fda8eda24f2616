"""API of grassroots innovations (基层创新) and their spread (推广): the innovations a
user may see, proposing one, the acts on it (revise, accept, return, decline, declare
replicable, adopt), and the adoptions, read only.

The lists start from the same scoped selector as the pages and every act calls the same
service: an innovation the user may not see is a 404, an act the role does not allow a
403 (asked before the body is read), a refused value a 400 naming its field, an act
its state no longer allows (already decided, adopted twice) a 409. The API speaks JSON
only: evidence files are uploaded on the pages.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reformledger.api.exceptions import PreconditionFailed
from reformledger.api.fields import ScopedPrimaryKeyField
from reformledger.api.filters import IdFilter, IntegerFilter
from reformledger.api.mixins import (
    CONFLICT,
    ERRORS,
    IF_MATCH,
    PRECONDITIONS,
    ActsMixin,
    if_match_version,
)
from reformledger.api.schema import describe_tags
from reformledger.core.exceptions import StaleVersionError
from reformledger.ledger.models import Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any, visible_units
from reformledger.pilots import permissions
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Adoption, Innovation, Pilot
from reformledger.pilots.selectors import innovations as selectors
from reformledger.pilots.services import innovations as services

__all__ = ["AdoptionViewSet", "InnovationViewSet"]

NUMERIC = "[0-9]+"
FIRST_YEAR, LAST_YEAR = services.FIRST_YEAR, services.LAST_YEAR

describe_tags(
    {
        "innovations": """Grassroots innovations (基层创新): proposed by a county, zone,
department or town, decided by the reform office, declared a replicable experience
(可复制推广经验) and adopted by other units (推广). `adoption_count` says how far each
has spread.

| act | who (others: 403; an innovation one may not see: 404) |
| --- | --- |
| read | the office, city leaders, the proposing unit; every unit of the city once replicable |
| propose (`POST /innovations/`) | a unit's liaison or head, for its unit or one below |
| `revise` (a returned one) | the proposing unit's liaison or head |
| `accept`, `return`, `decline`, `declare` | office staff and leaders |
| `adopt` (a replicable one) | another unit's liaison or head, once per unit |
""",
        "adoptions": "Adoptions (推广) of replicable experiences: which unit adopted which "
        "experience, when, and with what result. Read only; recorded with "
        "`POST /innovations/{id}/adopt/`. Each user sees the adoptions of the innovations "
        "they see.",
    }
)


# --- serializers -----------------------------------------------------------------------


class _UserName(serializers.CharField):
    """A user as the pages name them (full name, else user name)."""

    def to_representation(self, value):
        return str(value)


class InnovationFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()


class AdoptionSerializer(serializers.ModelSerializer):
    """A unit's adoption (推广) of a replicable experience, with its own result."""

    innovation_title = serializers.CharField(source="innovation.title", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    recorded_by_name = _UserName(source="recorded_by", read_only=True)
    files = InnovationFileSerializer(many=True, read_only=True)

    class Meta:
        model = Adoption
        fields = [
            "id",
            "innovation",
            "innovation_title",
            "unit",
            "unit_name",
            "adopted_on",
            "result",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "files",
        ]
        read_only_fields = fields


class _AdoptionBriefSerializer(AdoptionSerializer):
    class Meta(AdoptionSerializer.Meta):
        fields = [f for f in AdoptionSerializer.Meta.fields if f != "innovation_title"]
        read_only_fields = fields


class InnovationSerializer(serializers.ModelSerializer):
    """A grassroots innovation as a list shows it."""

    office_name = serializers.CharField(source="office.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    pilot_code = serializers.CharField(source="pilot.code", read_only=True, default=None)
    task_code = serializers.CharField(source="task.code", read_only=True, default=None)
    proposed_by_name = _UserName(source="proposed_by", read_only=True)
    decided_by_name = _UserName(source="decided_by", read_only=True, allow_null=True)
    adoption_count = serializers.IntegerField(
        read_only=True, help_text="How many units recorded adopting it (推广)."
    )

    class Meta:
        model = Innovation
        fields = [
            "id",
            "office",
            "office_name",
            "year",
            "unit",
            "unit_name",
            "title",
            "problem",
            "actions",
            "results",
            "status",
            "decision_reason",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "pilot",
            "pilot_code",
            "task",
            "task_code",
            "experience",
            "declared_at",
            "proposed_by",
            "proposed_by_name",
            "proposed_at",
            "adoption_count",
            "version",
        ]
        read_only_fields = fields


class InnovationDetailSerializer(InnovationSerializer):
    """An innovation with its evidence files and the units that adopted it."""

    files = InnovationFileSerializer(
        source="evidence", many=True, read_only=True, help_text="The innovation's own evidence."
    )
    adoptions = _AdoptionBriefSerializer(many=True, read_only=True)

    class Meta(InnovationSerializer.Meta):
        fields = [*InnovationSerializer.Meta.fields, "files", "adoptions"]
        read_only_fields = fields


def _unit_field(**kwargs):
    return ScopedPrimaryKeyField(visible_units, queryset=Unit.objects.all(), **kwargs)


class _Texts(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    title = serializers.CharField(max_length=200)
    problem = serializers.CharField()
    actions = serializers.CharField()
    results = serializers.CharField()


class InnovationProposeSerializer(_Texts):
    office = ScopedPrimaryKeyField(
        selectors.proposal_offices,
        queryset=Unit.objects.filter(kind="office"),
        help_text="The reform office whose ledger reaches the unit.",
    )
    unit = _unit_field(help_text="The proposing unit: the user's own unit or one below it.")


class InnovationReviseSerializer(_Texts):
    """What the proposing unit changes; fields left out stay as they are."""

    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version read (or send If-Match)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class InnovationAcceptSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    pilot = ScopedPrimaryKeyField(
        permissions.visible_pilots,
        queryset=Pilot.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The municipal pilot of the office it was turned into.",
    )
    task = ScopedPrimaryKeyField(
        visible_tasks,
        queryset=Task.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The ledger task of the office it was turned into.",
    )


class InnovationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class InnovationDeclareSerializer(serializers.Serializer):
    experience = serializers.CharField(help_text="The written summary of the experience.")


class InnovationAdoptSerializer(serializers.Serializer):
    unit = _unit_field(help_text="The adopting unit: the user's own unit or one below it.")
    adopted_on = serializers.DateField()
    result = serializers.CharField()


# --- filters ---------------------------------------------------------------------------


def _under_unit(lookup: str):
    def method(self, queryset, name, value):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(under_any(lookup, (path,))) if path else queryset.none()

    return method


class InnovationFilter(django_filters.FilterSet):
    # A whole number; a year with no innovation gives an empty list, as the ledger's do.
    year = IntegerFilter()
    status = django_filters.ChoiceFilter(choices=InnovationStatus.choices)
    office = IdFilter(field_name="office_id")
    unit = IdFilter(method="under_unit", help_text="The proposing unit, or a unit above it.")
    q = django_filters.CharFilter(
        method="search", help_text="Words in the title, texts, summary or unit name."
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("year", "year"),
            ("title", "title"),
            ("status", "status"),
            ("proposed_at", "proposed_at"),
            ("adoption_count", "adoption_count"),
            ("unit__path", "unit"),
        )
    )
    under_unit = _under_unit("unit")

    class Meta:
        model = Innovation
        fields = ["year", "status", "office", "unit", "q"]

    def search(self, queryset, name, value):
        words = (value or "").strip()
        if not words:
            return queryset
        found = Q()
        for field in selectors.SEARCHED:
            found |= Q(**{f"{field}__icontains": words})
        return queryset.filter(found)


class AdoptionFilter(django_filters.FilterSet):
    innovation = IdFilter(field_name="innovation_id")
    unit = IdFilter(method="under_unit", help_text="The adopting unit, or a unit above it.")
    year = IntegerFilter(method="adopted_in", help_text="The year of adoption.")
    ordering = django_filters.OrderingFilter(
        fields=(("adopted_on", "adopted_on"), ("unit__path", "unit"))
    )
    under_unit = _under_unit("unit")

    def adopted_in(self, queryset, name, value):
        # A year no calendar date has (0, 10000) adopts nothing: no error, an empty list.
        if not FIRST_YEAR <= value <= LAST_YEAR:
            return queryset.none()
        return queryset.filter(adopted_on__year=value)

    class Meta:
        model = Adoption
        fields = ["innovation", "unit", "year"]


# --- viewsets --------------------------------------------------------------------------


def _valid(serializer_class, view) -> dict:
    data = serializer_class(data=view.request.data, context=view.get_serializer_context())
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


ALREADY = {
    409: OpenApiResponse(
        description="Its state does not allow the act (already decided, not "
        "returned, not accepted, not replicable); nothing changed."
    )
}


class InnovationViewSet(
    ActsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Grassroots innovations (基层创新) the user may see, newest year first."""

    queryset = Innovation.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = InnovationFilter
    act_object = "innovation"

    def may(self, act: str, obj) -> bool:
        return permissions.can(self.request.user, act, obj)

    def get_serializer_class(self):
        return InnovationSerializer if self.action == "list" else InnovationDetailSerializer

    def get_queryset(self):
        rows = selectors.innovations(self.request.user).select_related("proposed_by", "decided_by")
        if self.action != "list":
            rows = selectors.with_details(rows)
        if self.request.query_params.get("ordering"):
            return rows
        return rows.order_by("-year", "-proposed_at", "-pk")

    def _act(self, service, body=None, *, act: str | tuple[str, ...] = ()):
        """ActsMixin's act runner, with the request in the body's context (its fields
        look rows up among those the user may see)."""
        innovation = self.get_object()
        self.require(act, innovation)
        data = _valid(body, self) if body is not None else {}
        service(innovation=innovation, by=self.request.user, **data)
        return self._read(innovation)

    def _read(self, innovation: Innovation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=innovation.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=InnovationProposeSerializer,
        responses={201: InnovationDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Propose an innovation of the user's unit (or a unit below it) to a reform
        office; the office's staff are told."""
        if not scopes_of(request.user).has(*permissions.UNIT):
            raise PermissionDenied("proposes for no unit")
        data = _valid(InnovationProposeSerializer, self)
        innovation = services.innovation_propose(by=request.user, **data)
        return self._read(innovation, status.HTTP_201_CREATED)

    @extend_schema(
        request=InnovationReviseSerializer,
        parameters=[IF_MATCH],
        responses={200: InnovationDetailSerializer, **ERRORS, **CONFLICT, 412: PRECONDITIONS[412]},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Revise a returned innovation and propose it again (the proposing unit). The
        version read, as `version` or If-Match, is compared on the locked row: a stale
        `version` is a 409, a stale If-Match a 412, and nothing changes."""
        innovation = self.get_object()
        self.require("revise", innovation)
        data = _valid(InnovationReviseSerializer, self)
        version = data.pop("version", None)
        if_match = if_match_version(request)
        if if_match is not None and version is not None and if_match != version:
            raise ValidationError(
                {"version": [_("The version in the body and If-Match differ; send one.")]}
            )
        try:
            services.innovation_revise(
                innovation=innovation,
                by=request.user,
                version=if_match if if_match is not None else version,
                **data,
            )
        except StaleVersionError as exc:
            if if_match is not None:
                raise PreconditionFailed(str(exc)) from exc
            raise
        return self._read(innovation)

    @extend_schema(
        request=InnovationAcceptSerializer,
        responses={200: InnovationDetailSerializer, **ERRORS, **ALREADY},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a proposed innovation, optionally turned into a municipal pilot or a
        task of the office's ledger (office staff and leaders)."""
        return self._act(services.innovation_accept, InnovationAcceptSerializer, act="decide")

    @extend_schema(
        request=InnovationReasonSerializer,
        responses={200: InnovationDetailSerializer, **ERRORS, **ALREADY},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return a proposed innovation to its unit with the reason, to be revised."""
        return self._act(services.innovation_return, InnovationReasonSerializer, act="decide")

    @extend_schema(
        request=InnovationReasonSerializer,
        responses={200: InnovationDetailSerializer, **ERRORS, **ALREADY},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a proposed innovation with the reason."""
        return self._act(services.innovation_decline, InnovationReasonSerializer, act="decide")

    @extend_schema(
        request=InnovationDeclareSerializer,
        responses={200: InnovationDetailSerializer, **ERRORS, **ALREADY},
    )
    @action(detail=True, methods=["post"])
    def declare(self, request, pk=None):
        """Declare an accepted innovation a replicable experience (可复制推广经验) with
        its written summary; every unit of the city then sees it and may adopt it."""
        return self._act(services.innovation_declare, InnovationDeclareSerializer, act="decide")

    @extend_schema(
        request=InnovationAdoptSerializer,
        responses={
            201: AdoptionSerializer,
            **ERRORS,
            409: OpenApiResponse(
                description="Not a replicable experience, or the unit already recorded "
                "adopting it; nothing changed."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        """Record that one of the user's units adopted the replicable experience, when
        and with what result (another unit's liaison or head; once per unit)."""
        innovation = self.get_object()
        self.require("adopt", innovation)
        data = _valid(InnovationAdoptSerializer, self)
        adoption = services.innovation_adopt(innovation=innovation, by=request.user, **data)
        fresh = _adoptions(request.user).get(pk=adoption.pk)
        return Response(AdoptionSerializer(fresh).data, status=status.HTTP_201_CREATED)


def _adoptions(user):
    return (
        Adoption.objects.filter(innovation__in=permissions.visible_innovations(user).values("pk"))
        .select_related("innovation", "unit", "recorded_by")
        .prefetch_related("files")
    )


class AdoptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Adoptions (推广) of the replicable experiences the user sees, read only."""

    queryset = Adoption.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = AdoptionFilter
    serializer_class = AdoptionSerializer

    def get_queryset(self):
        rows = _adoptions(self.request.user)
        if self.request.query_params.get("ordering"):
            return rows
        return rows.order_by("-adopted_on", "-pk")
