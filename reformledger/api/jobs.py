"""Import jobs through the API: every domain's imports go in two steps, as on the
pages — upload (the domain's endpoint), then read the preview here, answer its
questions (`decide`), and `confirm` to write the file all at once, or `cancel`.

A job is its uploader's alone: anyone else gets a 404.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reformledger.api.exceptions import Conflict
from reformledger.api.mixins import ERRORS
from reformledger.api.schema import describe_tags
from reformledger.exchange import jobs
from reformledger.exchange.models import ImportJob

describe_tags(
    {
        "import-jobs": "Imports in two steps, as on the pages: after an upload (POST to "
        "/imports/task-list/ or /imports/progress/) the job reads the file and waits in "
        "`review` with a `preview` (what it would write, the rows it skipped, how each "
        "date and name was read, and `errors` to settle). Answer with `decide` (the file "
        "is read again), then `confirm` to write it all at once; nothing is written "
        "before. A job is seen only by the user who uploaded it.",
    }
)


class ImportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "scope",
            "file_name",
            "file_size",
            "status",
            "progress",
            "total",
            "preview",
            "decisions",
            "errors",
            "summary",
            "created_at",
            "confirmed_at",
            "finished_at",
        ]
        read_only_fields = fields


class DecisionsSerializer(serializers.Serializer):
    decisions = serializers.DictField(
        help_text="Answers to the preview, merged into earlier ones: `year`, `columns` "
        "({sheet: {column index: field, or '-' to leave it out}}), `defaults`, `units` "
        "({name as written: unit id}), `leaders` ({name: person id, or 'new'} with "
        "`new_leaders` {name: {name, title}}), `areas`, `offers` ({key: true})."
    )

    def validate_decisions(self, value):
        if len(repr(value)) > 200_000:
            raise ValidationError(_("The answers are too long."))
        return value


def job_response(job: ImportJob, status: int = 200) -> Response:
    job.refresh_from_db()
    return Response(ImportJobSerializer(job).data, status=status)


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The user's own import jobs, newest first, and the acts on one under review."""

    serializer_class = ImportJobSerializer
    lookup_value_regex = "[0-9]+"
    queryset = ImportJob.objects.none()  # for the schema; rows come from get_queryset

    def get_queryset(self):
        return ImportJob.objects.filter(created_by=self.request.user).defer("payload")

    def _act(self, act):
        job = self.get_object()
        try:
            job = act(job)
        except jobs.JobStateError as exc:
            raise Conflict(str(exc)) from exc
        if job.status == ImportJob.Status.QUEUED:
            jobs.dispatch(job)
        return job_response(job)

    @extend_schema(
        request=DecisionsSerializer,
        responses={
            200: ImportJobSerializer,
            409: OpenApiResponse(description="Not under review."),
            **ERRORS,
        },
        tags=["import-jobs"],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Answer the preview's questions; the file is read again with the answers."""
        data = DecisionsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decisions = data.validated_data["decisions"]
        return self._act(
            lambda job: jobs.import_job_decide(job=job, by=request.user, decisions=decisions)
        )

    @extend_schema(
        request=None,
        responses={
            200: ImportJobSerializer,
            409: OpenApiResponse(description="Not ready."),
            **ERRORS,
        },
        tags=["import-jobs"],
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Write the file, all at once; refused (409) while the preview has errors."""
        return self._act(lambda job: jobs.import_job_confirm(job=job, by=request.user))

    @extend_schema(
        request=None,
        responses={
            200: ImportJobSerializer,
            409: OpenApiResponse(description="Not under review."),
            **ERRORS,
        },
        tags=["import-jobs"],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Drop the import: nothing is written."""
        return self._act(lambda job: jobs.import_job_cancel(job=job, by=request.user))
