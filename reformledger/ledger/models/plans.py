"""Implementation plans (施工方案) and their milestones (节点)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.choices import PlanStatus
from reformledger.ledger.models.tasks import Task


class Plan(models.Model):
    """An implementation plan (施工方案) of a task, one revision of it.

    Revision 1 is the first plan. Once approved a plan is never edited: a change is
    a new revision with a reason, which replaces it only when approved, and the
    earlier revision stays readable as superseded.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="plans")
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    summary = models.TextField(_("approach"), blank=True)
    reason = models.TextField(_("reason for revision"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        ordering = ["task", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["task", "revision"], name="plan_unique_revision"),
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status__in=["draft", "submitted", "rejected"]),
                name="plan_one_pending_revision",
            ),
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="approved"), name="plan_one_approved"
            ),
        ]
        # The plans waiting for a decision (a next act) are found by their status, not
        # by reading every plan of the ledger.
        indexes = [models.Index(fields=["status", "task"], name="plan_status_idx")]

    def __str__(self) -> str:
        return _("%(code)s · plan r%(revision)s") % {
            "code": self.task.code,
            "revision": self.revision,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.REJECTED)

    @property
    def status_colour(self) -> str:
        return PlanStatus(self.status).colour


class Milestone(models.Model):
    """A milestone (节点) of a plan: a planned date, a weight and the evidence expected."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("milestone"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    weight = models.PositiveSmallIntegerField(_("weight"))
    is_key = models.BooleanField(_("key milestone"), default=False)
    responsible = models.CharField(_("responsible person"), max_length=100, blank=True)
    expected_evidence = models.CharField(_("expected evidence"), max_length=200, blank=True)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan", "order", "planned_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100), name="milestone_weight_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue_on(self, day: dt.date) -> bool:
        """Not reached by its planned date, on `day` (its ledger's reference date)."""
        return self.reached_on is None and self.planned_date < day
