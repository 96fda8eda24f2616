"""API of what the ledger's rows refer to: reform areas and systems, periods with the
office's acts on them (set up a year, close a period, compute its rating
suggestions), and rating scales with their grades. Read scoped like the pages; each
act calls the same service as the pages, which checks the role again and audits it."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from reformledger.api.filters import IdFilter, IntegerFilter, StrictBooleanFilter
from reformledger.api.mixins import CONFLICT, ERRORS
from reformledger.api.schema import describe_tags
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.choices import NotRatedReason, PeriodStatus
from reformledger.ledger.models import (
    Period,
    RatingGrade,
    RatingScale,
    ReformArea,
    ReformSystem,
)
from reformledger.ledger.services.ratings import THRESHOLD_FIELDS
from reformledger.orgs.models import Unit

NUMERIC = "[0-9]+"
FIRST_YEAR, LAST_YEAR = 2000, 2100

describe_tags(
    {
        "reform-areas": "Reform areas (改革领域): the `area` of a task. Every signed-in user.",
        "reform-systems": "Systemic reforms (体系化改革): the `system` of a task. Every "
        "signed-in user.",
        "periods": """Reporting and rating periods (报告期), and the office's acts on them.

| act | who (others: 403; a period of a ledger one does not read: 404) |
| --- | --- |
| read | the office's staff and leaders, and everyone who sees a task of its ledger |
| set up a year (`setup`) | office staff and leaders of that office |
| compute the rating suggestions (`compute-ratings`; with the tasks not rated, and why) | \
office staff and leaders of its office |
| confirm every undecided suggestion at once (`confirm-ratings`) | office leaders of its office |
| close (freeze) | office leaders (主任/副主任) of its office |
""",
        "rating-scales": "Rating scales (评价标准) with their grades, per office and year; read "
        "as periods are. Thresholds are changed on the scale's page by office leaders.",
    }
)


# --- reform areas and systems --------------------------------------------------------


class ReformAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReformArea
        fields = ["id", "code", "name", "name_en", "order"]
        read_only_fields = fields


class ReformSystemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReformSystem
        fields = ["id", "code", "name", "description", "order"]
        read_only_fields = fields


class ReformAreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Reform areas (改革领域) a task is filed under (`area` of a task), in their order.
    Reference data: every signed-in user reads them, as the ledger page's filter does."""

    serializer_class = ReformAreaSerializer
    queryset = ReformArea.objects.order_by("order", "code")
    lookup_value_regex = NUMERIC


class ReformSystemViewSet(viewsets.ReadOnlyModelViewSet):
    """Systemic reforms (体系化改革) that string tasks into one chain (`system` of a task).
    Reference data: every signed-in user reads them, as the ledger page's filter does."""

    serializer_class = ReformSystemSerializer
    queryset = ReformSystem.objects.order_by("order", "code")
    lookup_value_regex = NUMERIC


# --- periods -------------------------------------------------------------------------


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="e.g. 2016-06 (2016-04/06 if longer).")
    office_name = serializers.CharField(source="office.name", read_only=True)

    class Meta:
        model = Period
        fields = [
            "id",
            "office",
            "office_name",
            "year",
            "number",
            "label",
            "start",
            "end",
            "report_due",
            "status",
            "closed_at",
        ]
        read_only_fields = fields


class PeriodFilter(filters.FilterSet):
    office = IdFilter(field_name="office_id")
    year = IntegerFilter()
    status = filters.ChoiceFilter(choices=PeriodStatus.choices)
    current = StrictBooleanFilter(
        method="running_today",
        label="true: the open period running today (one per office whose year is set up); "
        "false: every other period.",
    )

    class Meta:
        model = Period
        fields = ["office", "year", "status", "current"]

    def running_today(self, queryset, name, value):
        current = selectors.current_periods(queryset)
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class SetupSerializer(serializers.Serializer):
    office = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind="office"), help_text="The reform office (a unit id)."
    )
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class NotRatedSerializer(serializers.Serializer):
    task = serializers.IntegerField(source="task_id")
    code = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.ChoiceField(
        choices=NotRatedReason.choices, help_text="Why the period does not rate the task."
    )
    reason_text = serializers.CharField(source="label", help_text="The reason in words.")


class ComputedSerializer(serializers.Serializer):
    period = PeriodSerializer()
    computed = serializers.IntegerField(help_text="Suggestions written (decided ratings kept).")
    not_rated = NotRatedSerializer(
        many=True, help_text="Every task of the ledger the period does not rate, and why."
    )


class ConfirmUntouchedSerializer(serializers.Serializer):
    expected = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="How many undecided suggestions the caller read; another count is a 409.",
    )


class ConfirmedSerializer(serializers.Serializer):
    period = PeriodSerializer()
    confirmed = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the ratings confirmed."
    )


class PeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting and rating periods (报告期) of the ledgers the user works or reads, in
    order. A progress report is filed for one (`period` of a report); `current=true`
    finds the one running today."""

    serializer_class = PeriodSerializer
    queryset = Period.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = PeriodFilter

    def get_queryset(self):
        return selectors.visible_periods(self.request.user).order_by(
            "office__path", "year", "number"
        )

    @extend_schema(request=SetupSerializer, responses={200: PeriodSerializer(many=True), **ERRORS})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def setup(self, request):
        """Set up an office's periods of a year from its cycle settings (monthly by
        default); periods already there are kept, so a repeat changes nothing. Office
        staff and leaders of that office."""
        if not permissions.offices_of(request.user).exists():
            raise PermissionDenied()  # runs no office: refused before the body is read
        data = SetupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        periods = services.periods_ensure(by=request.user, **data.validated_data)
        rows = Period.objects.filter(pk__in=[p.pk for p in periods]).select_related("office")
        return Response(PeriodSerializer(rows.order_by("number"), many=True).data)

    @extend_schema(request=None, responses={200: PeriodSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close (freeze) a period that has ended: its ratings stay as they are and the
        ledger can be read as of it. Office leaders of its office."""
        period = services.period_close(period=self.get_object(), by=request.user)
        return Response(PeriodSerializer(self.get_queryset().get(pk=period.pk)).data)

    @extend_schema(request=None, responses={200: ComputedSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="compute-ratings")
    def compute_ratings(self, request, pk=None):
        """Compute the rating suggestions of every task of the period's ledger (decided
        ratings are kept). A period not yet begun, or closed, is a 400. Office staff and
        leaders of its office."""
        period = self.get_object()
        run = services.ratings_compute_period(period=period, by=request.user)
        period = self.get_queryset().get(pk=period.pk)
        return Response(
            ComputedSerializer(
                {"period": period, "computed": run.computed, "not_rated": run.skipped}
            ).data
        )

    @extend_schema(
        request=ConfirmUntouchedSerializer,
        responses={200: ConfirmedSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="confirm-ratings")
    def confirm_ratings(self, request, pk=None):
        """Confirm every suggestion of the period nobody has decided, in one act, one
        audit record per task; overridden and decided ratings are left alone. Office
        leaders of its office."""
        period = self.get_object()
        if not permissions.can_run_office(request.user, period.office, leader=True):
            raise PermissionDenied()  # before the body is read
        data = ConfirmUntouchedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        confirmed = services.ratings_confirm_untouched(
            period=period, by=request.user, expected=data.validated_data.get("expected")
        )
        period = self.get_queryset().get(pk=period.pk)
        return Response(
            ConfirmedSerializer({"period": period, "confirmed": [r.pk for r in confirmed]}).data
        )


# --- rating scales -------------------------------------------------------------------


class RatingGradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingGrade
        fields = ["id", "level", "letter", "name", "name_en", "colour"]
        read_only_fields = fields


class RatingScaleSerializer(serializers.ModelSerializer):
    grades = RatingGradeSerializer(many=True, read_only=True)

    class Meta:
        model = RatingScale
        fields = ["id", "office", "year", "name", *THRESHOLD_FIELDS, "grades"]
        read_only_fields = fields


class RatingScaleFilter(filters.FilterSet):
    office = IdFilter(field_name="office_id")
    year = IntegerFilter()

    class Meta:
        model = RatingScale
        fields = ["office", "year"]


class RatingScaleViewSet(viewsets.ReadOnlyModelViewSet):
    """Rating scales (评价标准) of the ledgers the user works or reads, one per office and
    year, with their grades: the letter each level has there, and the grade ids an
    override names. A year's scale is made when its ratings are first computed."""

    serializer_class = RatingScaleSerializer
    queryset = RatingScale.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = RatingScaleFilter

    def get_queryset(self):
        return selectors.visible_scales(self.request.user).order_by("office__path", "year")


__all__ = [
    "PeriodViewSet",
    "RatingScaleViewSet",
    "ReformAreaViewSet",
    "ReformSystemViewSet",
]
