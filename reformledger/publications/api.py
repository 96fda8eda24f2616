"""The publications' API resources under /api/v1/: the year's publications with their
narrative sections and versions, the generations' progress, and the files. The acts —
writing a section, choosing highlights, generating, submitting upward — call the same
services as the pages. Only narrative sections can be written: figures and tables are
generated and no resource accepts them. A publication one may not see is a 404, an act
the role does not allow a 403, a refused value a 400 naming its field, an act its state
no longer allows (a submitted publication) a 409."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reformledger.api.filters import IdFilter, IntegerFilter
from reformledger.api.mixins import CONFLICT, ERRORS
from reformledger.api.schema import describe_tags
from reformledger.audit.services import document_exported
from reformledger.core.http import DOCX, file_download
from reformledger.orgs.models import Unit
from reformledger.publications import permissions, selectors, services
from reformledger.publications.choices import PublicationKind, PublicationStatus
from reformledger.publications.models import GenerationJob, Publication, Rendition

__all__ = ["GenerationJobViewSet", "PublicationViewSet", "RenditionViewSet", "register"]

NUMERIC = "[0-9]+"

describe_tags(
    {
        "publications": """The year-end documents (编印): the evaluation report to the
province (《改革全面评估报告》) and the two compendiums. Every figure is drawn from the ledger
as of a closed period; the office writes only the narrative sections.

| act | who (others: 403; a publication one may not see: 404) |
| --- | --- |
| create, `narratives`, `highlights`, `generate` | office staff and leaders |
| `submit` (the report only; freezes it) | office leaders |
""",
        "publication-versions": """Generated versions (版本): the content hash, the period the
figures are as of, the Word document and the PDF (`docx`, `pdf`).""",
        "publication-jobs": """A generation's progress (poll until `status` is done or
failed).""",
    }
)


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    number = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()


class RenditionSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(source="period.label", read_only=True)

    class Meta:
        model = Rendition
        fields = [
            "id",
            "publication",
            "number",
            "period",
            "period_label",
            "content_hash",
            "docx_hash",
            "docx_size",
            "pdf_status",
            "pdf_size",
            "pdf_pages",
            "pdf_error",
            "created_at",
        ]
        read_only_fields = fields


class PublicationSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "office",
            "office_name",
            "year",
            "kind",
            "title",
            "period",
            "period_label",
            "document_no",
            "issued_on",
            "status",
            "submitted_rendition",
            "submitted_no",
            "submitted_on",
            "version",
        ]
        read_only_fields = fields


class PublicationDetailSerializer(PublicationSerializer):
    sections = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(PublicationSerializer.Meta):
        fields = [*PublicationSerializer.Meta.fields, "sections", "versions"]
        read_only_fields = fields

    def get_sections(self, pub) -> list[dict]:
        current = services.current_narratives(pub)
        return [
            {
                "key": s.key,
                "label": s.label,
                "number": current[s.key].number if s.key in current else None,
                "text": current[s.key].text if s.key in current else "",
            }
            for s in services.sections_of(pub)
        ]

    def get_versions(self, pub) -> list[dict]:
        return RenditionSerializer(selectors.renditions(pub), many=True).data


class CreateSerializer(serializers.Serializer):
    office = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=PublicationKind.choices)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    document_no = serializers.CharField(required=False, allow_blank=True, max_length=100)
    issued_on = serializers.DateField(required=False, allow_null=True)


class NarrativeSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    text = serializers.CharField(allow_blank=True, max_length=services.MAX_NARRATIVE)


class HighlightsSerializer(serializers.Serializer):
    tasks = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=500)


class GenerateSerializer(serializers.Serializer):
    pdf = serializers.BooleanField(default=True)


class SubmitSerializer(serializers.Serializer):
    rendition = serializers.IntegerField()
    document_no = serializers.CharField(max_length=100)
    submitted_on = serializers.DateField()


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = GenerationJob
        fields = [
            "id",
            "publication",
            "status",
            "step",
            "progress",
            "make_pdf",
            "rendition",
            "unchanged",
            "error",
            "requested_at",
            "finished_at",
        ]
        read_only_fields = fields


class PublicationFilter(django_filters.FilterSet):
    year = IntegerFilter()
    office = IdFilter(field_name="office_id")
    kind = django_filters.ChoiceFilter(choices=PublicationKind.choices)
    status = django_filters.ChoiceFilter(choices=PublicationStatus.choices)

    class Meta:
        model = Publication
        fields = ["year", "office", "kind", "status"]


@extend_schema(tags=["publications"])
class PublicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Publications of the user's offices, newest year first."""

    queryset = Publication.objects.none()
    serializer_class = PublicationSerializer
    lookup_value_regex = NUMERIC
    filterset_class = PublicationFilter

    def get_queryset(self):
        return (
            permissions.visible_publications(self.request.user)
            .select_related("office", "period")
            .order_by("-year", "kind", "pk")
        )

    def get_serializer_class(self):
        return PublicationDetailSerializer if self.action == "retrieve" else PublicationSerializer

    def _writable(self, act: str = "write") -> Publication:
        pub = self.get_object()
        if not permissions.can(self.request.user, act, pub):
            raise PermissionDenied(f"{act} not allowed")
        return pub

    @extend_schema(
        request=CreateSerializer, responses={201: PublicationSerializer, **ERRORS, **CONFLICT}
    )
    def create(self, request):
        """Start the office's publication of a kind for a year (figures as of the year's
        last period, which must be closed)."""
        data = CreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        office = Unit.objects.filter(pk=values.pop("office"), kind="office").first()
        if office is None or not permissions.can_office(request.user, "write", office):
            raise PermissionDenied("write not allowed")
        pub = services.publication_create(office=office, by=request.user, **values)
        return Response(PublicationSerializer(pub).data, status=201)

    @extend_schema(
        request=NarrativeSerializer,
        responses={200: PublicationDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def narratives(self, request, pk=None):
        """Write a narrative section (a new version); figures and tables cannot be written."""
        pub = self._writable()
        data = NarrativeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.narrative_write(publication=pub, by=request.user, **data.validated_data)
        return Response(PublicationDetailSerializer(self.get_queryset().get(pk=pub.pk)).data)

    @extend_schema(
        request=HighlightsSerializer, responses={200: PublicationSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def highlights(self, request, pk=None):
        """Choose the highlights (a compendium's) among the office's tasks of the year."""
        pub = self._writable()
        data = HighlightsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.highlights_set(
            publication=pub, tasks=data.validated_data["tasks"], by=request.user
        )
        return Response(PublicationSerializer(pub).data)

    @extend_schema(request=GenerateSerializer, responses={202: JobSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Ask for a generation; poll the job it answers with."""
        pub = self._writable()
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.generation_request(
            publication=pub,
            by=request.user,
            make_pdf=data.validated_data["pdf"],
            language=getattr(request, "LANGUAGE_CODE", "zh-hans"),
        )
        return Response(JobSerializer(job).data, status=202)

    @extend_schema(
        request=SubmitSerializer, responses={200: PublicationSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Record the report's submission upward (报送): the version is frozen."""
        pub = self._writable("submit")
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rendition = selectors.renditions(pub).filter(pk=values["rendition"]).first()
        if rendition is None:
            raise serializers.ValidationError(
                {"rendition": ["Choose a version of this publication."]}
            )
        pub = services.publication_submit(
            publication=pub,
            rendition=rendition,
            document_no=values["document_no"],
            submitted_on=values["submitted_on"],
            by=request.user,
        )
        return Response(PublicationSerializer(pub).data)


class RenditionFilter(django_filters.FilterSet):
    publication = IdFilter(field_name="publication_id")

    class Meta:
        model = Rendition
        fields = ["publication"]


@extend_schema(tags=["publication-versions"])
class RenditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Versions of the publications the user may see, newest first (no files inline)."""

    queryset = Rendition.objects.none()
    serializer_class = RenditionSerializer
    lookup_value_regex = NUMERIC
    filterset_class = RenditionFilter

    def get_queryset(self):
        visible = permissions.visible_publications(self.request.user)
        return (
            Rendition.objects.filter(publication__in=visible)
            .defer(*selectors.LIGHT)
            .select_related("period")
            .order_by("-created_at", "-pk")
        )

    def _file(self, fmt: str):
        rendition = selectors.rendition(self.request.user, int(self.kwargs["pk"]), files=(fmt,))
        data = getattr(rendition, fmt)
        if data is None:
            raise Http404
        document_exported(
            by=self.request.user,
            document=rendition.publication.kind,
            fmt=fmt,
            rows=rendition.number,
            filters={"version": rendition.number, "period": rendition.period.label},
            obj=rendition.publication,
        )
        name = f"{rendition.publication.title}-v{rendition.number}.{fmt}"
        return file_download(bytes(data), DOCX if fmt == "docx" else "application/pdf", name)

    @extend_schema(responses={200: OpenApiResponse(description="the .docx file"), 404: None})
    @action(detail=True, methods=["get"])
    def docx(self, request, pk=None):
        """The version's Word document."""
        return self._file("docx")

    @extend_schema(responses={200: OpenApiResponse(description="the PDF"), 404: None})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The version's PDF (404 until it is made)."""
        return self._file("pdf")


@extend_schema(tags=["publication-jobs"])
class GenerationJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A generation's progress."""

    queryset = GenerationJob.objects.none()
    serializer_class = JobSerializer
    lookup_value_regex = NUMERIC

    def get_queryset(self):
        visible = permissions.visible_publications(self.request.user)
        return GenerationJob.objects.filter(publication__in=visible)


def register(router) -> None:
    router.register("publications", PublicationViewSet, basename="publication")
    router.register("publication-versions", RenditionViewSet, basename="publication-version")
    router.register("publication-jobs", GenerationJobViewSet, basename="publication-job")
