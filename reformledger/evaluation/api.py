"""The evaluation app's API resources under /api/v1/ (改革评估): evaluations (with their
criteria tree, scores and totals), criteria, scores, self-assessments, findings and
teams (office only). Every list and object starts from the same scoped querysets as
the pages (an evaluation one may not see is a 404), and every write calls the same
service (a refused value is a 400 naming its field, a wrong state a 409)."""

from decimal import Decimal

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reformledger.api.fields import ScopedPrimaryKeyField
from reformledger.api.filters import IdFilter, IntegerFilter
from reformledger.api.mixins import CONFLICT, ERRORS, ActsMixin, NoteSerializer
from reformledger.api.schema import describe_tags
from reformledger.evaluation import permissions, services
from reformledger.evaluation.choices import EvaluationKind, EvaluationStatus, TeamKind
from reformledger.evaluation.models import (
    CriteriaTemplate,
    Criterion,
    Evaluation,
    EvaluationTeam,
    Finding,
    Score,
    SelfAssessment,
    SelfScore,
    TeamMember,
)
from reformledger.evaluation.selectors import _criteria_with_scores, _scores_of, with_totals
from reformledger.ledger.models import ReformArea, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import offices_worked, visible_units
from reformledger.pilots.models import Pilot
from reformledger.pilots.permissions import visible_pilots

NUMERIC = "[0-9]+"

describe_tags(
    {
        "evaluations": "Evaluations (改革评估): comprehensive, special and third-party, with "
        "their life: draft → self-assessment → scoring → review → closed.\n\n"
        "| act | who (others: 403; an evaluation one does not see: 404) |\n| --- | --- |\n"
        "| read | the office, city leaders, the evaluation's team, units under evaluation |\n"
        "| create, adjust criteria, open, return, close | office staff and leaders |\n"
        "| score, write findings, submit | members of the evaluation's team |\n"
        "| self-assess | the liaison or head of a unit under evaluation |\n",
    }
)


# --- read serializers -------------------------------------------------------------------


class _Brief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _TaskBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class EvaluationCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "evaluation", "parent", "order", "name", "weight", "max_score", "guide"]


class EvaluationScoreSerializer(serializers.ModelSerializer):
    scored_by = serializers.CharField(source="scored_by.username", read_only=True)

    class Meta:
        model = Score
        fields = ["id", "evaluation", "criterion", "value", "reason", "scored_by", "scored_at"]


class EvaluationCriterionLine(serializers.Serializer):
    id = serializers.IntegerField(source="criterion.pk")
    parent = serializers.IntegerField(source="criterion.parent_id", allow_null=True)
    name = serializers.CharField(source="criterion.name")
    depth = serializers.IntegerField()
    weight = serializers.DecimalField(source="criterion.weight", max_digits=5, decimal_places=2)
    max_score = serializers.DecimalField(
        source="criterion.max_score", max_digits=6, decimal_places=2
    )
    guide = serializers.CharField(source="criterion.guide")
    is_leaf = serializers.BooleanField()
    score = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    rolled = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="On a 100-point scale."
    )

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_score(self, line):
        return str(line.score.value) if line.score else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, line):
        return line.score.reason if line.score else None


class EvaluationSerializer(serializers.ModelSerializer):
    """An evaluation in a list: kind, year, team, state, total and findings."""

    team = _Brief(allow_null=True)
    total = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The total it closed with, or the total of its scores so far.",
    )
    findings = serializers.IntegerField(source="findings_count", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "office",
            "year",
            "kind",
            "title",
            "status",
            "team",
            "period",
            "total",
            "findings",
            "version",
        ]


class EvaluationSurveySerializer(serializers.Serializer):
    item = serializers.CharField()
    respondents = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=2)


class EvaluationDetailSerializer(EvaluationSerializer):
    """An evaluation with its scope, units and criteria tree with scores (the scores for
    those who read it in full, or once closed)."""

    areas = _Brief(many=True)
    tasks = _TaskBrief(many=True)
    pilots = _Brief(many=True)
    units = _Brief(many=True)
    criteria = serializers.SerializerMethodField()
    survey = serializers.SerializerMethodField()

    class Meta(EvaluationSerializer.Meta):
        fields = [
            *EvaluationSerializer.Meta.fields,
            "description",
            "areas",
            "tasks",
            "pilots",
            "units",
            "self_assessment_due",
            "due",
            "conclusion",
            "closed_at",
            "criteria",
            "survey",
        ]

    @extend_schema_field(EvaluationCriterionLine(many=True))
    def get_criteria(self, evaluation):
        return EvaluationCriterionLine(evaluation.lines, many=True).data

    @extend_schema_field(EvaluationSurveySerializer(many=True))
    def get_survey(self, evaluation):
        return EvaluationSurveySerializer(evaluation.survey, many=True).data


class EvaluationSelfScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelfScore
        fields = ["criterion", "value"]


class SelfAssessmentSerializer(serializers.ModelSerializer):
    unit = _Brief()
    self_scores = EvaluationSelfScoreSerializer(many=True, read_only=True)

    class Meta:
        model = SelfAssessment
        fields = ["id", "evaluation", "unit", "text", "status", "submitted_at", "self_scores"]


class EvaluationFindingSerializer(serializers.ModelSerializer):
    unit = _Brief(allow_null=True)
    task = _TaskBrief(allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "evaluation",
            "unit",
            "task",
            "text",
            "recommendation",
            "action_item",
            "written_at",
        ]


class EvaluationTeamSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    evaluations = serializers.IntegerField(source="evaluation_count", read_only=True)

    class Meta:
        model = EvaluationTeam
        fields = ["id", "office", "name", "kind", "organisation", "members", "evaluations"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_members(self, team):
        return [m.user.username for m in team.memberships.all()]


# --- write serializers -------------------------------------------------------------------


def _offices_seen(user):
    return visible_units(user).filter(kind="office")


class EvaluationCreateSerializer(serializers.Serializer):
    office = ScopedPrimaryKeyField(_offices_seen, queryset=Unit.objects.filter(kind="office"))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=EvaluationKind.choices)
    title = serializers.CharField(max_length=200)
    template = serializers.PrimaryKeyRelatedField(queryset=CriteriaTemplate.objects.all())
    team = ScopedPrimaryKeyField(
        permissions.visible_teams,
        queryset=EvaluationTeam.objects.all(),
        required=False,
        allow_null=True,
    )
    areas = serializers.PrimaryKeyRelatedField(
        queryset=ReformArea.objects.all(), many=True, required=False
    )
    tasks = ScopedPrimaryKeyField(
        visible_tasks, queryset=Task.objects.all(), many=True, required=False
    )
    pilots = ScopedPrimaryKeyField(
        visible_pilots, queryset=Pilot.objects.all(), many=True, required=False
    )
    description = serializers.CharField(required=False, allow_blank=True)


class EvaluationCriterionWrite(serializers.Serializer):
    key = serializers.IntegerField(help_text="The row's number among the rows sent.")
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing criterion's id, to keep it."
    )
    parent = serializers.IntegerField(
        required=False, allow_null=True, help_text="The key of its parent row (none: top level)."
    )
    name = serializers.CharField(max_length=200)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_score = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, default=Decimal(100)
    )
    guide = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationCriteriaWriteSerializer(serializers.Serializer):
    criteria = EvaluationCriterionWrite(many=True)


class EvaluationReturnSerializer(serializers.Serializer):
    reason = serializers.CharField()


class EvaluationCloseSerializer(serializers.Serializer):
    conclusion = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationScoreWriteSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=6, decimal_places=2)
    reason = serializers.CharField()


class SelfAssessmentWriteSerializer(serializers.Serializer):
    evaluation = ScopedPrimaryKeyField(
        permissions.visible_evaluations, queryset=Evaluation.objects.all()
    )
    unit = ScopedPrimaryKeyField(visible_units, queryset=Unit.objects.all())
    text = serializers.CharField()
    self_scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2), required=False
    )
    submit = serializers.BooleanField(required=False, default=False)


class EvaluationFindingWriteSerializer(serializers.Serializer):
    evaluation = ScopedPrimaryKeyField(
        permissions.visible_evaluations, queryset=Evaluation.objects.all()
    )
    text = serializers.CharField()
    recommendation = serializers.CharField(required=False, allow_blank=True, default="")
    unit = ScopedPrimaryKeyField(
        visible_units, queryset=Unit.objects.all(), required=False, allow_null=True
    )
    task = ScopedPrimaryKeyField(
        permissions.scope_tasks_read, queryset=Task.objects.all(), required=False, allow_null=True
    )


class EvaluationTeamWriteSerializer(serializers.Serializer):
    office = ScopedPrimaryKeyField(_offices_seen, queryset=Unit.objects.filter(kind="office"))
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=TeamKind.choices)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- filters ------------------------------------------------------------------------------


class EvaluationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EvaluationKind.choices)
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices)
    year = IntegerFilter()
    office = IdFilter(field_name="office_id")
    team = IdFilter(field_name="team_id")
    q = django_filters.CharFilter(method="search", help_text="Words in the title.")
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("kind", "kind"), ("status", "status"), ("year", "year"))
    )

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())


class EvaluationChildFilter(django_filters.FilterSet):
    evaluation = IdFilter(field_name="evaluation_id")


def _checked(serializer_class, request):
    data = serializer_class(data=request.data, context={"request": request})
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# --- viewsets --------------------------------------------------------------------------------


class EvaluationViewSet(
    ActsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Evaluations the user sees, with their team, state, total and findings; one
    evaluation with its scope, units and criteria tree with its scores."""

    queryset = Evaluation.objects.none()
    lookup_value_regex = NUMERIC
    filterset_class = EvaluationFilter
    act_object = "evaluation"

    def get_serializer_class(self):
        return EvaluationSerializer if self.action == "list" else EvaluationDetailSerializer

    def may(self, act: str, obj) -> bool:
        return permissions.can(self.request.user, act, obj)

    def get_queryset(self):
        qs = (
            permissions.visible_evaluations(self.request.user)
            .select_related("team")
            .annotate(findings_count=Count("findings", distinct=True))
            .prefetch_related(Prefetch("criteria", queryset=_criteria_with_scores()))
        )
        if self.action != "list":
            qs = qs.prefetch_related(
                "areas",
                "pilots",
                "units",
                Prefetch("tasks", queryset=Task.objects.order_by("code")),
                "survey_results",
            )
        if self.request.query_params.get("ordering"):
            return qs
        return qs.order_by("-year", "kind", "title", "id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = with_totals(page)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def _read(self, evaluation_pk: int) -> Response:
        e = self.get_queryset().get(pk=evaluation_pk)
        reads_all = permissions.can(self.request.user, "read_all", e)
        scores = _scores_of(list(e.criteria.all()))
        if not (reads_all or e.is_closed):
            for line in scores.lines:
                line.score, line.rolled = None, None
            scores.total = None
        e.lines = scores.lines
        e.total = e.total_score if e.total_score is not None else scores.total
        e.survey = list(e.survey_results.all()) if reads_all else []
        return Response(self.get_serializer(e).data)

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object().pk)

    @extend_schema(
        request=EvaluationCreateSerializer, responses={201: EvaluationDetailSerializer, **ERRORS}
    )
    def create(self, request, *args, **kwargs):
        """Create an evaluation as a draft with its criteria copied from a template."""
        if not offices_worked(request.user):
            raise PermissionDenied("manages no evaluation")
        data = _checked(EvaluationCreateSerializer, request)
        evaluation = services.evaluation_create(by=request.user, **data)
        response = self._read(evaluation.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _do(self, service, body=None, act="manage"):
        obj = self.get_object()
        self.require(act, obj)
        kwargs = _checked(body, self.request) if body is not None else {}
        service(evaluation=obj, by=self.request.user, **kwargs)
        return self._read(obj.pk)

    @extend_schema(
        request=EvaluationCriteriaWriteSerializer,
        responses={200: EvaluationDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def criteria(self, request, pk=None):
        """Set the whole criteria tree (until scoring starts), an act like the evaluation's
        others; weights sum to 100 at each level, or nothing is written and the level is
        named."""
        obj = self.get_object()
        self.require("manage", obj)
        rows = _checked(EvaluationCriteriaWriteSerializer, request)["criteria"]
        services.criteria_set(
            evaluation=obj,
            by=request.user,
            rows=[services.CriterionRow(**row) for row in rows],
        )
        return self._read(obj.pk)

    @extend_schema(
        request=NoteSerializer, responses={200: EvaluationDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Open a draft to the units' self-assessments."""
        return self._do(services.evaluation_start, NoteSerializer)

    @extend_schema(
        request=NoteSerializer, responses={200: EvaluationDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="open-scoring")
    def open_scoring(self, request, pk=None):
        """Open scoring (the criteria are fixed from then on)."""
        return self._do(services.evaluation_open_scoring, NoteSerializer)

    @extend_schema(
        request=NoteSerializer, responses={200: EvaluationDetailSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The team submits its scores and findings for review."""
        return self._do(services.evaluation_submit, NoteSerializer, act="score")

    @extend_schema(
        request=EvaluationReturnSerializer,
        responses={200: EvaluationDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """The office returns the evaluation to the team with its reason."""
        return self._do(services.evaluation_return, EvaluationReturnSerializer)

    @extend_schema(
        request=EvaluationCloseSerializer,
        responses={200: EvaluationDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The office closes the evaluation with its total."""
        return self._do(services.evaluation_close, EvaluationCloseSerializer)


class CriterionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Criteria of the evaluations the user sees (`?evaluation=`)."""

    queryset = Criterion.objects.none()
    serializer_class = EvaluationCriterionSerializer
    lookup_value_regex = NUMERIC
    filterset_class = EvaluationChildFilter

    def get_queryset(self):
        return Criterion.objects.filter(
            evaluation__in=permissions.visible_evaluations(self.request.user).values("pk")
        ).order_by("evaluation_id", "parent_id", "order", "id")


class ScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scores of the evaluations the user reads in full (`?evaluation=`); a team member
    scores a leaf criterion (POST)."""

    queryset = Score.objects.none()
    serializer_class = EvaluationScoreSerializer
    lookup_value_regex = NUMERIC
    filterset_class = EvaluationChildFilter

    def get_queryset(self):
        return (
            Score.objects.filter(
                evaluation__in=permissions.readable_evaluations(self.request.user).values("pk")
            )
            .select_related("scored_by")
            .order_by("evaluation_id", "criterion_id")
        )

    @extend_schema(
        request=EvaluationScoreWriteSerializer,
        responses={201: EvaluationScoreSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        """Score one leaf criterion within [0, its maximum], with the reason."""
        data = _checked(EvaluationScoreWriteSerializer, request)
        criterion = (
            Criterion.objects.filter(
                pk=data["criterion"],
                evaluation__in=permissions.visible_evaluations(request.user).values("pk"),
            )
            .select_related("evaluation", "evaluation__office")
            .first()
        )
        if criterion is None:
            raise serializers.ValidationError({"criterion": ["No such criterion."]})
        score = services.score_set(
            evaluation=criterion.evaluation,
            criterion=criterion,
            by=request.user,
            value=data["value"],
            reason=data["reason"],
        )
        return Response(EvaluationScoreSerializer(score).data, status=status.HTTP_201_CREATED)


class SelfAssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Self-assessments (自评) the user sees (`?evaluation=`); a unit's liaison writes its
    own (POST; `submit` hands it in)."""

    queryset = SelfAssessment.objects.none()
    serializer_class = SelfAssessmentSerializer
    lookup_value_regex = NUMERIC
    filterset_class = EvaluationChildFilter

    def get_queryset(self):
        return (
            permissions.visible_self_assessments(self.request.user)
            .select_related("unit")
            .prefetch_related("self_scores")
            .order_by("evaluation_id", "unit__path")
        )

    @extend_schema(
        request=SelfAssessmentWriteSerializer,
        responses={201: SelfAssessmentSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        data = _checked(SelfAssessmentWriteSerializer, request)
        sa = services.self_assessment_save(
            evaluation=data["evaluation"],
            unit=data["unit"],
            by=request.user,
            text_=data["text"],
            self_scores=data.get("self_scores") or {},
            submit=data.get("submit", False),
        )
        return Response(
            SelfAssessmentSerializer(self.get_queryset().get(pk=sa.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Findings and recommendations the user sees (`?evaluation=`); the team writes them
    (POST)."""

    queryset = Finding.objects.none()
    serializer_class = EvaluationFindingSerializer
    lookup_value_regex = NUMERIC
    filterset_class = EvaluationChildFilter

    def get_queryset(self):
        return (
            permissions.visible_findings(self.request.user)
            .select_related("unit", "task")
            .order_by("evaluation_id", "id")
        )

    @extend_schema(
        request=EvaluationFindingWriteSerializer,
        responses={201: EvaluationFindingSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request, *args, **kwargs):
        data = _checked(EvaluationFindingWriteSerializer, request)
        finding = services.finding_add(
            evaluation=data["evaluation"],
            by=request.user,
            text_=data["text"],
            recommendation=data["recommendation"],
            unit=data.get("unit"),
            task=data.get("task"),
        )
        return Response(EvaluationFindingSerializer(finding).data, status=status.HTTP_201_CREATED)


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evaluation teams of the offices the user manages (office staff and leaders only)."""

    queryset = EvaluationTeam.objects.none()
    serializer_class = EvaluationTeamSerializer
    lookup_value_regex = NUMERIC

    def get_queryset(self):
        return (
            permissions.visible_teams(self.request.user)
            .annotate(evaluation_count=Count("evaluations", distinct=True))
            .prefetch_related(
                Prefetch("memberships", queryset=TeamMember.objects.select_related("user"))
            )
            .order_by("name", "id")
        )

    @extend_schema(
        request=EvaluationTeamWriteSerializer, responses={201: EvaluationTeamSerializer, **ERRORS}
    )
    def create(self, request, *args, **kwargs):
        if not offices_worked(request.user):
            raise PermissionDenied("manages no evaluation team")
        team = services.team_create(
            by=request.user, **_checked(EvaluationTeamWriteSerializer, request)
        )
        return Response(
            EvaluationTeamSerializer(self.get_queryset().get(pk=team.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def register(router) -> None:
    """Register this app's viewsets on the API router."""
    router.register("evaluations", EvaluationViewSet, basename="evaluation")
    router.register("evaluation-criteria", CriterionViewSet, basename="evaluation-criterion")
    router.register("evaluation-scores", ScoreViewSet, basename="evaluation-score")
    router.register("self-assessments", SelfAssessmentViewSet, basename="self-assessment")
    router.register("evaluation-findings", FindingViewSet, basename="evaluation-finding")
    router.register("evaluation-teams", TeamViewSet, basename="evaluation-team")
