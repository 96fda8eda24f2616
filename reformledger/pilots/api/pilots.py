"""API of the pilot registry (改革试点): pilots and their sub-projects, through the same
scoped selectors and services as the pages. A pilot the user may not see is a 404, an
act the role does not allow a 403, a refused value a 400 naming its field, an act the
pilot's state forbids a 409. A change says which version it read (If-Match with the
ETag, or `version`): a stale one is refused (412 or 409), none at all a 428."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reformledger.api.exceptions import PreconditionFailed, PreconditionRequired
from reformledger.api.fields import ScopedPrimaryKeyField
from reformledger.api.filters import IdFilter
from reformledger.api.mixins import (
    CONFLICT,
    ERRORS,
    IF_MATCH,
    PRECONDITIONS,
    ActsMixin,
    NoteSerializer,
    etag,
    if_match_version,
)
from reformledger.api.schema import describe_tags
from reformledger.core.exceptions import StaleVersionError
from reformledger.ledger.models import Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.models import Person, Unit
from reformledger.orgs.permissions import under_any, visible_units
from reformledger.pilots import permissions, services
from reformledger.pilots.choices import AcceptanceResult, PilotLevel, PilotStatus
from reformledger.pilots.models import (
    Acceptance,
    InvestmentReport,
    MidTermReview,
    Pilot,
    PilotFile,
    SubProject,
)
from reformledger.pilots.selectors.investment import ZERO
from reformledger.pilots.selectors.pilots import LEVEL_RANK, STATUS_RANK, with_investment
from reformledger.pilots.services.sub_projects import may_edit_sub_projects

NUMERIC = "[0-9]+"

describe_tags(
    {
        "pilots": "Reform pilots (改革试点) by level, with their life: applied → approved → "
        "under way → mid-term review → acceptance → concluded (or ended early).\n\n"
        "| act | who (others: 403; a pilot one does not see: 404) |\n| --- | --- |\n"
        "| read | the office, city leaders, the host unit, helping units, sub-project hosts |\n"
        "| register, change, move along its life | office staff and leaders |\n"
        "| record the acceptance (验收) | office staff and leaders only |\n",
        "sub-projects": "Sub-projects (子项目) of pilots with their planned investment and the "
        "completed investment summed from their reports (10,000 yuan).\n\n"
        "| act | who |\n| --- | --- |\n"
        "| read | whoever sees the pilot |\n"
        "| add, change | the office, or the pilot's host unit |\n",
    }
)


def _unit_field(**kwargs):
    return ScopedPrimaryKeyField(visible_units, queryset=Unit.objects.all(), **kwargs)


def _task_field(**kwargs):
    return ScopedPrimaryKeyField(visible_tasks, queryset=Task.objects.all(), **kwargs)


# --- read serializers ----------------------------------------------------------------


class _UnitBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PilotSerializer(serializers.ModelSerializer):
    """A pilot in a list: its particulars, state and investment totals."""

    host_unit = _UnitBrief()
    sub_projects = serializers.IntegerField(source="n_sub_projects", read_only=True)
    planned = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    completed = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    completion = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Completed as a percentage of planned."
    )

    class Meta:
        model = Pilot
        fields = [
            "id",
            "office",
            "code",
            "name",
            "level",
            "status",
            "granting_body",
            "approval_no",
            "approved_on",
            "host_unit",
            "start",
            "end",
            "brand",
            "sub_projects",
            "planned",
            "completed",
            "completion",
            "version",
        ]


class MidTermReviewSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()

    class Meta:
        model = MidTermReview
        fields = ["id", "reviewed_on", "reviewer", "findings", "recorded_at", "files"]

    def get_files(self, review) -> list[str]:
        return [f.original_name for f in review.files.all()]


class AcceptanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Acceptance
        fields = [
            "accepting_body",
            "accepted_on",
            "result",
            "conditions",
            "score",
            "rank_text",
            "group_rank",
            "region",
            "region_rank",
            "recorded_at",
        ]


class PilotFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")

    class Meta:
        model = PilotFile
        fields = ["id", "kind", "name", "size", "content_type", "sha256", "uploaded_at"]


class PilotDetailSerializer(PilotSerializer):
    """A pilot with its links, goals, write-up, reviews, acceptance and files."""

    helping_units = _UnitBrief(many=True)
    tasks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    reviews = MidTermReviewSerializer(many=True, read_only=True)
    acceptance = AcceptanceSerializer(read_only=True, allow_null=True)
    files = PilotFileSerializer(many=True, read_only=True)

    class Meta(PilotSerializer.Meta):
        fields = [
            *PilotSerializer.Meta.fields,
            "helping_units",
            "leader",
            "goals",
            "tasks",
            "experience",
            "ended_reason",
            "reviews",
            "acceptance",
            "files",
        ]


class SubProjectSerializer(serializers.ModelSerializer):
    host_unit = _UnitBrief()
    completed = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        help_text="Completed investment, summed from its reports (10,000 yuan).",
    )

    class Meta:
        model = SubProject
        fields = [
            "id",
            "pilot",
            "code",
            "name",
            "host_unit",
            "planned_investment",
            "completed",
            "version",
        ]


# --- write serializers -----------------------------------------------------------------


class _PilotFields(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=PilotLevel.choices)
    granting_body = serializers.CharField(max_length=200)
    host_unit = _unit_field()
    start = serializers.DateField()
    end = serializers.DateField()
    goals = serializers.CharField()
    helping_units = _unit_field(many=True, required=False)
    leader = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tasks = _task_field(many=True, required=False)
    approval_no = serializers.CharField(max_length=100, required=False, allow_blank=True)
    approved_on = serializers.DateField(required=False, allow_null=True)


class PilotCreateSerializer(_PilotFields):
    office = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind="office"), help_text="The reform office."
    )


class PilotUpdateSerializer(_PilotFields):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version read (a stale one: 409). Send it or If-Match: without "
        "either the change is refused (428).",
    )


class ApproveSerializer(serializers.Serializer):
    approval_no = serializers.CharField(max_length=100)
    approved_on = serializers.DateField()


class ReviewSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField()
    reviewer = serializers.CharField(max_length=200)
    findings = serializers.CharField()


class AcceptanceWriteSerializer(serializers.Serializer):
    accepting_body = serializers.CharField(max_length=200)
    accepted_on = serializers.DateField()
    result = serializers.ChoiceField(choices=AcceptanceResult.choices)
    score = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    rank_text = serializers.CharField(max_length=300, required=False, allow_blank=True)
    group_rank = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=32767
    )
    region = serializers.CharField(max_length=50, required=False, allow_blank=True)
    region_rank = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=32767
    )
    conditions = serializers.CharField(required=False, allow_blank=True)


class ConcludeSerializer(serializers.Serializer):
    experience = serializers.CharField()


class EndSerializer(serializers.Serializer):
    reason = serializers.CharField()


class SubProjectCreateSerializer(serializers.Serializer):
    pilot = ScopedPrimaryKeyField(permissions.visible_pilots, queryset=Pilot.objects.all())
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    host_unit = _unit_field()
    planned_investment = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class SubProjectUpdateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, required=False)
    name = serializers.CharField(max_length=200, required=False)
    host_unit = _unit_field(required=False)
    planned_investment = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False
    )
    version = serializers.IntegerField(required=False, min_value=1)


# --- filters ---------------------------------------------------------------------------


def _under(lookup: str):
    def method(self, queryset, name, value):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(under_any(lookup, (path,))) if path else queryset.none()

    return method


class PilotFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=PilotLevel.choices)
    status = django_filters.ChoiceFilter(choices=PilotStatus.choices)
    office = IdFilter(field_name="office_id")
    host_unit = IdFilter(method="under_host", help_text="The host unit, or a unit above it.")
    q = django_filters.CharFilter(
        method="search", help_text="Words in the code, name, granting body or brand."
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("level_rank", "level"),
            ("status_rank", "status"),
            ("start", "start"),
            ("end", "end"),
            ("planned", "planned"),
            ("completed", "completed"),
            ("completion", "completion"),
        )
    )
    under_host = _under("host_unit")

    def search(self, queryset, name, value):
        term = value.strip()
        return queryset.filter(
            Q(code__icontains=term)
            | Q(name__icontains=term)
            | Q(granting_body__icontains=term)
            | Q(brand__icontains=term)
        )


class SubProjectFilter(django_filters.FilterSet):
    pilot = IdFilter(field_name="pilot_id")
    host_unit = IdFilter(method="under_host", help_text="The host unit, or a unit above it.")
    ordering = django_filters.OrderingFilter(
        fields=(("code", "code"), ("planned_investment", "planned_investment"))
    )
    under_host = _under("host_unit")


# --- viewsets ------------------------------------------------------------------------------


def _checked(serializer_class, request, *, partial: bool = False):
    data = serializer_class(data=request.data, partial=partial, context={"request": request})
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _versioned(request, body_version: int | None) -> tuple[int, bool]:
    """The version a change read (If-Match or `version`), and whether If-Match named it."""
    if_match = if_match_version(request)
    if if_match is not None and body_version is not None and if_match != body_version:
        raise ValidationError(
            {"version": [_("The version in the body and If-Match differ; send one.")]}
        )
    if if_match is None and body_version is None:
        raise PreconditionRequired()
    return (if_match if if_match is not None else body_version), if_match is not None


class PilotViewSet(
    ActsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Reform pilots (改革试点) the user sees, each with its sub-project count, planned and
    completed investment (10,000 yuan) and completion; `ordering` by code, name, level,
    status, start, end, planned, completed or completion."""

    queryset = Pilot.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = PilotFilter
    act_object = "pilot"

    def get_serializer_class(self):
        return PilotSerializer if self.action == "list" else PilotDetailSerializer

    def may(self, act: str, obj) -> bool:
        return permissions.can(self.request.user, act, obj)

    def get_queryset(self):
        qs = with_investment(
            permissions.visible_pilots(self.request.user).select_related("office", "host_unit")
        ).annotate(level_rank=LEVEL_RANK, status_rank=STATUS_RANK)
        if self.action != "list":
            qs = qs.select_related("acceptance").prefetch_related(
                "helping_units",
                Prefetch("tasks", queryset=Task.objects.only("pk")),
                Prefetch(
                    "reviews",
                    queryset=MidTermReview.objects.prefetch_related("files").order_by(
                        "reviewed_on", "pk"
                    ),
                ),
                Prefetch("files", queryset=PilotFile.objects.order_by("uploaded_at", "pk")),
            )
        if self.request.query_params.get("ordering"):
            return qs
        return qs.order_by("level_rank", "code", "pk")

    def _read(self, pilot: Pilot) -> Response:
        body = self.get_serializer(self.get_queryset().get(pk=pilot.pk)).data
        response = Response(body)
        response["ETag"] = etag(body["version"])
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    @extend_schema(request=PilotCreateSerializer, responses={201: PilotDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Register a pilot as applied (office staff and leaders)."""
        if not permissions.runs_pilots(request.user):
            raise PermissionDenied("manages no pilot registry")  # before the body
        pilot = services.pilot_register(by=request.user, **_checked(PilotCreateSerializer, request))
        response = self._read(pilot)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        request=PilotUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT, **PRECONDITIONS},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change a pilot's particulars, saying which version was read."""
        pilot = self.get_object()
        self.require("manage", pilot)
        changes = _checked(PilotUpdateSerializer, request, partial=True)
        version, by_header = _versioned(request, changes.pop("version", None))
        try:
            with transaction.atomic():
                pilot = services.pilot_update(
                    pilot=pilot, by=request.user, version=version, **changes
                )
                response = self._read(pilot)
        except StaleVersionError as exc:
            if by_header:
                raise PreconditionFailed(str(exc)) from exc
            raise
        return response

    def _do(self, service, body=None, act="manage"):
        self._act(service, body, act=act)
        return self._read(self.get_object())

    @extend_schema(
        request=ApproveSerializer, responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Record the approval (批复) of an applied pilot."""
        return self._do(services.pilot_approve, ApproveSerializer)

    @extend_schema(
        request=NoteSerializer, responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """An approved pilot is under way."""
        return self._do(services.pilot_start, NoteSerializer)

    @extend_schema(request=None, responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"], url_path="open-mid-term")
    def open_mid_term(self, request, pk=None):
        """A pilot under way goes to its mid-term review."""
        return self._do(services.pilot_open_mid_term)

    @extend_schema(
        request=ReviewSerializer, responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record a mid-term review (its documents are uploaded on the pilot's page)."""
        return self._do(services.pilot_review, ReviewSerializer)

    @extend_schema(request=None, responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"], url_path="open-acceptance")
    def open_acceptance(self, request, pk=None):
        """A pilot under way or in its mid-term review goes to acceptance."""
        return self._do(services.pilot_open_acceptance)

    @extend_schema(
        request=AcceptanceWriteSerializer,
        responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="record-acceptance")
    def record_acceptance(self, request, pk=None):
        """Record the acceptance (验收), once: the office only."""
        return self._do(services.pilot_record_acceptance, AcceptanceWriteSerializer, act="accept")

    @extend_schema(
        request=ConcludeSerializer, responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """Conclude a pilot that passed its acceptance, with its experience written up."""
        return self._do(services.pilot_conclude, ConcludeSerializer)

    @extend_schema(
        request=EndSerializer, responses={200: PilotDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a pilot early, with the reason."""
        return self._do(services.pilot_end, EndSerializer)


def _completed_subquery():
    reports = (
        InvestmentReport.objects.filter(sub_project=OuterRef("pk"))
        .order_by()
        .values("sub_project")
        .annotate(s=Sum("amount"))
        .values("s")[:1]
    )
    return Coalesce(Subquery(reports), Value(ZERO))


class SubProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sub-projects (子项目) of the pilots the user sees, with their completed investment."""

    queryset = SubProject.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = SubProjectFilter
    serializer_class = SubProjectSerializer

    def get_queryset(self):
        qs = (
            permissions.visible_sub_projects(self.request.user)
            .select_related("host_unit")
            .annotate(completed=_completed_subquery())
        )
        if self.request.query_params.get("ordering"):
            return qs
        return qs.order_by("pilot_id", "code", "pk")

    def _read(self, sub: SubProject, code: int = status.HTTP_200_OK) -> Response:
        body = self.get_serializer(self.get_queryset().get(pk=sub.pk)).data
        response = Response(body, status=code)
        response["ETag"] = etag(body["version"])
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    @extend_schema(
        request=SubProjectCreateSerializer,
        responses={201: SubProjectSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        """Add a sub-project to a pilot (the office or the pilot's host unit)."""
        data = _checked(SubProjectCreateSerializer, request)
        pilot = data.pop("pilot")
        if not may_edit_sub_projects(request.user, pilot):
            raise PermissionDenied("sub-projects not editable")
        sub = services.sub_project_create(pilot=pilot, by=request.user, **data)
        return self._read(sub, status.HTTP_201_CREATED)

    @extend_schema(
        request=SubProjectUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: SubProjectSerializer, **ERRORS, **CONFLICT, **PRECONDITIONS},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change a sub-project, saying which version was read."""
        sub = self.get_object()
        if not may_edit_sub_projects(request.user, sub.pilot):
            raise PermissionDenied("sub-projects not editable")
        changes = _checked(SubProjectUpdateSerializer, request)
        version, by_header = _versioned(request, changes.pop("version", None))
        try:
            with transaction.atomic():
                sub = services.sub_project_update(
                    sub_project=sub, by=request.user, version=version, **changes
                )
                response = self._read(sub)
        except StaleVersionError as exc:
            if by_header:
                raise PreconditionFailed(str(exc)) from exc
            raise
        return response
