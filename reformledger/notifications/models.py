"""Notices (提醒): what the system tells one user, in the app and by e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.notifications.choices import NotificationKind


class Notification(models.Model):
    """A notice (提醒通知) to one user: a report or milestone falling due, a closing
    request waiting for them, …

    `key` names the occasion (kind, task, period, milestone or closing request); it is
    unique per recipient, so the same reminder is never sent twice to the same person.
    A notice is shown in the app until read, and e-mailed once when the recipient has
    an address (`emailed_at`).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    key = models.CharField(_("occasion"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The task the notice is about; the notice outlives a task removed from the ledger.
    task = models.ForeignKey(
        "ledger.Task",
        verbose_name=_("reform task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")
        ]
        indexes = [
            # The navbar's unread count and the notices page, on every request.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The staleness page: unread reminders per task, by kind and age.
            models.Index(fields=["task", "kind", "created_at"], name="notification_task_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_colour(self) -> str:
        return NotificationKind(self.kind).colour
