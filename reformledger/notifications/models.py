"""Notices (提醒): what the system tells one user, in the app and by e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.notifications.choices import (
    TOPIC_OF_KIND,
    DeliveryStatus,
    MessengerPlatform,
    MessengerTopic,
    NotificationKind,
)
from reformledger.notifications.platforms import mask_secret, mask_url


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


class MessengerRobot(models.Model):
    """A group robot (群机器人) of a unit's WeCom (企业微信) or DingTalk (钉钉) group: the
    notices about the unit are also posted there, as one message per occasion.

    The unit is named by a lazy reference ("orgs.Unit"): the unit tree sits above the
    notices, which never import it. The webhook address carries the robot's key and the
    DingTalk signing secret signs each message; both are secrets, shown only masked
    (`platforms.mask_url`, `platforms.mask_secret`). A robot is never deleted: it is
    switched off, and its deliveries stay.
    """

    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="messenger_robots",
    )
    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=20, choices=MessengerPlatform.choices)
    webhook_url = models.CharField(_("webhook address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    # MessengerTopic values: which notices the robot posts.
    topics = models.JSONField(_("notices it posts"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("messenger robot")
        verbose_name_plural = _("messenger robots")
        ordering = ["unit_id", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def posts(self, kind: str) -> bool:
        """Whether a notice of `kind` goes to this robot."""
        return self.is_active and TOPIC_OF_KIND.get(kind) in self.topics

    @property
    def topic_labels(self) -> list[str]:
        return [label for value, label in MessengerTopic.choices if value in self.topics]

    @property
    def masked_url(self) -> str:
        """The webhook address as pages show it: the key cut to its last characters."""
        return mask_url(self.webhook_url)

    @property
    def masked_secret(self) -> str:
        return mask_secret(self.secret)


class Delivery(models.Model):
    """One message to one robot (群消息投递): the outbox row written with the notice, in
    the same transaction, and sent from the task queue.

    Once per occasion and robot (`key` as the notices', whatever the number of people
    told). A sender claims the row before sending (`claim_token`, `claimed_until`), so
    two senders never both send it; a failed send waits until `next_attempt_at`, up to
    RL_MESSENGER_MAX_ATTEMPTS tries, then the delivery is failed and the office may
    send it again. The words are kept here, as they were when the notice was written.
    """

    robot = models.ForeignKey(
        MessengerRobot,
        verbose_name=_("robot"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    key = models.CharField(_("occasion"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("messenger delivery")
        verbose_name_plural = _("messenger deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["robot", "key"], name="delivery_once_per_robot_key")
        ]
        indexes = [
            # The sweep: pending deliveries whose time came.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_failing(self) -> bool:
        """Failed for good, or waiting to be tried again after a failure."""
        return self.status == DeliveryStatus.FAILED or (
            self.status == DeliveryStatus.PENDING and self.attempts > 0
        )

    @property
    def status_colour(self) -> str:
        return DeliveryStatus(self.status).colour
