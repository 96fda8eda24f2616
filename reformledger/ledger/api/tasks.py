"""API of the ledger: tasks, plans and milestones, and the acts on them.

Every list starts from the same scoped queryset as the pages
(`permissions.visible_tasks`), filters with the same `TaskFilter`, and every
write calls the same service, so the API and the pages cannot disagree.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from reformledger.api.exceptions import PreconditionFailed
from reformledger.api.mixins import CONFLICT, ERRORS, ETAG_RE, IF_MATCH, ActsMixin, NoteSerializer
from reformledger.ledger import permissions, services
from reformledger.ledger.api.filters import TaskApiFilter
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Milestone, Plan, ReformArea, ReformSystem, Task
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs.models import Person, Unit


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "order",
            "title",
            "planned_date",
            "weight",
            "is_key",
            "responsible",
            "expected_evidence",
            "reached_on",
        ]
        read_only_fields = ["id", "order"]


class PlanSerializer(serializers.ModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "task",
            "revision",
            "status",
            "summary",
            "reason",
            "submitted_at",
            "decided_at",
            "decision_note",
            "milestones",
        ]
        read_only_fields = fields


class PlanWriteSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    milestones = MilestoneSerializer(many=True)


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(min_length=1, help_text="Why the plan is returned.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=1)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.CANCELLED]
    )
    reason = serializers.CharField(min_length=1)


class TaskSerializer(serializers.ModelSerializer):
    """A task as read; `version` is what an update must carry (or send as If-Match)."""

    area_name = serializers.CharField(source="area.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "office",
            "year",
            "code",
            "title",
            "description",
            "area",
            "area_name",
            "system",
            "work_point",
            "source",
            "lead_unit",
            "lead_unit_name",
            "helping_units",
            "responsible_leader",
            "is_key",
            "deliverable_kind",
            "start_date",
            "deadline",
            "status",
            "parent",
            "depends_on",
            "carried_from",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TaskWriteSerializer(serializers.Serializer):
    """The fields a task is created or changed with. Rules beyond types (unique code,
    dates, active units) are the service's, and come back as 400 on the field."""

    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    area = serializers.PrimaryKeyRelatedField(queryset=ReformArea.objects.all())
    system = serializers.PrimaryKeyRelatedField(
        queryset=ReformSystem.objects.all(), allow_null=True, required=False, default=None
    )
    source = serializers.ChoiceField(choices=Task._meta.get_field("source").choices)
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    helping_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False, default=list
    )
    responsible_leader = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), allow_null=True, required=False, default=None
    )
    is_key = serializers.BooleanField(required=False, default=False)
    deliverable_kind = serializers.ChoiceField(
        choices=Task._meta.get_field("deliverable_kind").choices
    )
    start_date = serializers.DateField()
    deadline = serializers.DateField()
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), allow_null=True, required=False, default=None
    )
    depends_on = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), many=True, required=False, default=list
    )


class TaskCreateSerializer(TaskWriteSerializer):
    office = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(kind="office"))
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class TaskUpdateSerializer(TaskWriteSerializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version read; or send If-Match."
    )
    reason = serializers.CharField(allow_blank=True, required=False, default="")


def _etag(task: Task) -> str:
    return f'"{task.version}"'


class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reform tasks (改革任务) the user may see, with the ledger page's filters and sort."""

    serializer_class = TaskSerializer
    queryset = Task.objects.none()  # for the schema; rows come from get_queryset
    lookup_value_regex = "[0-9]+"
    filterset_class = TaskApiFilter

    def get_queryset(self):
        qs = (
            permissions.visible_tasks(self.request.user)
            .with_list_relations()
            .prefetch_related("helping_units", "depends_on")
        )
        return qs if self.request.query_params.get("ordering") else qs.order_by("year", "code")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = _etag(self.get_object())
        return response

    @extend_schema(
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = TaskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        office, year = fields.pop("office"), fields.pop("year")
        task = services.task_create(by=request.user, office=office, year=year, **fields)
        return Response(self._read(task), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TaskUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: TaskSerializer, **ERRORS, **CONFLICT, 412: OpenApiResponse()},
    )
    def update(self, request, *args, **kwargs):
        task = self.get_object()
        partial = kwargs.get("partial", False)
        data = TaskUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version", None)
        reason = changes.pop("reason", "")
        if_match = request.headers.get("If-Match")
        if if_match is not None and if_match.strip() != "*":
            if not ETAG_RE.match(if_match.strip()):
                raise ValidationError({"If-Match": [_('Send the ETag read, e.g. "3".')]})
            if if_match.strip().removeprefix("W/") != _etag(task):
                raise PreconditionFailed()
            version = task.version
        if not permissions.can(request.user, "edit", task):
            raise PermissionDenied()
        with transaction.atomic():
            task = services.task_update(
                task=task, by=request.user, version=version, reason=reason, **changes
            )
        response = Response(self._read(task))
        response["ETag"] = _etag(task)
        return response

    @extend_schema(
        request=TaskUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: TaskSerializer, **ERRORS, **CONFLICT, 412: OpenApiResponse()},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _read(self, task: Task) -> dict:
        task = self.get_queryset().get(pk=task.pk)
        return TaskSerializer(task, context=self.get_serializer_context()).data

    @extend_schema(request=StatusSerializer, responses={200: TaskSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Mark the task blocked, back in progress, or cancelled, with a reason."""
        task = self.get_object()
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_set_status(task=task, by=request.user, **data.validated_data)
        return Response(self._read(task))

    @extend_schema(responses={200: PlanSerializer(many=True), 404: ERRORS[404]})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def plans(self, request, pk=None):
        """Every revision of the task's plan, newest first."""
        task = self.get_object()
        plans = task.plans.prefetch_related("milestones").order_by("-revision")
        return Response(PlanSerializer(plans, many=True).data)

    @extend_schema(request=PlanWriteSerializer, responses={200: PlanSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="plan")
    def save_plan(self, request, pk=None):
        """Write the draft plan: its approach and milestones (replaces the draft's rows)."""
        task = self.get_object()
        data = PlanWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = [MilestoneRow(**m) for m in data.validated_data["milestones"]]
        plan = services.plan_save(
            task=task, by=request.user, summary=data.validated_data["summary"], milestones=rows
        )
        return Response(PlanSerializer(plan).data)

    @extend_schema(request=ReasonSerializer, responses={201: PlanSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="plan/revise")
    def revise_plan(self, request, pk=None):
        """Start a revision of the approved plan, with a reason."""
        task = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_revise(task=task, by=request.user, **data.validated_data)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanViewSet(ActsMixin, viewsets.ReadOnlyModelViewSet):
    """Plans (施工方案) of the tasks the user may see, and the acts on them."""

    serializer_class = PlanSerializer
    act_object = "plan"
    queryset = Plan.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return (
            Plan.objects.filter(task__in=permissions.visible_tasks(self.request.user))
            .prefetch_related("milestones")
            .order_by("id")
        )

    @extend_schema(request=None, responses={200: PlanSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the draft plan to the office for approval."""
        return self._act(services.plan_submit)

    @extend_schema(request=NoteSerializer, responses={200: PlanSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted plan (the office)."""
        return self._act(services.plan_approve, NoteSerializer)

    @extend_schema(request=ReturnSerializer, responses={200: PlanSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Return a submitted plan with the reason (the office)."""
        return self._act(services.plan_reject, ReturnSerializer)
