"""The A–E rating (项目进度ABCDE五级评价): scales as data, and one rating per task per period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.choices import RatingLevel, RatingStatus
from reformledger.ledger.models.periods import Period
from reformledger.ledger.models.tasks import Task
from reformledger.orgs.models import Unit


class RatingScale(models.Model):
    """A rating scale (评价标准) in force for one office's year: its thresholds.

    The grades (letters, names, colours) are `RatingGrade` rows; the engine reads
    the thresholds from here, so an office that grades differently edits data,
    not code. Every rule of DOMAIN step 4 has its number here.
    """

    office = models.ForeignKey(Unit, verbose_name=_("reform office"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100, default="ABCDE")
    on_schedule_max_behind = models.PositiveSmallIntegerField(
        _("on schedule: behind plan by less than (points)"), default=10
    )
    slightly_behind_max_behind = models.PositiveSmallIntegerField(
        _("slightly behind: behind plan by at most (points)"), default=30
    )
    slightly_behind_max_overdue_days = models.PositiveSmallIntegerField(
        _("slightly behind: a milestone overdue by at most (days)"), default=30
    )
    stalled_missing_periods = models.PositiveSmallIntegerField(
        _("stalled: periods without a report"), default=2
    )
    stalled_not_started_days = models.PositiveSmallIntegerField(
        _("stalled: days after the planned start with nothing started"), default=30
    )

    class Meta:
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scales")
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="scale_one_per_office_year"),
            models.CheckConstraint(
                condition=models.Q(
                    slightly_behind_max_behind__gte=models.F("on_schedule_max_behind")
                ),
                name="scale_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class RatingGrade(models.Model):
    """One grade of a scale (评价等级): its letter, name and colour for one engine level."""

    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="grades")
    level = models.CharField(_("meaning"), max_length=20, choices=RatingLevel.choices)
    letter = models.CharField(_("letter"), max_length=4)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#6c757d")

    class Meta:
        verbose_name = _("rating grade")
        verbose_name_plural = _("rating grades")
        ordering = ["scale", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "level"], name="grade_one_per_level"),
            models.UniqueConstraint(fields=["scale", "letter"], name="grade_unique_letter"),
        ]

    def __str__(self) -> str:
        return self.letter


class Rating(models.Model):
    """A task's rating for one period: the engine's suggestion with its reasons, and the
    office leader's decision (confirmed, or overridden with a written reason).

    Both are kept. When the period closes, the rating is frozen with it.
    """

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="ratings")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="ratings")
    suggested = models.ForeignKey(
        RatingGrade, verbose_name=_("suggested"), on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.JSONField(_("reasons"), default=list)
    facts = models.JSONField(_("facts"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    status = models.CharField(
        _("status"), max_length=12, choices=RatingStatus.choices, default=RatingStatus.SUGGESTED
    )
    final = models.ForeignKey(
        RatingGrade,
        verbose_name=_("rating"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_reason = models.TextField(_("reason for override"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["period__start", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "period"], name="rating_one_per_task_period")
        ]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.period.label} · {self.grade}"

    @property
    def grade(self) -> RatingGrade:
        """The rating in force: the decision if there is one, else the suggestion."""
        return self.final if self.final_id else self.suggested
