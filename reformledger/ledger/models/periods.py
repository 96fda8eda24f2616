"""Reporting periods (报告期) and the per-year settings of the work cycle."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.choices import PeriodStatus
from reformledger.orgs.models import Unit


class CycleSettings(models.Model):
    """How an office runs its cycle in a year (年度工作周期设置): period length, due day.

    Without a row, the defaults apply: monthly periods, reports due 5 days after
    a period ends.
    """

    office = models.ForeignKey(Unit, verbose_name=_("reform office"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    months_per_period = models.PositiveSmallIntegerField(
        _("months per period"), default=1, help_text=_("1 = monthly, 3 = quarterly")
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("days after the period ends that reports are due"), default=5
    )

    class Meta:
        verbose_name = _("cycle settings")
        verbose_name_plural = _("cycle settings")
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="cycle_one_per_office_year"),
            models.CheckConstraint(
                condition=models.Q(months_per_period__in=[1, 2, 3, 4, 6, 12]),
                name="cycle_period_divides_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}"


class Period(models.Model):
    """A reporting and rating period (报告期) of one office's ledger, e.g. 2016-03.

    While open, reports are filed and ratings decided; closing it freezes its
    ratings, and the ledger can then be shown as of this period.
    """

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    report_due = models.DateField(_("reports due"))
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["office", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "number"], name="period_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """`2016-03` for a monthly period, `2016-03/05` for longer ones (start and end month)."""
        if self.start.month == self.end.month:
            return f"{self.year}-{self.start.month:02d}"
        return f"{self.year}-{self.start.month:02d}/{self.end.month:02d}"

    @property
    def is_frozen(self) -> bool:
        return self.status == PeriodStatus.CLOSED
