"""API of the work cycle: progress reports, ratings and closing requests, and the
acts on them. Each list starts from the tasks the user may see; each act calls the
same service as the pages (see `tasks` for the tasks and plans)."""

import base64
import binascii

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from reformledger.api.filters import IdFilter
from reformledger.api.mixins import CONFLICT, ERRORS, NoteSerializer
from reformledger.api.schema import describe_tags
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.api.filters import RatingGradesFilter
from reformledger.ledger.api.tasks import ReasonSerializer, TaskActsMixin, TaskViewSet
from reformledger.ledger.choices import ClosingStatus, RatingStatus, ReportStatus
from reformledger.ledger.models import (
    ClosingRequest,
    Evidence,
    Milestone,
    Period,
    ProgressReport,
    Rating,
    RatingGrade,
    Task,
)

NUMERIC = "[0-9]+"

describe_tags(
    {
        "reports": """Progress reports (进展报告): filed on a task (`POST /tasks/{id}/report/`)
for a period (see /periods/), then submitted, accepted or returned.

| act | who (others: 403; a report of a task one does not see: 404) |
| --- | --- |
| read | who sees the task |
| submit | the ledger's office, or the lead unit's liaison |
| withdraw (submitted, not yet decided) | the lead unit's liaison, or whoever wrote it |
| accept, return | office staff and leaders of the task's ledger |
""",
        "ratings": """A–E ratings (项目进度ABCDE五级评价): the system's suggestion, computed for
a period (`POST /periods/{id}/compute-ratings/`), and an office leader's decision.
Grade ids are on /rating-scales/.

| act | who (others: 403; a rating of a task one does not see: 404) |
| --- | --- |
| read | who sees the task |
| compute the suggestions of a period | office staff and leaders of its office |
| confirm, override (with a reason) | office leaders (主任/副主任) of the task's ledger |
""",
        "closings": """Closing requests (销账申请): requested on a task
(`POST /tasks/{id}/closing/`), signed by the lead unit's head, approved by an office
leader (the task is closed) or rejected.

| act | who (others: 403; a request of a task one does not see: 404) |
| --- | --- |
| read (each row with its `proof`: milestones, last report, latest rating) | who sees it |
| sign | the head (一把手) of the lead unit |
| approve (a `note` is required when `proof.needs_reason`) | office leaders of the task's ledger |
| reject | the lead unit's head before signing; office leaders at either stage |
| withdraw (not yet decided) | the lead unit's liaison, or whoever filed it |
""",
    }
)


class ReachedSerializer(serializers.Serializer):
    milestone = serializers.IntegerField(min_value=1, source="milestone_id")
    reached_on = serializers.DateField()


class ReportSerializer(serializers.ModelSerializer):
    reached = ReachedSerializer(many=True, read_only=True, source="reached.all")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "period",
            "status",
            "done",
            "problems",
            "next_steps",
            "percent",
            "submitted_at",
            "days_late",
            "decided_at",
            "return_reason",
            "reached",
        ]
        read_only_fields = fields


class ReportWriteSerializer(serializers.Serializer):
    period = serializers.IntegerField(min_value=1)
    done = serializers.CharField(min_length=1)
    problems = serializers.CharField(allow_blank=True, required=False, default="")
    next_steps = serializers.CharField(allow_blank=True, required=False, default="")
    percent = serializers.IntegerField(min_value=0, max_value=100)
    reached = ReachedSerializer(many=True, required=False, default=list)


class ReportFilter(filters.FilterSet):
    task = IdFilter(field_name="task_id")
    period = IdFilter(field_name="period_id")
    status = filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = ProgressReport
        fields = ["task", "period", "status"]


def _visible(user, model):
    return model.objects.filter(task__in=permissions.visible_tasks(user))


class ReportViewSet(TaskActsMixin, viewsets.ReadOnlyModelViewSet):
    """Progress reports (进展报告) of the tasks the user may see."""

    serializer_class = ReportSerializer
    act_object = "report"
    queryset = ProgressReport.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = ReportFilter

    def get_queryset(self):
        return (
            _visible(self.request.user, ProgressReport).prefetch_related("reached").order_by("id")
        )

    @extend_schema(request=None, responses={200: ReportSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the report to the office (lateness is recorded)."""
        return self._act(services.report_submit, act="report")

    @extend_schema(request=None, responses={200: ReportSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a submitted report: its milestones count as reached (the office)."""
        return self._act(services.report_accept, act="accept_report")

    @extend_schema(
        request=ReasonSerializer, responses={200: ReportSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return a submitted report with the reason (the office)."""
        return self._act(services.report_return, ReasonSerializer, act="accept_report")

    @extend_schema(request=None, responses={200: ReportSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take a submitted report back before the office decides (撤回): it is a draft
        again. The lead unit's liaison, or whoever wrote it; a decided report is a 409."""
        return self._act(services.report_withdraw, act="withdraw")

    def may(self, act: str, obj) -> bool:
        if act == "withdraw":
            return permissions.can_withdraw(self.request.user, obj.task, obj.author_id)
        return super().may(act, obj)


def _report_save(request, task: Task) -> Response:
    """Write (or correct) the task's draft report for a period."""
    if not permissions.can(request.user, "report", task):
        raise PermissionDenied()
    data = ReportWriteSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    period = Period.objects.filter(pk=fields.pop("period"), office_id=task.office_id).first()
    if period is None:
        raise ValidationError({"period": [_("No such period in this task's ledger.")]})
    reached = [(r["milestone_id"], r["reached_on"]) for r in fields.pop("reached")]
    # Looked up among the task's own milestones: another task's answers as none at all.
    own = set(Milestone.objects.filter(plan__task=task).values_list("pk", flat=True))
    if any(m not in own for m, _on in reached):
        raise ValidationError({"reached": [_("No such milestone.")]})
    report = services.report_save(
        task=task, period=period, by=request.user, reached=reached, **fields
    )
    return Response(ReportSerializer(ProgressReport.objects.get(pk=report.pk)).data)


class RatingSerializer(serializers.ModelSerializer):
    suggested_letter = serializers.CharField(source="suggested.letter", read_only=True)
    final_letter = serializers.CharField(source="final.letter", read_only=True, default=None)

    class Meta:
        model = Rating
        fields = [
            "id",
            "task",
            "period",
            "suggested",
            "suggested_letter",
            "facts",
            "computed_at",
            "status",
            "final",
            "final_letter",
            "override_reason",
            "decided_at",
        ]
        read_only_fields = fields


class OverrideSerializer(serializers.Serializer):
    grade = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(min_length=1)


class RatingFilter(filters.FilterSet):
    task = IdFilter(field_name="task_id")
    period = IdFilter(field_name="period_id")
    status = filters.ChoiceFilter(choices=RatingStatus.choices)
    grade = RatingGradesFilter(label=_lazy("Grade"))

    class Meta:
        model = Rating
        fields = ["task", "period", "status", "grade"]


class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    """A–E ratings (评价) of the tasks the user may see: suggestion and decision."""

    serializer_class = RatingSerializer
    queryset = Rating.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = RatingFilter

    def get_queryset(self):
        return (
            _visible(self.request.user, Rating).select_related("suggested", "final").order_by("id")
        )

    def _read(self, rating):
        return Response(RatingSerializer(self.get_queryset().get(pk=rating.pk)).data)

    @extend_schema(request=None, responses={200: RatingSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the suggested grade (office leaders)."""
        rating = self.get_object()
        services.rating_confirm(rating=rating, by=request.user)
        return self._read(rating)

    @extend_schema(
        request=OverrideSerializer, responses={200: RatingSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        """Decide another grade of the same scale, with the reason (office leaders)."""
        rating = self.get_object()
        if not permissions.can(request.user, "decide_rating", rating.task):
            raise PermissionDenied()  # before the body is read
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Looked up among the scales the user reads: another one's grade answers as none.
        grade = RatingGrade.objects.filter(
            pk=data.validated_data["grade"],
            scale__in=selectors.visible_scales(request.user).values("pk"),
        ).first()
        if grade is None:
            raise ValidationError({"grade": [_("No such grade.")]})
        services.rating_override(
            rating=rating, by=request.user, grade=grade, reason=data.validated_data["reason"]
        )
        return self._read(rating)


class FileSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=200)
    content_base64 = serializers.CharField(min_length=1)


class ProofMilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    planned_date = serializers.DateField()
    is_key = serializers.BooleanField()
    reached_on = serializers.DateField(allow_null=True)


class ProofReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField(source="period_id")
    period_label = serializers.CharField(source="period.label")
    percent = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(source="decided_at", allow_null=True)


class ProofRatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField(source="period_id")
    period_label = serializers.CharField(source="period.label")
    letter = serializers.CharField(source="grade.letter", help_text="The grade in force.")
    level = serializers.CharField(source="grade.level")
    status = serializers.ChoiceField(choices=RatingStatus.choices)


class ProofEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()


class ClosingProofSerializer(serializers.Serializer):
    """What deciding the request rests on (as its pages show it)."""

    milestones_total = serializers.IntegerField(source="total")
    milestones_reached = serializers.IntegerField(source="reached")
    milestones = ProofMilestoneSerializer(many=True, help_text="The approved plan's milestones.")
    not_reached = ProofMilestoneSerializer(many=True, source="unreached")
    last_report = ProofReportSerializer(
        source="report", allow_null=True, help_text="The last accepted progress report."
    )
    latest_rating = ProofRatingSerializer(
        source="rating", allow_null=True, help_text="The rating of the latest period rated."
    )
    needs_reason = serializers.BooleanField(
        help_text="Approving needs a `note` saying why (milestones not reached, or D/E)."
    )
    concerns = serializers.ListField(child=serializers.CharField())


class ClosingListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        selectors.attach_proofs(rows)  # three queries for the page, not three a row
        return super().to_representation(rows)


class ClosingSerializer(serializers.ModelSerializer):
    proof = ClosingProofSerializer(read_only=True)
    evidence = ProofEvidenceSerializer(many=True, read_only=True, source="evidence.all")

    class Meta:
        model = ClosingRequest
        fields = [
            "id",
            "task",
            "status",
            "summary",
            "document_no",
            "document_date",
            "evidence",
            "requested_at",
            "signed_at",
            "decided_at",
            "reject_reason",
            "proof",
        ]
        read_only_fields = fields
        list_serializer_class = ClosingListSerializer

    def to_representation(self, instance):
        if not hasattr(instance, "proof"):
            selectors.attach_proofs([instance])
        return super().to_representation(instance)


class ClosingWriteSerializer(serializers.Serializer):
    summary = serializers.CharField(min_length=1)
    document_no = serializers.CharField(min_length=1, max_length=100)
    document_date = serializers.DateField()
    files = FileSerializer(many=True, min_length=1)


class ClosingFilter(filters.FilterSet):
    task = IdFilter(field_name="task_id")
    status = filters.ChoiceFilter(choices=ClosingStatus.choices)

    class Meta:
        model = ClosingRequest
        fields = ["task", "status"]


class ClosingViewSet(TaskActsMixin, viewsets.ReadOnlyModelViewSet):
    """Closing requests (销账申请) of the tasks the user may see, and the acts on them."""

    serializer_class = ClosingSerializer
    act_object = "closing"
    queryset = ClosingRequest.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = ClosingFilter

    def get_queryset(self):
        return (
            _visible(self.request.user, ClosingRequest)
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
            .order_by("id")
        )

    def may(self, act: str, obj) -> bool:
        if act == "withdraw":
            return permissions.can_withdraw(self.request.user, obj.task, obj.requested_by_id)
        return super().may(act, obj)

    @extend_schema(request=None, responses={200: ClosingSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """The lead unit's head signs the request."""
        return self._act(services.closing_sign, act="sign_closing")

    @extend_schema(request=NoteSerializer, responses={200: ClosingSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """An office leader approves: the task is closed (销账). With a milestone not
        reached or a latest rating of D or E (`proof.needs_reason`), a `note` saying why
        is required: without one, a 400 naming `note`."""
        return self._act(services.closing_approve, NoteSerializer, act="approve_closing")

    @extend_schema(
        request=ReasonSerializer, responses={200: ClosingSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the request with the reason."""
        return self._act(
            services.closing_reject, ReasonSerializer, act=("approve_closing", "sign_closing")
        )

    @extend_schema(request=None, responses={200: ClosingSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take the request back before it is decided (撤回). The lead unit's liaison, or
        whoever filed it; a decided request is a 409."""
        return self._act(services.closing_withdraw, act="withdraw")


def _closing_request(request, task: Task) -> Response:
    """Request closing with the deliverables; files come as base64 in JSON (the API
    speaks JSON only) and pass the same checks as uploads."""
    if not permissions.can(request.user, "request_closing", task):
        raise PermissionDenied()
    data = ClosingWriteSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    files = []
    for i, item in enumerate(fields.pop("files")):
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError({"files": {i: [_("Not base64.")]}}) from exc
        files.append(ContentFile(content, name=item["name"]))
    with transaction.atomic():
        closing = services.closing_request(task=task, by=request.user, files=files, **fields)
    return Response(ClosingSerializer(closing).data, status=201)


class TaskCycleViewSet(TaskViewSet):
    """Tasks (see TaskViewSet), plus the unit's acts of the work cycle on a task."""

    @extend_schema(request=ReportWriteSerializer, responses={200: ReportSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="report")
    def report(self, request, pk=None):
        """Write (or correct) the draft progress report of a period (the lead unit)."""
        return _report_save(request, self.get_object())

    @extend_schema(request=ClosingWriteSerializer, responses={201: ClosingSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="closing")
    def request_closing(self, request, pk=None):
        """Request closing (销账) with the document number, date and files."""
        return _closing_request(request, self.get_object())
