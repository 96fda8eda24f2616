"""Evaluations (改革评估): comprehensive (全面评估), special (专项评估) and third-party
(第三方评估) evaluations of an office's reforms, their indicator systems (评估指标体系),
teams, self-assessments (自评), scores, findings and recommendations, and the
satisfaction surveys (满意度调查) they draw on.

An evaluation's weighted total is computed from its scores while it is open; the
service that closes it stores the total it closed with (`total_score`), so the
closed figure is the one the office accepted and never recomputed differently.
"""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_now
from reformledger.evaluation.choices import (
    EvaluationFileKind,
    EvaluationKind,
    EvaluationStatus,
    SelfAssessmentStatus,
    TeamKind,
)
from reformledger.ledger.models import Period, ReformArea, Task
from reformledger.orgs.models import Unit
from reformledger.pilots.models import Pilot
from reformledger.supervision.models import ActionItem

_USER = settings.AUTH_USER_MODEL
_WEIGHT = {"max_digits": 5, "decimal_places": 2}
_SCORE = {"max_digits": 6, "decimal_places": 2}


class CriteriaTemplate(models.Model):
    """An indicator-system template (评估指标体系模板): a tree of criteria with weights
    and scoring guides that an evaluation copies and may then adjust — e.g. the OECD
    DAC five criteria or the province's own template."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_builtin = models.BooleanField(_("built in"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("criteria template")
        verbose_name_plural = _("criteria templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TemplateCriterion(models.Model):
    """One criterion (指标) of a template: its place in the tree, weight among its
    siblings (the weights at each level sum to 100), maximum score and scoring guide
    (评分标准)."""

    template = models.ForeignKey(
        CriteriaTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent criterion"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), validators=[MinValueValidator(0)], **_WEIGHT)
    guide = models.TextField(_("scoring guide"), blank=True)
    max_score = models.DecimalField(_("maximum score"), default=Decimal(100), **_SCORE)

    class Meta:
        verbose_name = _("template criterion")
        verbose_name_plural = _("template criteria")
        ordering = ["template", "parent_id", "order", "id"]

    def __str__(self) -> str:
        return self.name


class EvaluationTeam(models.Model):
    """An evaluation team (评估组): the office's own, or an outside organisation's
    (第三方评估机构). An evaluator account belongs to at most one team."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    members = models.ManyToManyField(
        _USER,
        verbose_name=_("members"),
        through="TeamMember",
        related_name="evaluation_teams",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation team")
        verbose_name_plural = _("evaluation teams")
        ordering = ["office", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="evaluation_team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_colour(self) -> str:
        return TeamKind(self.kind).colour


class TeamMember(models.Model):
    """A user's place in an evaluation team (评估组成员). `is_evaluator` is set by the
    service from the user's role: an evaluator's account is in one team only, which a
    partial unique index keeps on SQLite and PostgreSQL alike."""

    team = models.ForeignKey(
        EvaluationTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        _USER, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    is_evaluator = models.BooleanField(_("evaluator account"), default=False)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_evaluator=True), name="evaluator_one_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.user}"


class Evaluation(models.Model):
    """An evaluation (评估) of an office's reforms in one year: its kind, scope (reform
    areas, tasks, pilots), the ledger period it is as of, its indicator system, the team
    that scores it, the units under evaluation that assess themselves (自评), and its
    findings and recommendations."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EvaluationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
        db_index=True,
    )
    description = models.TextField(_("purpose and method"), blank=True)
    period = models.ForeignKey(
        Period,
        verbose_name=_("as of period"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.ForeignKey(
        CriteriaTemplate,
        verbose_name=_("criteria copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        EvaluationTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    areas = models.ManyToManyField(
        ReformArea, verbose_name=_("reform areas"), blank=True, related_name="evaluations"
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks"), blank=True, related_name="evaluations"
    )
    pilots = models.ManyToManyField(
        Pilot, verbose_name=_("pilots"), blank=True, related_name="evaluations"
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("units under evaluation"), blank=True, related_name="evaluations"
    )
    self_assessment_due = models.DateField(_("self-assessment due"), null=True, blank=True)
    due = models.DateField(_("to be closed by"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    return_reason = models.TextField(_("reason it was returned"), blank=True)
    total_score = models.DecimalField(_("total score when closed"), null=True, blank=True, **_SCORE)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["office", "-year", "kind", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(total_score__isnull=False),
                name="evaluation_closed_has_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_colour(self) -> str:
        return EvaluationKind(self.kind).colour

    @property
    def status_colour(self) -> str:
        return EvaluationStatus(self.status).colour

    @property
    def is_closed(self) -> bool:
        return self.status == EvaluationStatus.CLOSED


class Criterion(models.Model):
    """A criterion (评估指标) of one evaluation, copied from a template and adjustable
    until scoring starts: its place in the tree, weight among its siblings (summing to
    100 at each level), maximum score and scoring guide. Only leaves are scored; a
    parent's score is its children's, weighted."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent criterion"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), validators=[MinValueValidator(0)], **_WEIGHT)
    guide = models.TextField(_("scoring guide"), blank=True)
    max_score = models.DecimalField(_("maximum score"), default=Decimal(100), **_SCORE)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["evaluation", "parent_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    """The team's score (评分) of one leaf criterion: the score within [0, maximum], the
    reason and the member who gave it."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.OneToOneField(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="score"
    )
    value = models.DecimalField(_("score"), validators=[MinValueValidator(0)], **_SCORE)
    reason = models.TextField(_("reason"))
    scored_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(_("scored at"), default=business_now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["evaluation", "criterion_id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.value}"


class SelfAssessment(models.Model):
    """A unit's self-assessment (自评) in an evaluation: what it did and achieved, an
    optional self-score per criterion and its evidence, submitted by the unit's liaison."""

    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.CASCADE,
        related_name="self_assessments",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="self_assessments"
    )
    text = models.TextField(_("self-assessment"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SelfAssessmentStatus.choices,
        default=SelfAssessmentStatus.DRAFT,
    )
    written_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=business_now)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["evaluation", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "unit"], name="self_assessment_unique_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.unit}"

    @property
    def status_colour(self) -> str:
        return SelfAssessmentStatus(self.status).colour


class SelfScore(models.Model):
    """A unit's own score of one criterion in its self-assessment (自评分)."""

    self_assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="self_scores",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.DecimalField(_("self-score"), **_SCORE)

    class Meta:
        verbose_name = _("self-score")
        verbose_name_plural = _("self-scores")
        ordering = ["self_assessment", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "criterion"], name="self_score_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.value}"


class Finding(models.Model):
    """A finding (评估发现) of an evaluation with its recommendation (建议), perhaps about
    one unit and one task. A finding of a closed evaluation can be set as an action item
    tracked like an order (督办事项); the annual assessment counts findings that name a
    unit."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="findings"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_findings",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_findings",
    )
    text = models.TextField(_("finding"))
    recommendation = models.TextField(_("recommendation"), blank=True)
    action_item = models.OneToOneField(
        ActionItem,
        verbose_name=_("action item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_finding",
    )
    written_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written at"), default=business_now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["evaluation", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class SurveyResult(models.Model):
    """One line of a satisfaction survey (满意度调查) of an evaluation, imported from
    Excel: the item asked about (a question or a unit), respondents, satisfied count and
    rate. Matched on (evaluation, item), so the same sheet twice changes nothing."""

    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.CASCADE,
        related_name="survey_results",
    )
    item = models.CharField(_("item surveyed"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    respondents = models.PositiveIntegerField(_("respondents"))
    satisfied = models.PositiveIntegerField(_("satisfied"))
    rate = models.DecimalField(_("satisfaction rate (%)"), max_digits=5, decimal_places=2)
    imported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"), default=business_now)

    class Meta:
        verbose_name = _("survey result")
        verbose_name_plural = _("survey results")
        ordering = ["evaluation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="survey_item_unique"),
            models.CheckConstraint(
                condition=Q(satisfied__lte=models.F("respondents")),
                name="survey_satisfied_within_respondents",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.rate}%"


def evaluation_file_path(instance: "EvaluationFile", filename: str) -> str:
    # A random name under the evaluation's folder: the original name is kept in the
    # row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evaluation/{instance.evaluation_id}/{uuid.uuid4().hex}{suffix}"


class EvaluationFile(models.Model):
    """Evidence kept with an evaluation (佐证材料): of a self-assessment, a score or a
    finding. Served only to users who may see the evaluation."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EvaluationFileKind.choices)
    self_assessment = models.ForeignKey(
        SelfAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    score = models.ForeignKey(
        Score, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=evaluation_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("evaluation file")
        verbose_name_plural = _("evaluation files")
        ordering = ["evaluation", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
