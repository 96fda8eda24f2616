"""API of the ledger: tasks, plans and milestones, and the acts on them.

Every list starts from the same scoped queryset as the pages
(`permissions.visible_tasks`), filters with the same `TaskFilter`, and every
write calls the same service, so the API and the pages cannot disagree.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from reformledger.api.exceptions import PreconditionFailed, PreconditionRequired
from reformledger.api.fields import ScopedPrimaryKeyField
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
from reformledger.api.pagination import DeepPagePagination
from reformledger.api.schema import describe_tags
from reformledger.core.exceptions import StaleVersionError
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.api.filters import TaskApiFilter
from reformledger.ledger.choices import RatingLevel, RatingStatus, TaskStatus
from reformledger.ledger.models import Milestone, Plan, ReformArea, ReformSystem, Task
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs.models import Person, Unit
from reformledger.orgs.permissions import visible_units

describe_tags(
    {
        "tasks": """Reform tasks (改革任务) of the ledgers, with the ledger page's filters.

| act | who (others: 403; a task one does not see: 404) |
| --- | --- |
| read | who sees it: its office, city leaders, a leading or helping unit's liaison and head |
| create | office staff and leaders, in their office's ledger |
| edit, status | office staff and leaders of the task's ledger |
| write or revise the plan | the ledger's office, or the lead unit's liaison |
| file a progress report (`report`) | the ledger's office, or the lead unit's liaison |
| request closing (`closing`) | the ledger's office, or the lead unit's liaison |
""",
        "plans": """Implementation plans (施工方案) and their milestones.

| act | who (others: 403; a plan of a task one does not see: 404) |
| --- | --- |
| read | who sees the task |
| submit | the ledger's office, or the lead unit's liaison |
| approve, reject | office staff and leaders of the task's ledger |
""",
    }
)


class MilestoneSerializer(serializers.ModelSerializer):
    """A milestone; `reached_on` is read only: a milestone is reached when the office
    accepts a progress report that reports it (POST /reports/{id}/accept/)."""

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
        read_only_fields = ["id", "order", "reached_on"]


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


class LatestRatingSerializer(serializers.Serializer):
    """A task's rating in the ledger's rating column (see the `rating` filter)."""

    id = serializers.IntegerField(help_text="The rating (/api/v1/ratings/{id}/).")
    letter = serializers.CharField(source="grade.letter", help_text="As the scale spells it.")
    level = serializers.ChoiceField(
        source="grade.level",
        choices=RatingLevel.choices,
        help_text="What the grade means, the same on every office's scale.",
    )
    period = serializers.IntegerField(source="period_id")
    period_label = serializers.CharField(source="period.label")
    status = serializers.ChoiceField(
        choices=RatingStatus.choices,
        help_text="`suggested`: only the system's suggestion so far; `confirmed` or "
        "`overridden`: an office leader's decision.",
    )


class ProgressSerializer(serializers.Serializer):
    """Planned against reported progress, on the day asked."""

    on = serializers.DateField(help_text="Today: the day the planned percent is for.")
    planned_percent = serializers.IntegerField(
        source="planned",
        allow_null=True,
        help_text="What the approved plan expects by today: the weights of its milestones "
        "due by then, as the rating engine counts them. Null without an approved plan.",
    )
    reported_percent = serializers.IntegerField(
        source="reported",
        allow_null=True,
        help_text="Of the latest accepted progress report; null without one.",
    )
    reported_period = serializers.IntegerField(
        source="reported_period.pk", allow_null=True, help_text="The period of that report."
    )


class TaskSerializer(serializers.ModelSerializer):
    """A task as read; `version` is what an update must carry (or send as If-Match).
    The view gives each row its rating, progress and links (`TaskViewSet._rows`), read
    for a whole page at once: the nested serializers are built once for the page, not
    once a row."""

    area_name = serializers.CharField(source="area.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    helping_units = serializers.ListField(
        child=serializers.IntegerField(),
        source="listed_helping_units",
        read_only=True,
        help_text="The helping units (协办单位), by id (/api/v1/units/{id}/).",
    )
    depends_on = serializers.ListField(
        child=serializers.IntegerField(),
        source="listed_depends_on",
        read_only=True,
        help_text="The tasks this one depends on, by id.",
    )
    latest_rating = LatestRatingSerializer(source="listed_rating", allow_null=True, read_only=True)
    progress = ProgressSerializer(source="listed_progress", read_only=True)

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
            "latest_rating",
            "progress",
        ]
        read_only_fields = fields


def _people(user):
    return Person.objects.filter(unit__in=visible_units(user))


class TaskWriteSerializer(serializers.Serializer):
    """The fields a task is created or changed with. Rules beyond types (unique code,
    dates, active units) are the service's, and come back as 400 on the field. Every id
    is looked up among what the user may see (units, people, tasks): another one
    answers as an id that does not exist."""

    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    area = serializers.PrimaryKeyRelatedField(queryset=ReformArea.objects.all())
    system = serializers.PrimaryKeyRelatedField(
        queryset=ReformSystem.objects.all(), allow_null=True, required=False, default=None
    )
    source = serializers.ChoiceField(choices=Task._meta.get_field("source").choices)
    lead_unit = ScopedPrimaryKeyField(visible_units, queryset=Unit.objects.all())
    helping_units = ScopedPrimaryKeyField(
        visible_units, queryset=Unit.objects.all(), many=True, required=False, default=list
    )
    responsible_leader = ScopedPrimaryKeyField(
        _people, queryset=Person.objects.all(), allow_null=True, required=False, default=None
    )
    is_key = serializers.BooleanField(required=False, default=False)
    deliverable_kind = serializers.ChoiceField(
        choices=Task._meta.get_field("deliverable_kind").choices
    )
    start_date = serializers.DateField()
    deadline = serializers.DateField()
    parent = ScopedPrimaryKeyField(
        permissions.visible_tasks,
        queryset=Task.objects.all(),
        allow_null=True,
        required=False,
        default=None,
    )
    depends_on = ScopedPrimaryKeyField(
        permissions.visible_tasks,
        queryset=Task.objects.all(),
        many=True,
        required=False,
        default=list,
    )


class TaskCreateSerializer(TaskWriteSerializer):
    office = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(kind="office"))
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class TaskUpdateSerializer(TaskWriteSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version read (a stale one: 409). Send it or If-Match: without "
        "either the change is refused (428).",
    )
    reason = serializers.CharField(allow_blank=True, required=False, default="")


def _require(request, act: str, task: Task) -> None:
    """A 403 before the body is read, for a user who may not do `act` on `task`."""
    if not permissions.can(request.user, act, task):
        raise PermissionDenied()


def _with_etag(response: Response) -> Response:
    """The response with its ETag taken from the body it carries: the tag and the body
    are one read, so a client writing back what it read never names a newer version."""
    response["ETag"] = etag(response.data["version"])
    return response


class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reform tasks (改革任务) the user may see, with the ledger page's filters and sort.

    Each row carries its `latest_rating`, the ledger page's rating column: the rating
    of the closed period `as_of`, else of the latest period any task listed (all
    filters applied) is rated in; filter by `year` to read one year's. And its
    `progress`: planned percent by today against the latest accepted report's.
    """

    serializer_class = TaskSerializer
    queryset = Task.objects.none()  # for the schema; rows come from get_queryset
    lookup_value_regex = "[0-9]+"
    filterset_class = TaskApiFilter
    pagination_class = DeepPagePagination

    def get_queryset(self):
        qs = permissions.visible_tasks(self.request.user).with_list_relations()
        return qs if self.request.query_params.get("ordering") else qs.order_by("year", "code")

    def filter_queryset(self, queryset):
        # Kept for the rating column, which is that of the tasks asked for.
        self.filtered = super().filter_queryset(queryset)
        return self.filtered

    def _rows(self, tasks: QuerySet[Task], rows: list[Task]) -> list:
        """The rows, each with its rating in the column of `tasks`, its progress, its
        helping units and what it depends on: six queries whatever the number of rows."""
        filterset = getattr(self, "filterset", None)
        as_of = filterset.rating_period if filterset is not None else None
        ratings = selectors.ledger_ratings(tasks, rows, as_of)
        progress = selectors.progress_of(rows)
        ids = [row.pk for row in rows]
        # The links as ids, one query each: a prefetch would build a queryset per row.
        helping: dict[int, list[int]] = {}
        for task_id, unit_id in (
            Task.helping_units.through.objects.filter(task_id__in=ids)
            .order_by("unit__path")
            .values_list("task_id", "unit_id")
        ):
            helping.setdefault(task_id, []).append(unit_id)
        depends: dict[int, list[int]] = {}
        for task_id, other_id in (
            Task.depends_on.through.objects.filter(from_task_id__in=ids)
            .order_by("to_task__year", "to_task__code")
            .values_list("from_task_id", "to_task_id")
        ):
            depends.setdefault(task_id, []).append(other_id)
        for row in rows:
            row.listed_rating = ratings.by_task.get(row.pk)
            row.listed_progress = progress[row.pk]
            row.listed_helping_units = helping.get(row.pk, [])
            row.listed_depends_on = depends.get(row.pk, [])
        return TaskSerializer(rows, many=True, context=self.get_serializer_context()).data

    def list(self, request, *args, **kwargs):
        tasks = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(tasks)
        if page is None:
            return Response(self._rows(tasks, list(tasks)))
        return self.get_paginated_response(self._rows(tasks, list(page)))

    def retrieve(self, request, *args, **kwargs):
        task = self.get_object()
        return _with_etag(Response(self._rows(self.filtered, [task])[0]))

    @extend_schema(
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        if not permissions.offices_of(request.user).exists():
            raise PermissionDenied()  # adds tasks to no ledger: refused before the body
        data = TaskCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        office, year = fields.pop("office"), fields.pop("year")
        task = services.task_create(by=request.user, office=office, year=year, **fields)
        return Response(self._read(task), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TaskUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: TaskSerializer, **ERRORS, **CONFLICT, **PRECONDITIONS},
    )
    def update(self, request, *args, **kwargs):
        """Change the task. Say which version you read — If-Match with its ETag, or
        `version` in the body — or nothing is changed (428). It is compared on the
        locked row being changed: a stale If-Match is a 412, a stale `version` a 409.
        The answer and its ETag are read in the same transaction as the change."""
        task = self.get_object()
        if not permissions.can(request.user, "edit", task):
            raise PermissionDenied()  # before the body and If-Match are read
        partial = kwargs.get("partial", False)
        data = TaskUpdateSerializer(
            data=request.data, partial=partial, context={"request": request}
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
                task = services.task_update(
                    task=task,
                    by=request.user,
                    version=if_match if if_match is not None else version,
                    reason=reason,
                    **changes,
                )
                body = self._read(task)  # under the row lock: what was just written
        except StaleVersionError as exc:
            if if_match is not None:
                raise PreconditionFailed(str(exc)) from exc
            raise
        return _with_etag(Response(body))

    @extend_schema(
        request=TaskUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: TaskSerializer, **ERRORS, **CONFLICT, **PRECONDITIONS},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _read(self, task: Task) -> dict:
        tasks = self.get_queryset()
        return self._rows(tasks, [tasks.get(pk=task.pk)])[0]

    @extend_schema(request=StatusSerializer, responses={200: TaskSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Mark the task blocked, back in progress, or cancelled, with a reason."""
        task = self.get_object()
        _require(request, "change_status", task)
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
        _require(request, "edit_plan", task)
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
        _require(request, "revise_plan", task)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_revise(task=task, by=request.user, **data.validated_data)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class TaskActsMixin(ActsMixin):
    """Acts on a task's plan, report or closing request: the task's permissions say
    who may (checked before the body is read)."""

    def may(self, act: str, obj) -> bool:
        return permissions.can(self.request.user, act, obj.task)


class PlanViewSet(TaskActsMixin, viewsets.ReadOnlyModelViewSet):
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
        return self._act(services.plan_submit, act="submit_plan")

    @extend_schema(request=NoteSerializer, responses={200: PlanSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted plan (the office)."""
        return self._act(services.plan_approve, NoteSerializer, act="approve_plan")

    @extend_schema(request=ReturnSerializer, responses={200: PlanSerializer, **ERRORS, **CONFLICT})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Return a submitted plan with the reason (the office)."""
        return self._act(services.plan_reject, ReturnSerializer, act="approve_plan")
