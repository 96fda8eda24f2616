"""API of sub-project investment (子项目投资): the reports of the sub-projects the user
sees, and reporting one (the pilot's or the sub-project's host unit), through the same
selector and service as the pages. A sub-project the user may not see is a 400 naming
the field; one it sees but may not report on a 403; a pilot no longer running a 409."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reformledger.api.filters import IdFilter
from reformledger.api.mixins import ERRORS
from reformledger.ledger.models import Period
from reformledger.pilots import permissions
from reformledger.pilots.models import InvestmentReport
from reformledger.pilots.selectors.investment import visible_investment_reports
from reformledger.pilots.services.investment import investment_report

NUMERIC = "[0-9]+"


class InvestmentReportSerializer(serializers.ModelSerializer):
    pilot = serializers.IntegerField(source="sub_project.pilot_id", read_only=True)
    sub_project_code = serializers.CharField(source="sub_project.code", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    reported_by = serializers.CharField(source="reported_by.get_username", read_only=True)

    class Meta:
        model = InvestmentReport
        fields = [
            "id",
            "pilot",
            "sub_project",
            "sub_project_code",
            "period",
            "period_label",
            "amount",
            "note",
            "reported_by",
            "reported_at",
        ]
        read_only_fields = fields


class InvestmentWriteSerializer(serializers.Serializer):
    sub_project = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="10,000 yuan (万元), in the period"
    )
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


class InvestmentReportFilter(django_filters.FilterSet):
    pilot = IdFilter(field_name="sub_project__pilot_id")
    sub_project = IdFilter(field_name="sub_project_id")
    period = IdFilter(field_name="period_id")

    class Meta:
        model = InvestmentReport
        fields = ["pilot", "sub_project", "period"]


class InvestmentReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Investment completed on sub-projects, one report per sub-project and period
    (10,000 yuan, completed in that period). Reporting again for a period replaces the
    amount; the same amount again changes nothing."""

    queryset = InvestmentReport.objects.none()
    serializer_class = InvestmentReportSerializer
    filterset_class = InvestmentReportFilter
    lookup_value_regex = NUMERIC

    def get_queryset(self):
        return visible_investment_reports(self.request.user).order_by(
            "sub_project__pilot_id", "sub_project__code", "period__start", "pk"
        )

    @extend_schema(
        request=InvestmentWriteSerializer,
        responses={
            201: InvestmentReportSerializer,
            409: OpenApiResponse(description="The pilot is not running; nothing changed."),
            **ERRORS,
        },
    )
    def create(self, request, *args, **kwargs):
        """Report a sub-project's investment for an open period (its host unit)."""
        user = request.user
        if not permissions.sees_pilots(user):
            raise PermissionDenied("reports on no pilot")
        body = InvestmentWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        sub = (
            permissions.visible_sub_projects(user)
            .select_related("pilot", "host_unit")
            .filter(pk=data["sub_project"])
            .first()
        )
        if sub is None:
            raise ValidationError({"sub_project": [_("No such sub-project.")]})
        if not permissions.can(user, "report_sub_project", sub):
            raise PermissionDenied("report_sub_project")
        period = Period.objects.filter(pk=data["period"], office_id=sub.pilot.office_id).first()
        if period is None:
            raise ValidationError({"period": [_("No such period in this pilot's office.")]})
        report = investment_report(
            sub_project=sub, period=period, amount=data["amount"], note=data["note"], by=user
        )
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
