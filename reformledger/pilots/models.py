"""Pilots (改革试点), their sub-projects and investment, and grassroots innovations
(基层创新) with the units that adopted them (推广).

A pilot is carried out through ledger tasks; its ratings and closings are those of its
tasks. Its investment figures are always sums of its sub-projects' reports, never typed
on the pilot itself.
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
from reformledger.ledger.models import Period, Task
from reformledger.orgs.models import Person, Unit
from reformledger.pilots.choices import (
    AcceptanceResult,
    InnovationStatus,
    PilotFileKind,
    PilotLevel,
    PilotStatus,
)

_USER = settings.AUTH_USER_MODEL
_MONEY = {"max_digits": 14, "decimal_places": 2}


class Pilot(models.Model):
    """A reform pilot (改革试点) in an office's registry: granted by the state, the
    province or the city, hosted by one unit with helping units, for a pilot period,
    and carried out through ledger tasks. A municipal pilot hosted by a county or zone
    is that county's brand (一县区一品牌)."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=PilotLevel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=PilotStatus.choices, default=PilotStatus.APPLIED
    )
    granting_body = models.CharField(_("granting body"), max_length=200)
    approval_no = models.CharField(_("approval document number"), max_length=100, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    host_unit = models.ForeignKey(
        Unit, verbose_name=_("host unit"), on_delete=models.PROTECT, related_name="hosted_pilots"
    )
    helping_units = models.ManyToManyField(
        Unit, verbose_name=_("helping units"), blank=True, related_name="helped_pilots"
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pilots",
    )
    start = models.DateField(_("pilot period from"))
    end = models.DateField(_("pilot period to"))
    goals = models.TextField(_("goals"))
    brand = models.CharField(
        _("county brand"),
        max_length=100,
        blank=True,
        help_text=_("For a municipal pilot hosted by a county or zone: its brand name."),
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("ledger tasks"), blank=True, related_name="pilots"
    )
    experience = models.TextField(_("experience written up"), blank=True)
    ended_reason = models.TextField(_("reason for ending early"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("reform pilot")
        verbose_name_plural = _("reform pilots")
        ordering = ["office", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="pilot_code_unique"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="pilot_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | ~Q(ended_reason=""), name="pilot_ended_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def status_colour(self) -> str:
        return PilotStatus(self.status).colour

    @property
    def level_colour(self) -> str:
        return PilotLevel(self.level).colour


class MidTermReview(models.Model):
    """A mid-term review (中期评估) of a pilot: who reviewed it, when, and what they found."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.CharField(_("reviewed by"), max_length=200)
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("mid-term review")
        verbose_name_plural = _("mid-term reviews")
        ordering = ["pilot", "reviewed_on", "id"]

    def __str__(self) -> str:
        return f"{self.pilot.code} {self.reviewed_on:%Y-%m-%d}"


class Acceptance(models.Model):
    """The acceptance (验收) of a pilot: the accepting body, date, result, the score and
    the rank both as the body wrote them and as structured fields (e.g. "first in its
    group, third in the eastern region")."""

    pilot = models.OneToOneField(
        Pilot, verbose_name=_("pilot"), on_delete=models.PROTECT, related_name="acceptance"
    )
    accepting_body = models.CharField(_("accepting body"), max_length=200)
    accepted_on = models.DateField(_("accepted on"))
    result = models.CharField(_("result"), max_length=12, choices=AcceptanceResult.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank_text = models.CharField(_("score and rank as written"), max_length=300, blank=True)
    group_rank = models.PositiveSmallIntegerField(_("rank in its group"), null=True, blank=True)
    region = models.CharField(_("region ranked in"), max_length=50, blank=True)
    region_rank = models.PositiveSmallIntegerField(_("rank in the region"), null=True, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [
            models.CheckConstraint(
                condition=~Q(result="conditional") | ~Q(conditions=""),
                name="acceptance_conditions_named",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pilot.code} {self.get_result_display()}"

    @property
    def result_colour(self) -> str:
        return AcceptanceResult(self.result).colour


class SubProject(models.Model):
    """A sub-project (子项目) of a pilot, e.g. one of the water-ecology pilot's 64: its
    host unit and planned investment; completed investment comes in per period."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.PROTECT, related_name="sub_projects"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    host_unit = models.ForeignKey(
        Unit, verbose_name=_("host unit"), on_delete=models.PROTECT, related_name="+"
    )
    planned_investment = models.DecimalField(
        _("planned investment (10,000 yuan)"),
        validators=[MinValueValidator(Decimal("0"))],
        **_MONEY,
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("sub-project")
        verbose_name_plural = _("sub-projects")
        ordering = ["pilot", "code"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "code"], name="sub_project_code_unique"),
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0), name="sub_project_planned_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InvestmentReport(models.Model):
    """Investment completed on a sub-project within one period (本期完成投资), reported by
    its host unit with evidence. One row per sub-project and period: a report filed
    again for the same period replaces the amount (so importing a sheet twice changes
    nothing the second time)."""

    sub_project = models.ForeignKey(
        SubProject,
        verbose_name=_("sub-project"),
        on_delete=models.PROTECT,
        related_name="investment_reports",
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("investment completed in the period (10,000 yuan)"),
        validators=[MinValueValidator(Decimal("0"))],
        **_MONEY,
    )
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("investment report")
        verbose_name_plural = _("investment reports")
        ordering = ["sub_project", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["sub_project", "period"], name="investment_one_per_period"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="investment_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sub_project.code} {self.period}"


def pilot_file_path(instance: "PilotFile", filename: str) -> str:
    # A random name under the pilot's folder: the original name is kept in the row,
    # never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"pilots/{instance.pilot_id}/{uuid.uuid4().hex}{suffix}"


class PilotFile(models.Model):
    """A file kept with a pilot: its approval (批复), a mid-term review, the acceptance
    documents, the experience summary, or evidence of an investment report. Served only
    to users who may see the pilot."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.PROTECT, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PilotFileKind.choices)
    review = models.ForeignKey(
        MidTermReview, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    investment_report = models.ForeignKey(
        InvestmentReport, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=pilot_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("pilot file")
        verbose_name_plural = _("pilot files")
        ordering = ["pilot", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Innovation(models.Model):
    """A grassroots innovation (基层创新) proposed by a county, zone or department: the
    problem, what it did, its results. The office accepts it (and may turn it into a
    municipal pilot or a task), returns it or declines it; a proven one is declared a
    replicable experience (可复制推广经验) with a written summary."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("proposing unit"), on_delete=models.PROTECT, related_name="innovations"
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem addressed"))
    actions = models.TextField(_("what was done"))
    results = models.TextField(_("results"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InnovationStatus.choices,
        default=InnovationStatus.PROPOSED,
    )
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    pilot = models.ForeignKey(
        Pilot,
        verbose_name=_("turned into pilot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="innovations",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("turned into task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="innovations",
    )
    experience = models.TextField(_("experience summary"), blank=True)
    declared_at = models.DateTimeField(_("declared replicable at"), null=True, blank=True)
    proposed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=business_now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("grassroots innovation")
        verbose_name_plural = _("grassroots innovations")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="replicable") | ~Q(experience=""),
                name="innovation_replicable_has_summary",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_colour(self) -> str:
        return InnovationStatus(self.status).colour


def innovation_file_path(instance: "InnovationFile", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"innovations/{instance.innovation_id}/{uuid.uuid4().hex}{suffix}"


class InnovationFile(models.Model):
    """Evidence of a grassroots innovation, or of a unit's adoption of it."""

    innovation = models.ForeignKey(
        Innovation, verbose_name=_("innovation"), on_delete=models.PROTECT, related_name="files"
    )
    adoption = models.ForeignKey(
        "pilots.Adoption", null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=innovation_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("innovation file")
        verbose_name_plural = _("innovation files")
        ordering = ["innovation", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Adoption(models.Model):
    """A unit's adoption (推广) of a replicable experience, with its own result: how far
    an experience has spread."""

    innovation = models.ForeignKey(
        Innovation, verbose_name=_("innovation"), on_delete=models.PROTECT, related_name="adoptions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("adopting unit"), on_delete=models.PROTECT, related_name="adoptions"
    )
    adopted_on = models.DateField(_("adopted on"))
    result = models.TextField(_("result"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["innovation", "adopted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["innovation", "unit"], name="adoption_once_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.innovation} · {self.unit}"
