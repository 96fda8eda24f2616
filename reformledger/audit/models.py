"""The audit trail: one append-only, hash-chained record per act."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("succeeded")
    FAILURE = "failure", _("failed")
    DENIED = "denied", _("refused")


class AuditRecord(models.Model):
    """An audit record (审计记录): who did what to which object, when, from where, and why.

    `obj_*` names the object acted on; `ctx_*` names the object whose history the act
    belongs to (a milestone's change shows in its task's history). Each record's
    `hash` covers its content and the previous record's hash, so an altered or
    removed record breaks the chain. `algorithm` names the hash function of this
    record (SHA-256, or SM3 where the platform has it and RL_AUDIT_HASH asks), so a
    chain stays verifiable across a switch. `at` is stored in UTC.

    The table is append-only in the database itself: triggers refuse UPDATE, DELETE
    (and on PostgreSQL TRUNCATE), see `audit.triggers`.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("user"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    verb = models.CharField(_("act"), max_length=64, db_index=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    obj_type = models.CharField(_("object type"), max_length=64, blank=True)
    obj_id = models.CharField(_("object id"), max_length=64, blank=True)
    obj_repr = models.CharField(_("object"), max_length=255, blank=True)
    ctx_type = models.CharField(max_length=64, blank=True)
    ctx_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(_("hash algorithm"), max_length=8, default="sha256")

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["id"]
        indexes = [models.Index(fields=["ctx_type", "ctx_id", "id"], name="audit_ctx_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.verb} {self.obj_repr}"


class VerifiedHead(models.Model):
    """A verified chain head (已核验链头): the last record of a verification that found
    the chain whole, where the next incremental check (`verify_audit --incremental`)
    starts. It lives in the same database as the trail, so it saves time but proves
    nothing against whoever can rewrite that database: the head kept outside it
    (`audit_head`, `verify_audit --head`) does that."""

    record_id = models.BigIntegerField(_("record"))
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(_("time"))
    records = models.PositiveBigIntegerField(_("records verified"))
    #: The head the check started from; None for a walk of the whole chain.
    since_id = models.BigIntegerField(null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"))
    actor_label = models.CharField(_("user"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("verified chain head")
        verbose_name_plural = _("verified chain heads")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.record_id}:{self.hash}"
