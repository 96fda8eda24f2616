"""Closing (销账): a task leaves the open ledger only when its results are proven."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_now
from reformledger.ledger.choices import ClosingStatus
from reformledger.ledger.models.tasks import Task


class ClosingRequest(models.Model):
    """A closing request (销账申请): the lead unit's deliverables, signed by its head,
    approved or rejected by an office leader.

    Deliverables: the document number (文号) and date of the result and its files
    (`Evidence` rows pointing here).
    """

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="closings")
    status = models.CharField(
        _("status"), max_length=10, choices=ClosingStatus.choices, default=ClosingStatus.REQUESTED
    )
    summary = models.TextField(_("results"))
    document_no = models.CharField(_("document number"), max_length=100)
    document_date = models.DateField(_("document date"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The day of the act on the ledger's clock (core.clock), like signed_at and decided_at.
    requested_at = models.DateTimeField(_("requested at"), default=business_now, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("closing request")
        verbose_name_plural = _("closing requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(status__in=["requested", "signed"]),
                name="closing_one_pending_per_task",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.document_no}"

    @property
    def status_colour(self) -> str:
        return ClosingStatus(self.status).colour
