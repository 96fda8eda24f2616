"""Progress reports (进展报告) and evidence files (佐证材料)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_now
from reformledger.ledger.choices import ReportStatus
from reformledger.ledger.models.periods import Period
from reformledger.ledger.models.plans import Milestone
from reformledger.ledger.models.tasks import Task


class ProgressReport(models.Model):
    """A lead unit's progress report (进展报告) on one task for one period.

    Draft → submitted → accepted, or returned with a reason and submitted again.
    A report submitted after its due date is accepted all the same; its lateness
    is recorded in `days_late`.
    """

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    done = models.TextField(_("what was done"))
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    percent = models.PositiveSmallIntegerField(_("percent complete"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    days_late = models.PositiveSmallIntegerField(_("days late"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task", "period__start"]
        constraints = [
            models.UniqueConstraint(fields=["task", "period"], name="report_one_per_task_period"),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="report_percent_0_100"
            ),
        ]
        # The reports waiting for the office or the unit (submitted, returned) are found
        # by their status, not by reading a year of reports.
        indexes = [models.Index(fields=["status", "task"], name="report_status_idx")]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.period.label}"

    @property
    def is_late(self) -> bool:
        return self.days_late > 0

    @property
    def status_colour(self) -> str:
        return ReportStatus(self.status).colour


class ReachedMilestone(models.Model):
    """A milestone a report says was reached (节点完成), on which date."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="reached")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="+")
    reached_on = models.DateField(_("reached on"))

    class Meta:
        verbose_name = _("reached milestone")
        verbose_name_plural = _("reached milestones")
        constraints = [
            models.UniqueConstraint(fields=["report", "milestone"], name="reached_once_per_report")
        ]

    def __str__(self) -> str:
        return f"{self.milestone} @ {self.reached_on}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name under the task's folder: the original name is kept in the
    # row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.task_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """An evidence file (佐证材料) attached to a report or a closing request.

    Stored under MEDIA_ROOT (outside the web root) and served only through a
    view that checks the user may see the task.
    """

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="evidence")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    closing = models.ForeignKey(
        "ledger.ClosingRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Filed with a report or a closing request: on the ledger's clock (core.clock), as
    # their own dates are.
    uploaded_at = models.DateTimeField(_("uploaded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
