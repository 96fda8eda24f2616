"""API of indicators (指标): indicators with their standing in a year, their yearly
targets, and the values reported per period with the office's check.

Every list starts from the same scoped selector as the pages and every write calls the
same service, so the API and the pages cannot disagree: an indicator the user may not
see is a 404, an act the role does not allow a 403, a refused value a 400 naming its
field, an act on a value already decided a 409. A change of an indicator says which
version it read (If-Match or `version`). The API speaks JSON only: evidence files are
uploaded with the value on its page.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
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
    etag,
    if_match_version,
)
from reformledger.api.schema import describe_tags
from reformledger.core.clock import business_today
from reformledger.core.exceptions import StaleVersionError
from reformledger.indicators import permissions, selectors, services
from reformledger.indicators.choices import Direction, IndicatorKind, Track, ValueStatus
from reformledger.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from reformledger.ledger.models import Period, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any, visible_units
from reformledger.pilots.models import Pilot
from reformledger.pilots.permissions import visible_pilots

FIRST_YEAR, LAST_YEAR = 2000, 2100
NUMERIC = "[0-9]+"
NUMBER = {"max_digits": 18, "decimal_places": 4}

_ACTS = """| act | who (others: 403; an indicator not of one's offices or unit: 404) |
| --- | --- |
| read | the office's staff and leaders, city leaders; the owner unit's liaison and head |
| define, change, set targets | office staff and leaders |
| report a value | the owner unit's liaison or head (not a ratio: it is computed) |
| check, return a value | office staff and leaders |
"""
describe_tags(
    {
        "indicators": "Indicators (指标) with their standing in a year: the target, the latest "
        f"actual and the track (`year`, this year by default).\n\n{_ACTS}",
        "indicator-targets": f"Yearly targets (年度目标) of indicators.\n\n{_ACTS}",
        "indicator-values": "Values reported per period (a level at the period's end), and the "
        f"office's check.\n\n{_ACTS}",
    }
)


# --- filters ----------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})
class YearFilter(django_filters.NumberFilter):
    """A year between 2000 and 2100; anything else is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


def _year_of(request) -> int:
    text = request.query_params.get("year", "")
    return int(text) if text.isdigit() else business_today().year


class IndicatorFilter(django_filters.FilterSet):
    """`q` searches code, name and source; `owner` takes in the units below it; `track`
    is the standing in `year` (this year by default)."""

    q = django_filters.CharFilter(method="search", max_length=100)
    owner = IdFilter(method="under_owner")
    office = IdFilter(field_name="office")
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices)
    track = django_filters.ChoiceFilter(choices=Track.choices, method="on_track")
    year = YearFilter(method="no_filter")

    class Meta:
        model = Indicator
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(source__icontains=value)
        )

    def under_owner(self, queryset, name, value):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(under_any("owner_unit", (path,))) if path else queryset.none()

    def on_track(self, queryset, name, value):
        year = self.form.cleaned_data.get("year") or business_today().year
        tracks = selectors.indicator_tracks(queryset, year=year)
        return queryset.filter(pk__in=[pk for pk, t in tracks.items() if t == value])

    def no_filter(self, queryset, name, value):
        return queryset  # the year of the standing, read by the view


class IndicatorValueFilter(django_filters.FilterSet):
    indicator = IdFilter(field_name="indicator")
    period = IdFilter(field_name="period")
    status = django_filters.ChoiceFilter(choices=ValueStatus.choices)
    year = YearFilter(field_name="period__year")

    class Meta:
        model = IndicatorValue
        fields = []


class IndicatorTargetFilter(django_filters.FilterSet):
    indicator = IdFilter(field_name="indicator")
    year = YearFilter(field_name="year")

    class Meta:
        model = IndicatorTarget
        fields = []


# --- serializers ------------------------------------------------------------------------


class IndicatorActualSerializer(serializers.Serializer):
    period = serializers.IntegerField(source="period.pk")
    period_label = serializers.CharField(source="period.label")
    value = serializers.DecimalField(**NUMBER)
    status = serializers.ChoiceField(choices=ValueStatus.choices)


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator, its links, and its standing in the year asked for: the target,
    the latest actual (a ratio's computed from its parts) and the track."""

    tasks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    pilots = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    year = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    latest = serializers.SerializerMethodField()
    track = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "office",
            "code",
            "name",
            "measure",
            "direction",
            "kind",
            "numerator",
            "denominator",
            "scale",
            "decimals",
            "baseline",
            "baseline_year",
            "owner_unit",
            "source",
            "tasks",
            "pilots",
            "version",
            "year",
            "target",
            "latest",
            "track",
        ]
        read_only_fields = fields

    def get_year(self, obj) -> int:
        return obj.facts.year

    @extend_schema_field(serializers.DecimalField(**NUMBER, allow_null=True))
    def get_target(self, obj):
        return None if obj.facts.target is None else f"{obj.facts.target:.4f}"

    @extend_schema_field(IndicatorActualSerializer(allow_null=True))
    def get_latest(self, obj):
        latest = obj.facts.latest
        return None if latest is None else IndicatorActualSerializer(latest).data

    @extend_schema_field(serializers.ChoiceField(choices=Track.choices))
    def get_track(self, obj) -> str:
        return obj.facts.track.value


class IndicatorWriteSerializer(serializers.Serializer):
    """A new indicator's definition (and, partially, a change of one)."""

    office = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(kind="office"))
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    measure = serializers.CharField(max_length=30)
    owner_unit = ScopedPrimaryKeyField(visible_units, queryset=Unit.objects.all())
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.HIGHER)
    kind = serializers.ChoiceField(choices=IndicatorKind.choices, default=IndicatorKind.REPORTED)
    numerator = ScopedPrimaryKeyField(
        permissions.visible_indicators,
        queryset=Indicator.objects.all(),
        allow_null=True,
        required=False,
    )
    denominator = ScopedPrimaryKeyField(
        permissions.visible_indicators,
        queryset=Indicator.objects.all(),
        allow_null=True,
        required=False,
    )
    scale = serializers.DecimalField(max_digits=10, decimal_places=2, default=1)
    decimals = serializers.IntegerField(min_value=0, max_value=4, default=0)
    baseline = serializers.DecimalField(**NUMBER, allow_null=True, required=False)
    baseline_year = serializers.IntegerField(
        min_value=FIRST_YEAR, max_value=LAST_YEAR, allow_null=True, required=False
    )
    source = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    tasks = ScopedPrimaryKeyField(
        visible_tasks, queryset=Task.objects.all(), many=True, required=False
    )
    pilots = ScopedPrimaryKeyField(
        visible_pilots, queryset=Pilot.objects.all(), many=True, required=False
    )


class IndicatorUpdateSerializer(IndicatorWriteSerializer):
    office = None
    version = serializers.IntegerField(min_value=1, required=False)
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class IndicatorSeriesPointSerializer(serializers.Serializer):
    period = serializers.IntegerField(source="period.pk")
    period_label = serializers.CharField(source="period.label")
    end = serializers.DateField(source="period.end")
    path = serializers.DecimalField(**NUMBER, allow_null=True)
    actual = serializers.SerializerMethodField()
    track = serializers.ChoiceField(choices=Track.choices)

    @extend_schema_field(serializers.DecimalField(**NUMBER, allow_null=True))
    def get_actual(self, obj):
        return None if obj.actual is None else f"{obj.actual.value:.4f}"


class IndicatorTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorTarget
        fields = ["id", "indicator", "year", "target"]
        read_only_fields = fields


class IndicatorTargetWriteSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1)
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    target = serializers.DecimalField(**NUMBER)


class IndicatorValueSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.label", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "period",
            "period_label",
            "value",
            "note",
            "status",
            "reported_by",
            "reported_at",
            "checked_by",
            "checked_at",
            "return_reason",
            "files",
        ]
        read_only_fields = fields

    def get_files(self, obj) -> list[str]:
        return [f.original_name for f in obj.files.all()]


def indicator_periods(user):
    """The periods of the offices whose indicators the user sees."""
    offices = permissions.visible_indicators(user).order_by().values("office")
    return Period.objects.filter(office__in=offices)


class IndicatorValueWriteSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period = ScopedPrimaryKeyField(indicator_periods, queryset=Period.objects.all())
    value = serializers.DecimalField(**NUMBER)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class IndicatorReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


# --- viewsets -------------------------------------------------------------------------


def _with_etag(response: Response) -> Response:
    response["ETag"] = etag(response.data["version"])
    return response


def _visible_indicator(request, pk) -> Indicator:
    indicator = selectors.indicators(request.user).filter(pk=pk).first()
    if indicator is None:
        raise Http404
    return indicator


_LINKS = (
    Prefetch("tasks", queryset=Task.objects.only("pk")),
    Prefetch("pilots", queryset=Pilot.objects.only("pk")),
)


class IndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Indicators (指标) with their standing in `year` (this year by default)."""

    queryset = Indicator.objects.none()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_value_regex = NUMERIC
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.indicators(self.request.user)
            .prefetch_related(*_LINKS)
            .order_by("office__path", "code")
        )

    def _read(self, indicators) -> list:
        rows = selectors.with_facts(indicators, year=_year_of(self.request))
        return IndicatorSerializer(rows, many=True).data

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(self._read(list(rows)))
        return self.get_paginated_response(self._read(list(page)))

    def retrieve(self, request, *args, **kwargs):
        return _with_etag(Response(self._read([self.get_object()])[0]))

    @extend_schema(request=IndicatorWriteSerializer, responses={201: IndicatorSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Define an indicator (office staff and leaders)."""
        if not scopes_of(request.user).has(*permissions.OFFICE):
            raise PermissionDenied("defines indicators in no office")
        data = IndicatorWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        indicator = services.indicator_create(by=request.user, **fields)
        fresh = self.get_queryset().get(pk=indicator.pk)
        return Response(self._read([fresh])[0], status=status.HTTP_201_CREATED)

    @extend_schema(
        request=IndicatorUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: IndicatorSerializer, **ERRORS, **CONFLICT, **PRECONDITIONS},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change the definition. Say which version you read — If-Match with its ETag, or
        `version` in the body — or nothing is changed (428); a stale If-Match is a 412,
        a stale `version` a 409."""
        indicator = self.get_object()
        if not permissions.can(request.user, "manage", indicator):
            raise PermissionDenied("manage not allowed")  # before the body is read
        data = IndicatorUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version", None)
        reason = changes.pop("reason", "")
        if_match = if_match_version(request)
        if if_match is not None and version is not None and if_match != version:
            raise ValidationError(
                {"version": [_("The version in the body and If-Match differ; send one.")]}
            )
        if if_match is None and version is None:
            raise PreconditionRequired()
        try:
            with transaction.atomic():
                indicator = services.indicator_update(
                    indicator=indicator,
                    by=request.user,
                    version=if_match if if_match is not None else version,
                    reason=reason,
                    **changes,
                )
                body = self._read([self.get_queryset().get(pk=indicator.pk)])[0]
        except StaleVersionError as exc:
            if if_match is not None:
                raise PreconditionFailed(str(exc)) from exc
            raise
        return _with_etag(Response(body))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses={200: IndicatorSeriesPointSerializer(many=True), 404: ERRORS[404]})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def series(self, request, pk=None):
        """Per period of every year with a target or an actual: the target path's value
        at the period's end against the actual, and the track."""
        points = selectors.indicator_series(self.get_object())
        return Response(IndicatorSeriesPointSerializer(points, many=True).data)


class TargetViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Yearly targets of the indicators the user sees; POST sets (or changes) one."""

    queryset = IndicatorTarget.objects.none()
    serializer_class = IndicatorTargetSerializer
    filterset_class = IndicatorTargetFilter

    def get_queryset(self):
        visible = permissions.visible_indicators(self.request.user).values("pk")
        return IndicatorTarget.objects.filter(indicator__in=visible).order_by("indicator", "year")

    @extend_schema(
        request=IndicatorTargetWriteSerializer,
        responses={201: IndicatorTargetSerializer, 200: IndicatorTargetSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Set an indicator's target for a year (office staff and leaders); the same
        target again changes nothing (200)."""
        data = IndicatorTargetWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        indicator = _visible_indicator(request, fields.pop("indicator"))
        permissions.require(request.user, "manage", indicator)
        before = IndicatorTarget.objects.filter(indicator=indicator, year=fields["year"]).first()
        row = services.indicator_set_target(indicator=indicator, by=request.user, **fields)
        code = status.HTTP_201_CREATED if before is None else status.HTTP_200_OK
        return Response(IndicatorTargetSerializer(row).data, status=code)


DECIDED = {409: OpenApiResponse(description="The value was already checked or returned.")}


class ValueViewSet(
    ActsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Values reported per period; POST reports one (the owner unit), `check` and
    `return` decide on it (the office)."""

    queryset = IndicatorValue.objects.none()
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    lookup_value_regex = NUMERIC
    act_object = "value"

    def may(self, act: str, obj) -> bool:
        return permissions.can(self.request.user, act, obj)

    def get_queryset(self):
        return (
            permissions.visible_values(self.request.user)
            .select_related("period", "indicator__office", "indicator__owner_unit")
            .prefetch_related("files")
            .order_by("indicator", "period__start", "pk")
        )

    @extend_schema(
        request=IndicatorValueWriteSerializer,
        responses={
            201: IndicatorValueSerializer,
            200: IndicatorValueSerializer,
            **ERRORS,
            **CONFLICT,
        },
    )
    def create(self, request, *args, **kwargs):
        """Report the indicator's value at the end of a period (the owner unit's liaison
        or head). Reporting the period again replaces the value until the office checked
        it (then 409); a ratio is never reported (403)."""
        indicator_id = request.data.get("indicator") if hasattr(request.data, "get") else None
        if isinstance(indicator_id, int) or (
            isinstance(indicator_id, str) and indicator_id.isdigit()
        ):
            indicator = _visible_indicator(request, int(indicator_id))
            permissions.require(request.user, "report", indicator)
        data = IndicatorValueWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        indicator = _visible_indicator(request, fields.pop("indicator"))
        before = IndicatorValue.objects.filter(
            indicator=indicator, period=fields["period"]
        ).exists()
        value = services.indicator_report(indicator=indicator, by=request.user, **fields)
        code = status.HTTP_200_OK if before else status.HTTP_201_CREATED
        return Response(self.get_serializer(self.get_queryset().get(pk=value.pk)).data, status=code)

    @extend_schema(request=None, responses={200: IndicatorValueSerializer, **ERRORS, **DECIDED})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Check the value (office staff and leaders): it stands."""
        return self._act(services.indicator_check, act="check")

    @extend_schema(
        request=IndicatorReturnSerializer,
        responses={200: IndicatorValueSerializer, **ERRORS, **DECIDED},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return the value to the owner unit with the reason (office staff and leaders)."""
        return self._act(services.indicator_return, IndicatorReturnSerializer, act="check")
