"""Uploading the year's work points through the API: a Word, PDF or text document (or
its text in the body) becomes an import job (`/api/v1/import-jobs/`) whose preview
holds the drafts; answer it with `decide` and write it with `confirm`, as on the
pages."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser

from reformledger.api.jobs import ImportJobSerializer, job_response
from reformledger.api.mixins import ERRORS
from reformledger.exchange import jobs
from reformledger.exchange.xlsx_safety import max_upload_bytes
from reformledger.ledger import permissions
from reformledger.ledger.services import work_points


class WorkPointsUploadSerializer(serializers.Serializer):
    office = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The reform office (a unit id)."
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    file = serializers.FileField(
        required=False, help_text="The document (.docx, .pdf or .txt); or give `text`."
    )
    text = serializers.CharField(
        required=False, max_length=500_000, help_text="The document's text, pasted."
    )

    def validate(self, attrs):
        if bool(attrs.get("file")) == bool((attrs.get("text") or "").strip()):
            raise ValidationError(_("Upload the document or paste its text (one of them)."))
        upload = attrs.get("file")
        if upload is not None and upload.size > max_upload_bytes():
            raise ValidationError(
                {
                    "file": _("The file is larger than the limit of %(limit)s MB.")
                    % {"limit": max_upload_bytes() // (1024 * 1024)}
                }
            )
        return attrs


class WorkPointsUploadViewSet(viewsets.ViewSet):
    """The upload that starts a work-points import job."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": WorkPointsUploadSerializer},
        responses={201: ImportJobSerializer, **ERRORS},
        tags=["import-jobs"],
    )
    def create(self, request):
        """Upload the year's work points; the job reads them into drafts to check."""
        data = WorkPointsUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        office = (
            permissions.offices_of(request.user).filter(pk=data.validated_data["office"]).first()
        )
        if office is None:
            raise PermissionDenied(_("You may not import into this ledger."))
        upload = data.validated_data.get("file")
        if upload is not None:
            name, payload = upload.name or "document.docx", upload.read()
        else:
            name, payload = _("pasted text") + ".txt", data.validated_data["text"].encode()
        job = jobs.import_job_create(
            by=request.user,
            kind=work_points.WORK_POINTS_JOB,
            file_name=name,
            data=payload,
            language=get_language() or "zh-hans",
            **work_points.work_points_job_params(office=office, year=data.validated_data["year"]),
        )
        jobs.dispatch(job)
        return job_response(job, status=201)
