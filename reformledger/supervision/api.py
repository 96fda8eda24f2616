"""API of supervision (督查督办): leader links, supervision meetings, reform documents,
leading-group meetings with their review candidates and collective reviews,
supervision orders and action items, and the acts on them.

Every list starts from the same scoped selector as the pages, and every write calls
the same service, so the API and the pages cannot disagree: an object the user may
not see is a 404, an act the role does not allow a 403, a refused value a 400 naming
its field, an act on something already decided a 409. The API speaks JSON only, so
the evidence files of an answer are uploaded on the pages.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reformledger.core.exceptions import ConflictError
from reformledger.ledger.api import CONFLICT, ERRORS, ActsMixin, NoteSerializer
from reformledger.ledger.filters import IdFilter, StrictBooleanFilter
from reformledger.ledger.models import Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any, visible_units
from reformledger.supervision import permissions, selectors, services
from reformledger.supervision.choices import (
    AnswerDecision,
    DocumentStatus,
    MatterStatus,
    OrderLevel,
)
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    CollectiveReview,
    LeaderLink,
    LeadingGroupMeeting,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)

NUMERIC = "[0-9]+"
FIRST_YEAR, LAST_YEAR = 2000, 2100
ANSWERS = Prefetch(
    "answers",
    queryset=Answer.objects.select_related("answered_by", "decided_by").prefetch_related("files"),
)
NO_ANSWER = {409: OpenApiResponse(description="No answer awaits a decision, or it was decided.")}


# --- filters ------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})
class YearFilter(django_filters.NumberFilter):
    """A year between 2000 and 2100; anything else is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


def _under_unit(lookup: str):
    """A filter method: rows whose `lookup` unit is the unit given or one below it; an id
    that matches no unit gives an empty list (as on the ledger's filters)."""

    def method(self, queryset, name, value):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(under_any(lookup, (path,))) if path else queryset.none()

    return method


def _overdue(self, queryset, name, value):
    overdue = selectors.overdue_filter(timezone.localdate())
    return queryset.filter(overdue) if value else queryset.exclude(overdue)


class MatterFilter(django_filters.FilterSet):
    """What orders and action items are filtered by."""

    status = django_filters.ChoiceFilter(choices=MatterStatus.choices)
    unit = IdFilter(method="under_unit", help_text="The responsible unit, or a unit above it.")
    task = IdFilter(field_name="task_id")
    overdue = StrictBooleanFilter(
        method="overdue_only", help_text="true: unanswered past the deadline; false: the rest."
    )
    under_unit = _under_unit("unit")
    overdue_only = _overdue


class OrderFilter(MatterFilter):
    year = YearFilter()
    level = django_filters.ChoiceFilter(choices=OrderLevel.choices)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("number", "number"),
            ("deadline", "deadline"),
            ("level", "level"),
            ("issued_at", "issued_at"),
            ("unit__path", "unit"),
        )
    )

    class Meta:
        model = SupervisionOrder
        fields = ["year", "level", "status", "unit", "task", "overdue"]


class ActionItemFilter(MatterFilter):
    year = YearFilter(method="of_year", help_text="The year of the meeting that set it.")
    meeting = IdFilter(field_name="meeting_id")
    review = IdFilter(field_name="review_id")
    ordering = django_filters.OrderingFilter(
        fields=(("deadline", "deadline"), ("status", "status"), ("unit__path", "unit"))
    )

    class Meta:
        model = ActionItem
        fields = ["year", "status", "unit", "task", "overdue", "meeting", "review"]

    def of_year(self, queryset, name, value):
        return queryset.filter(Q(meeting__held_on__year=value) | Q(review__meeting__year=value))


class LinkFilter(django_filters.FilterSet):
    year = YearFilter(field_name="task__year")
    task = IdFilter(field_name="task_id")
    leader = IdFilter(field_name="leader_id")
    unit = IdFilter(method="under_unit", help_text="The task's lead unit, or a unit above it.")
    active = StrictBooleanFilter(method="active_only")
    ordering = django_filters.OrderingFilter(
        fields=(("task__code", "task"), ("linked_at", "linked_at"))
    )
    under_unit = _under_unit("task__lead_unit")

    class Meta:
        model = LeaderLink
        fields = ["year", "task", "leader", "unit", "active"]

    def active_only(self, queryset, name, value):
        return queryset.filter(ended_at__isnull=value)


class SupervisionMeetingFilter(django_filters.FilterSet):
    year = YearFilter(field_name="held_on__year")
    task = IdFilter(field_name="tasks", help_text="A task the meeting discussed.")
    ordering = django_filters.OrderingFilter(fields=(("held_on", "held_on"),))

    class Meta:
        model = SupervisionMeeting
        fields = ["year", "task"]


class DocumentFilter(django_filters.FilterSet):
    year = YearFilter()
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices)
    unit = IdFilter(method="under_unit", help_text="The drafting unit, or a unit above it.")
    task = IdFilter(field_name="task_id")
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("status", "status"), ("issued_on", "issued_on"))
    )
    under_unit = _under_unit("drafting_unit")

    class Meta:
        model = ReformDocument
        fields = ["year", "status", "unit", "task"]


class LeadingGroupMeetingFilter(django_filters.FilterSet):
    year = YearFilter()
    task = IdFilter(field_name="reviews__task_id", help_text="A task put to collective review.")
    document = IdFilter(field_name="documents", help_text="A reform document reviewed.")
    ordering = django_filters.OrderingFilter(fields=(("held_on", "held_on"), ("number", "number")))

    class Meta:
        model = LeadingGroupMeeting
        fields = ["year", "task", "document"]


# --- fields that look rows up among those the user may see --------------------------


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A row id looked up among the rows the requesting user may see, so a row of
    another office reads as "does not exist" and nothing of it is told."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


def _task_field(**kwargs):
    return ScopedPrimaryKeyField(visible_tasks, queryset=Task.objects.all(), **kwargs)


def _unit_field(**kwargs):
    return ScopedPrimaryKeyField(visible_units, queryset=Unit.objects.all(), **kwargs)


def _office_field():
    return serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind="office"), help_text="The reform office."
    )


def _office_leaders(user):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Role.OFFICE_LEADER,
            memberships__is_active=True,
        )
        .distinct()
    )


class _UserName(serializers.CharField):
    """A user as the pages name them (full name, else user name)."""

    def to_representation(self, value):
        return str(value)


# --- read serializers -----------------------------------------------------------------


class AnswerFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()


class MatterAnswerSerializer(serializers.ModelSerializer):
    answered_by_name = _UserName(source="answered_by", read_only=True)
    files = AnswerFileSerializer(many=True, read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "body",
            "answered_by",
            "answered_by_name",
            "answered_at",
            "late",
            "decision",
            "decided_by",
            "decided_at",
            "decision_note",
            "files",
        ]
        read_only_fields = fields


class _MatterSerializer(serializers.ModelSerializer):
    """What an order and an action item share."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    task_code = serializers.CharField(source="task.code", read_only=True, default=None)
    overdue = serializers.SerializerMethodField(
        help_text="Unanswered past its deadline (the deadline runs while open or returned)."
    )

    MATTER_FIELDS = [
        "id",
        "office",
        "unit",
        "unit_name",
        "task",
        "task_code",
        "demand",
        "deadline",
        "status",
        "overdue",
        "closed_at",
        "version",
    ]

    def get_overdue(self, matter) -> bool:
        return matter.is_overdue(self.context.get("today") or timezone.localdate())


class SupervisionOrderSerializer(_MatterSerializer):
    """A supervision order (督办单) as read; `label` is its official number."""

    label = serializers.CharField(read_only=True, help_text="The official number, 督办〔2016〕7号.")
    issued_by_name = _UserName(source="issued_by", read_only=True)
    answered_late = serializers.BooleanField(
        read_only=True, help_text="An answer came after the deadline in force."
    )

    class Meta:
        model = SupervisionOrder
        fields = [
            *_MatterSerializer.MATTER_FIELDS,
            "year",
            "number",
            "label",
            "action_item",
            "basis",
            "level",
            "escalations",
            "issued_by",
            "issued_by_name",
            "issued_at",
            "answered_late",
        ]
        read_only_fields = fields


class SupervisionOrderDetailSerializer(SupervisionOrderSerializer):
    answers = MatterAnswerSerializer(many=True, read_only=True)

    class Meta(SupervisionOrderSerializer.Meta):
        fields = [*SupervisionOrderSerializer.Meta.fields, "answers"]
        read_only_fields = fields


class ActionItemSerializer(_MatterSerializer):
    """An action item (督办事项) as read: set by a supervision meeting or a review."""

    source = serializers.SerializerMethodField(help_text="The meeting or review that set it.")

    class Meta:
        model = ActionItem
        fields = [*_MatterSerializer.MATTER_FIELDS, "meeting", "review", "source", "created_at"]
        read_only_fields = fields

    def get_source(self, item) -> str:
        return str(item.meeting) if item.meeting_id else str(item.review)


class OrderBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisionOrder
        fields = ["id", "label", "level", "status", "deadline"]
        read_only_fields = fields


class ActionItemDetailSerializer(ActionItemSerializer):
    answers = MatterAnswerSerializer(many=True, read_only=True)
    orders = OrderBriefSerializer(many=True, read_only=True)

    class Meta(ActionItemSerializer.Meta):
        fields = [*ActionItemSerializer.Meta.fields, "answers", "orders"]
        read_only_fields = fields


class ActionItemBriefSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "unit", "unit_name", "task", "demand", "deadline", "status"]
        read_only_fields = fields


class LeaderLinkSerializer(serializers.ModelSerializer):
    """A leader link (挂钩联系): who follows which key task, since when, until when."""

    task_code = serializers.CharField(source="task.code", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    leader_name = _UserName(source="leader", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = LeaderLink
        fields = [
            "id",
            "task",
            "task_code",
            "task_title",
            "leader",
            "leader_name",
            "linked_by",
            "linked_at",
            "ended_at",
            "is_active",
        ]
        read_only_fields = fields


class SupervisionMeetingSerializer(serializers.ModelSerializer):
    """A supervision meeting (督查推进专会) as listed."""

    n_items = serializers.IntegerField(read_only=True, help_text="Action items it set.")

    class Meta:
        model = SupervisionMeeting
        fields = [
            "id",
            "office",
            "held_on",
            "topic",
            "attendees",
            "minutes",
            "tasks",
            "n_items",
            "created_at",
        ]
        read_only_fields = fields


class SupervisionMeetingDetailSerializer(SupervisionMeetingSerializer):
    action_items = ActionItemBriefSerializer(many=True, read_only=True)

    class Meta(SupervisionMeetingSerializer.Meta):
        fields = [*SupervisionMeetingSerializer.Meta.fields, "action_items"]
        read_only_fields = fields


class ReformDocumentSerializer(serializers.ModelSerializer):
    """A reform document (改革文件) of the registry."""

    drafting_unit_name = serializers.CharField(source="drafting_unit.name", read_only=True)
    task_code = serializers.CharField(source="task.code", read_only=True, default=None)
    n_meetings = serializers.IntegerField(
        read_only=True, help_text="Leading-group meetings that reviewed it."
    )

    class Meta:
        model = ReformDocument
        fields = [
            "id",
            "office",
            "year",
            "title",
            "drafting_unit",
            "drafting_unit_name",
            "status",
            "document_no",
            "issued_on",
            "task",
            "task_code",
            "n_meetings",
            "created_at",
        ]
        read_only_fields = fields


class DocumentBriefSerializer(serializers.ModelSerializer):
    drafting_unit_name = serializers.CharField(source="drafting_unit.name", read_only=True)

    class Meta:
        model = ReformDocument
        fields = ["id", "title", "drafting_unit", "drafting_unit_name", "status", "document_no"]
        read_only_fields = fields


class CollectiveReviewSerializer(serializers.ModelSerializer):
    """A collective review (集体会诊) in its four parts, and the action items its
    required improvements became."""

    task_code = serializers.CharField(source="task.code", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    action_items = ActionItemBriefSerializer(many=True, read_only=True)

    class Meta:
        model = CollectiveReview
        fields = [
            "id",
            "meeting",
            "task",
            "task_code",
            "task_title",
            "reason",
            "achievements",
            "problems",
            "causes",
            "improvements",
            "action_items",
        ]
        read_only_fields = fields


class LeadingGroupMeetingSerializer(serializers.ModelSerializer):
    """A leading-group meeting (领导小组会议) as listed."""

    n_documents = serializers.IntegerField(read_only=True, help_text="Documents reviewed.")
    n_reviews = serializers.IntegerField(read_only=True, help_text="Tasks put to review.")

    class Meta:
        model = LeadingGroupMeeting
        fields = [
            "id",
            "office",
            "year",
            "number",
            "held_on",
            "attendees",
            "summary",
            "documents",
            "n_documents",
            "n_reviews",
            "created_at",
        ]
        read_only_fields = fields


class LeadingGroupMeetingDetailSerializer(LeadingGroupMeetingSerializer):
    documents = DocumentBriefSerializer(many=True, read_only=True)
    reviews = CollectiveReviewSerializer(many=True, read_only=True)

    class Meta(LeadingGroupMeetingSerializer.Meta):
        fields = [*LeadingGroupMeetingSerializer.Meta.fields, "reviews"]
        read_only_fields = fields


class ReviewCandidateSerializer(serializers.Serializer):
    """A key task proposed for collective review, with the reasons, most in need first."""

    task = serializers.IntegerField(source="task.pk")
    code = serializers.CharField(source="task.code")
    title = serializers.CharField(source="task.title")
    lead_unit_name = serializers.CharField(source="task.lead_unit.name")
    rating = serializers.SerializerMethodField(help_text="The latest rating's letter, if rated.")
    severity = serializers.IntegerField(help_text="0 (done or ahead) … 4 (stalled); -1 unrated.")
    stale_days = serializers.IntegerField(help_text="Days since its last progress report.")
    escalated = serializers.IntegerField(help_text="Its orders that climbed above blue.")
    reviewed_before = serializers.IntegerField(help_text="Reviews of it earlier this year.")
    reasons = serializers.ListField(child=serializers.CharField())

    def get_rating(self, candidate) -> str | None:
        return candidate.rating.grade.letter if candidate.rating else None


# --- write serializers -----------------------------------------------------------------


class ActionRowSerializer(serializers.Serializer):
    """One action item to set: the responsible unit, what it must do, by when."""

    unit = _unit_field()
    demand = serializers.CharField()
    deadline = serializers.DateField()
    task = _task_field(required=False, allow_null=True, default=None)


def _rows(actions: list[dict]) -> list[services.ActionRow]:
    return [services.ActionRow(**row) for row in actions]


class LinkWriteSerializer(serializers.Serializer):
    task = _task_field(help_text="A key task.")
    leader = ScopedPrimaryKeyField(
        _office_leaders,
        queryset=get_user_model().objects.all(),
        help_text="A director or deputy of the task's office.",
    )


class LinkEndSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class SupervisionMeetingWriteSerializer(serializers.Serializer):
    office = _office_field()
    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    attendees = serializers.CharField()
    minutes = serializers.CharField(allow_blank=True, required=False, default="")
    tasks = _task_field(many=True, required=False, default=list)
    actions = ActionRowSerializer(many=True, required=False, default=list)


class DocumentWriteSerializer(serializers.Serializer):
    office = _office_field()
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    title = serializers.CharField(max_length=200)
    drafting_unit = _unit_field()
    task = _task_field(required=False, allow_null=True, default=None)


class DocumentStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    document_no = serializers.CharField(
        max_length=100, allow_blank=True, required=False, default="", help_text="When issued."
    )
    issued_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="When issued."
    )


class LeadingGroupMeetingWriteSerializer(serializers.Serializer):
    office = _office_field()
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    number = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        required=False,
        allow_null=True,
        default=None,
        help_text="Its number within the year; the next one when left out.",
    )
    held_on = serializers.DateField()
    attendees = serializers.CharField()
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    documents = ScopedPrimaryKeyField(
        permissions.visible_documents,
        queryset=ReformDocument.objects.all(),
        many=True,
        required=False,
        default=list,
    )


class CollectiveReviewWriteSerializer(serializers.Serializer):
    task = _task_field(help_text="A key task of the meeting's office.")
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    achievements = serializers.CharField(help_text="Results affirmed (肯定成绩).")
    problems = serializers.CharField(help_text="Problems (指出问题).")
    causes = serializers.CharField(help_text="Causes (分析原因).")
    improvements = serializers.CharField(help_text="Improvements required (督促改进).")
    actions = ActionRowSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Each required improvement as an action item (its task defaults to the "
        "reviewed task).",
    )


class CandidateQuerySerializer(serializers.Serializer):
    office = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    limit = serializers.IntegerField(min_value=1, max_value=50, required=False, default=10)


class OrderIssueSerializer(serializers.Serializer):
    office = _office_field()
    task = _task_field(required=False, allow_null=True, default=None)
    action_item = ScopedPrimaryKeyField(
        permissions.visible_action_items,
        queryset=ActionItem.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    basis = serializers.CharField()
    demand = serializers.CharField()
    deadline = serializers.DateField()
    level = serializers.ChoiceField(choices=OrderLevel.choices, default=OrderLevel.BLUE)
    year = serializers.IntegerField(
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=False,
        allow_null=True,
        default=None,
        help_text="The year it is numbered in; this year when left out.",
    )

    def validate(self, attrs):
        if (attrs["task"] is None) == (attrs["action_item"] is None):
            raise serializers.ValidationError(
                {"task": [_("Give either a task or an action item (one matter per order).")]}
            )
        return attrs


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the order is raised a level.")
    deadline = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The new deadline; by default the level's usual number of days.",
    )


class AnswerWriteSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="The report of what was done.")


class AnswerReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the answer is returned.")
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="A new deadline, if any."
    )


def _recorded(serializer_class, view) -> dict:
    """The checked body of a new record: whoever records supervision in no office is
    refused first (a 403, rather than a 400 on a unit or task they cannot see)."""
    if not permissions.runs_supervision(view.request.user):
        raise PermissionDenied("records supervision in no office")
    return _valid(serializer_class, view)


def _valid(serializer_class, view) -> dict:
    data = serializer_class(data=view.request.data, context=view.get_serializer_context())
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# --- viewsets -----------------------------------------------------------------------------


class _Scoped(ActsMixin):
    """A viewset over one selector: the list's serializer for lists, the detail's for
    the rest, default order unless `ordering` is asked for."""

    default_order: tuple[str, ...] = ("pk",)
    list_serializer = None
    detail_serializer = None

    def get_serializer_class(self):
        return self.list_serializer if self.action == "list" else self.detail_serializer

    def get_serializer_context(self):
        return super().get_serializer_context() | {"today": timezone.localdate()}

    def rows(self):
        raise NotImplementedError

    def listing(self, qs):
        return qs

    def details(self, qs):
        return qs

    def get_queryset(self):
        qs = self.rows()
        qs = self.listing(qs) if self.action == "list" else self.details(qs)
        if self.request.query_params.get("ordering"):
            return qs
        return qs.order_by(*self.default_order)

    def _created(self, obj) -> Response:
        fresh = self.details(self.rows()).get(pk=obj.pk)
        serializer = self.detail_serializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_201_CREATED)


_READ = (mixins.ListModelMixin, mixins.RetrieveModelMixin)


class LeaderLinkViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Leader links (挂钩联系): each key task followed by the office director or a deputy.
    Linking a task that already has a leader ends the earlier link."""

    queryset = LeaderLink.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = LinkFilter
    list_serializer = detail_serializer = LeaderLinkSerializer
    act_object = "link"
    default_order = ("task__code", "-linked_at", "pk")

    def rows(self):
        return selectors.links(self.request.user)

    @extend_schema(
        request=LinkWriteSerializer,
        responses={
            201: LeaderLinkSerializer,
            200: OpenApiResponse(
                LeaderLinkSerializer, description="Already linked to this leader: nothing changed."
            ),
            **ERRORS,
        },
    )
    def create(self, request, *args, **kwargs):
        """Link a key task to a leader (office staff)."""
        data = _recorded(LinkWriteSerializer, self)
        before = LeaderLink.objects.filter(task=data["task"], ended_at__isnull=True).first()
        link = services.leader_link_set(by=request.user, **data)
        if before is not None and before.pk == link.pk:
            return Response(self.get_serializer(link).data)
        return self._created(link)

    @extend_schema(
        request=LinkEndSerializer, responses={200: LeaderLinkSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the link: the task is followed by no one until linked again."""
        return self._act(services.leader_link_end, LinkEndSerializer)


class SupervisionMeetingViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Supervision meetings (督查推进专会) with the tasks discussed and their action items."""

    queryset = SupervisionMeeting.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = SupervisionMeetingFilter
    list_serializer = SupervisionMeetingSerializer
    detail_serializer = SupervisionMeetingDetailSerializer
    default_order = ("-held_on", "-pk")

    def rows(self):
        return selectors.supervision_meetings(self.request.user).prefetch_related(
            Prefetch("tasks", queryset=Task.objects.only("pk"))
        )

    def details(self, qs):
        return qs.prefetch_related(
            Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
        )

    @extend_schema(
        request=SupervisionMeetingWriteSerializer,
        responses={201: SupervisionMeetingDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Record a meeting, the tasks it discussed and its action items (office staff)."""
        data = _recorded(SupervisionMeetingWriteSerializer, self)
        actions = _rows(data.pop("actions"))
        meeting = services.supervision_meeting_record(by=request.user, actions=actions, **data)
        return self._created(meeting)


class ReformDocumentViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The registry of reform documents (改革文件), from draft to issued."""

    queryset = ReformDocument.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = DocumentFilter
    list_serializer = detail_serializer = ReformDocumentSerializer
    act_object = "document"
    default_order = ("-year", "pk")

    def rows(self):
        return selectors.documents(self.request.user)

    @extend_schema(
        request=DocumentWriteSerializer, responses={201: ReformDocumentSerializer, **ERRORS}
    )
    def create(self, request, *args, **kwargs):
        """Enter a document in the registry as a draft (office staff)."""
        document = services.document_register(
            by=request.user, **_recorded(DocumentWriteSerializer, self)
        )
        return self._created(document)

    @extend_schema(
        request=DocumentStatusSerializer, responses={200: ReformDocumentSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Move the document on (draft → submitted → reviewed → issued); issuing needs its
        document number (文号) and date."""
        return self._act(services.document_set_status, DocumentStatusSerializer)


class LeadingGroupMeetingViewSet(_Scoped, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Leading-group meetings (领导小组会议): the documents reviewed and the key tasks put
    to collective review (集体会诊)."""

    queryset = LeadingGroupMeeting.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = LeadingGroupMeetingFilter
    list_serializer = LeadingGroupMeetingSerializer
    detail_serializer = LeadingGroupMeetingDetailSerializer
    default_order = ("-year", "-number")

    def rows(self):
        return selectors.leading_group_meetings(self.request.user)

    def listing(self, qs):
        return qs.prefetch_related(
            Prefetch("documents", queryset=ReformDocument.objects.only("pk"))
        )

    def details(self, qs):
        reviews = CollectiveReview.objects.select_related("task").prefetch_related(
            Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
        )
        return qs.prefetch_related(
            Prefetch("documents", queryset=ReformDocument.objects.select_related("drafting_unit")),
            Prefetch("reviews", queryset=reviews),
        )

    @extend_schema(
        request=LeadingGroupMeetingWriteSerializer,
        responses={201: LeadingGroupMeetingDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Record a meeting and the documents it reviewed (office staff); a document in
        draft or submitted becomes reviewed."""
        data = _recorded(LeadingGroupMeetingWriteSerializer, self)
        meeting = services.leading_group_meeting_record(by=request.user, **data)
        return self._created(meeting)

    @extend_schema(
        parameters=[CandidateQuerySerializer],
        responses={200: ReviewCandidateSerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def candidates(self, request):
        """The open key tasks of an office's year most in need of collective review —
        worst rating, most escalated orders, longest without progress — each with its
        reasons, for the office to pick from when preparing a meeting."""
        query = CandidateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        office = Unit.objects.filter(kind="office", pk=wanted["office"]).first()
        if office is None or not scopes_of(request.user).covers(office.path, *permissions.READERS):
            raise Http404
        found = selectors.review_candidates(office, wanted["year"], limit=wanted["limit"])
        return Response(ReviewCandidateSerializer(found, many=True).data)

    @extend_schema(
        request=CollectiveReviewWriteSerializer,
        responses={201: CollectiveReviewSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        """Put a key task to collective review at this meeting, in four parts; each
        required improvement in `actions` becomes an action item (office staff)."""
        meeting = self.get_object()
        data = _valid(CollectiveReviewWriteSerializer, self)
        actions = _rows(data.pop("actions"))
        review = services.collective_review_add(
            meeting=meeting, by=request.user, actions=actions, **data
        )
        fresh = (
            CollectiveReview.objects.select_related("task")
            .prefetch_related(
                Prefetch("action_items", queryset=ActionItem.objects.select_related("unit"))
            )
            .get(pk=review.pk)
        )
        return Response(CollectiveReviewSerializer(fresh).data, status=status.HTTP_201_CREATED)


class _Matters(_Scoped):
    """The acts orders and action items share: the unit answers; an office leader
    accepts or returns the answer awaiting a decision."""

    def _answer(self):
        matter = self.get_object()
        services.answer_submit(
            matter=matter, by=self.request.user, **_valid(AnswerWriteSerializer, self)
        )
        return self._read(matter)

    def _decide(self, service, body):
        matter = self.get_object()
        permissions.require(self.request.user, "decide", matter)
        data = _valid(body, self)
        answer = (
            matter.answers.filter(decision=AnswerDecision.PENDING)
            .order_by("-answered_at", "-pk")
            .first()
        )
        if answer is None:
            raise ConflictError(_("No answer awaits a decision."))
        service(answer=answer, by=self.request.user, **data)
        return self._read(matter)

    def _read(self, matter) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=matter.pk)).data)


ANSWER_DOC = (
    "The responsible unit answers with the report of what was done (JSON only). Evidence "
    "files are uploaded with the answer on its page in the web application, not through "
    "the API. An answer after the deadline is marked late."
)


class SupervisionOrderViewSet(_Matters, *_READ, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Supervision orders (督办单): numbered per year, blue reminder → orange warning →
    red order; an order unanswered at its deadline climbs a level by itself.
    `overdue=true` lists those unanswered past their deadline, `overdue=false` the rest;
    `unit` takes in the units below it."""

    queryset = SupervisionOrder.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = OrderFilter
    list_serializer = SupervisionOrderSerializer
    detail_serializer = SupervisionOrderDetailSerializer
    act_object = "order"
    default_order = ("-year", "-number")

    def rows(self):
        late = Answer.objects.filter(order=OuterRef("pk"), late=True)
        return selectors.orders(self.request.user).annotate(answered_late=Exists(late))

    def details(self, qs):
        return qs.prefetch_related(ANSWERS)

    @extend_schema(
        request=OrderIssueSerializer,
        responses={201: SupervisionOrderDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        """Issue an order on one task or one action item (一事一单) to the unit responsible
        for it (office leaders); the unit and its head are told."""
        order = services.order_issue(by=request.user, **_recorded(OrderIssueSerializer, self))
        return self._created(order)

    @extend_schema(
        request=EscalateSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Raise the order one level by hand, with the reason (office leaders)."""
        return self._act(services.order_escalate, EscalateSerializer)

    @extend_schema(
        request=AnswerWriteSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **CONFLICT},
        description=ANSWER_DOC,
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._answer()

    @extend_schema(
        request=NoteSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the answer awaiting a decision: the order is closed (office leaders)."""
        return self._decide(services.answer_accept, NoteSerializer)

    @extend_schema(
        request=AnswerReturnSerializer,
        responses={200: SupervisionOrderDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return the answer with the reason; the unit answers again (office leaders)."""
        return self._decide(services.answer_return, AnswerReturnSerializer)


class ActionItemViewSet(_Matters, *_READ, viewsets.GenericViewSet):
    """Action items (督办事项) set by supervision meetings and collective reviews,
    tracked like orders until accepted. `year` is the year of the meeting that set
    them; `overdue` and `unit` filter as for orders."""

    queryset = ActionItem.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = ActionItemFilter
    list_serializer = ActionItemSerializer
    detail_serializer = ActionItemDetailSerializer
    act_object = "action_item"
    default_order = ("deadline", "pk")

    def rows(self):
        return selectors.action_items(self.request.user)

    def details(self, qs):
        return qs.prefetch_related(
            ANSWERS, Prefetch("orders", queryset=SupervisionOrder.objects.all())
        )

    @extend_schema(
        request=AnswerWriteSerializer,
        responses={200: ActionItemDetailSerializer, **ERRORS, **CONFLICT},
        description=ANSWER_DOC,
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._answer()

    @extend_schema(
        request=NoteSerializer,
        responses={200: ActionItemDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the answer awaiting a decision: the item is closed (office leaders)."""
        return self._decide(services.answer_accept, NoteSerializer)

    @extend_schema(
        request=AnswerReturnSerializer,
        responses={200: ActionItemDetailSerializer, **ERRORS, **NO_ANSWER},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return the answer with the reason; the unit answers again (office leaders)."""
        return self._decide(services.answer_return, AnswerReturnSerializer)
