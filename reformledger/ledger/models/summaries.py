"""The counts of a closed period (已关闭报告期汇总), kept so that pages over a whole year
(the dashboard) read a few summary rows instead of every rating and report.

A closed period's ratings and reports never change (every act on them calls
`require_open`), so their counts are written once, when the period closes, by
`ledger.services.summaries.summaries_rebuild`, and rewritten only by the services that
change what they are grouped by (a task's lead unit or area). A period has summary rows
exactly when it has a `PeriodSummary`; a closed period without one (written before the
summaries existed, or by hand) is read from its raw rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.models.periods import Period
from reformledger.ledger.models.ratings import RatingGrade
from reformledger.ledger.models.tasks import ReformArea
from reformledger.orgs.models import Unit


class PeriodSummary(models.Model):
    """The summary of one closed period (报告期汇总): that its counts are kept, when they
    were written, and its totals (what a test or an operator compares with the raw rows)."""

    period = models.OneToOneField(
        Period, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    ratings = models.PositiveIntegerField(_("ratings"))
    reports = models.PositiveIntegerField(_("progress reports"))
    built_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("period summary")
        verbose_name_plural = _("period summaries")

    def __str__(self) -> str:
        return str(self.period_id)


class RatingTally(models.Model):
    """Ratings of a closed period in force with one grade (the decision, else the
    suggestion), for the tasks of one ledger (office, year) and either one lead unit or
    one reform area: the period's ratings counted twice, once by unit, once by area."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    lead_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        ReformArea, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grade = models.ForeignKey(RatingGrade, on_delete=models.CASCADE, related_name="+")
    ratings = models.PositiveIntegerField(_("ratings"))

    class Meta:
        verbose_name = _("rating count")
        verbose_name_plural = _("rating counts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lead_unit__isnull=True, area__isnull=False)
                | models.Q(lead_unit__isnull=False, area__isnull=True),
                name="rating_tally_unit_or_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.lead_unit_id or self.area_id} {self.grade_id}"


class ReportTally(models.Model):
    """Progress reports of a closed period for the tasks of one ledger and lead unit:
    how many, and when the last of them was submitted."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    lead_unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    reports = models.PositiveIntegerField(_("progress reports"))
    last_submitted = models.DateTimeField(_("last submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("report count")
        verbose_name_plural = _("report counts")

    def __str__(self) -> str:
        return f"{self.period_id} {self.lead_unit_id}"
