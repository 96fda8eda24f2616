"""Serializers of the supervision API: what each list and detail shows, and what each
write accepts (every value checked, a refused one named by its field)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from reformledger.api.fields import ScopedPrimaryKeyField
from reformledger.core.clock import business_today
from reformledger.ledger.models import Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import visible_units
from reformledger.supervision import permissions, services
from reformledger.supervision.api.filters import (
    FIRST_YEAR,
    LAST_YEAR,
)
from reformledger.supervision.choices import (
    DocumentStatus,
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

# --- fields that look rows up among those the user may see --------------------------


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
    received_by = _UserName(
        read_only=True,
        allow_null=True,
        help_text="Who signed for it for the unit (签收人); null until signed for.",
    )
    received_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the unit signed for it (签收时间); it answers only after.",
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
        "received_by",
        "received_at",
        "closed_at",
        "version",
    ]

    def get_overdue(self, matter) -> bool:
        return matter.is_overdue(self.context.get("today") or business_today())


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
