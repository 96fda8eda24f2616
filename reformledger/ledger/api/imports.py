"""Uploading the ledger's workbooks through the API: a task list into an office's
ledger, or a period's progress reports. Each upload becomes an import job
(`/api/v1/import-jobs/`) that reads the file into a preview; nothing is written
until the job is confirmed."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser

from reformledger.api.jobs import ImportJobSerializer, job_response
from reformledger.api.mixins import ERRORS
from reformledger.exchange import jobs
from reformledger.exchange.xlsx_safety import max_upload_bytes
from reformledger.ledger import permissions
from reformledger.ledger.documents.progress_sheet import may_import_reports
from reformledger.ledger.forms_exchange import open_periods
from reformledger.ledger.services import imports


def _file(value):
    if value.size > max_upload_bytes():
        raise ValidationError(
            _("The file is larger than the limit of %(limit)s MB.")
            % {"limit": max_upload_bytes() // (1024 * 1024)}
        )
    return value


class TaskListUploadSerializer(serializers.Serializer):
    office = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The reform office (a unit id)."
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    file = serializers.FileField(help_text="The workbook (.xlsx).", validators=[_file])


class ProgressUploadSerializer(serializers.Serializer):
    period = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="An open period (id)."
    )
    file = serializers.FileField(help_text="The workbook (.xlsx).", validators=[_file])


def _start(request, kind: str, file, **params):
    data = file.read()
    job = jobs.import_job_create(
        by=request.user,
        kind=kind,
        file_name=file.name or "upload.xlsx",
        data=data,
        language=get_language() or "zh-hans",
        **params,
    )
    jobs.dispatch(job)
    return job_response(job, status=201)


class ImportViewSet(viewsets.ViewSet):
    """Uploads that start an import job."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": TaskListUploadSerializer},
        responses={201: ImportJobSerializer, **ERRORS},
        tags=["import-jobs"],
    )
    def task_list(self, request):
        """Upload an office's task list for a year; the job reads it into a preview."""
        data = TaskListUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        office = (
            permissions.offices_of(request.user).filter(pk=data.validated_data["office"]).first()
        )
        if office is None:
            raise PermissionDenied(_("You may not import into this ledger."))
        return _start(
            request,
            imports.TASK_LIST_JOB,
            data.validated_data["file"],
            **imports.task_list_job_params(office=office, year=data.validated_data["year"]),
        )

    @extend_schema(
        request={"multipart/form-data": ProgressUploadSerializer},
        responses={201: ImportJobSerializer, **ERRORS},
        tags=["import-jobs"],
    )
    def progress(self, request):
        """Upload a period's progress reports; the job reads them into a preview."""
        if not may_import_reports(request.user):
            raise PermissionDenied(_("You may not import progress reports."))
        data = ProgressUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = open_periods(request.user).filter(pk=data.validated_data["period"]).first()
        if period is None:
            raise ValidationError({"period": [_("No open period of yours has this id.")]})
        return _start(
            request,
            imports.PROGRESS_JOB,
            data.validated_data["file"],
            **imports.progress_job_params(period=period),
        )
