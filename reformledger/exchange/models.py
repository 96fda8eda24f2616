"""Import jobs: an uploaded file being read, checked and applied in the background."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One import of a file (导入任务): who sent which file, for what, how far it has
    got, and what came of it (the counts written, or every error found).

    The job is generic: `kind` names the domain's handler (registered in
    `exchange.jobs`), `params` says what the handler needs to know (an office and a
    year, a period…) and `scope` how the pages name it ("惠州市委改革办 · 2016").
    The file itself is kept only until the job has run, then cleared.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        READING = "reading", _("Reading and checking")
        REVIEW = "review", _("Awaiting your check")
        APPLYING = "applying", _("Writing the changes")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField(_("parameters"), default=dict)
    scope = models.CharField(_("for"), max_length=200, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveIntegerField(_("size"), default=0)
    payload = models.BinaryField(_("content"), null=True, editable=False)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveIntegerField(_("rows read"), default=0)
    total = models.PositiveIntegerField(_("rows in the file"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    summary = models.JSONField(_("summary"), default=dict)
    # The preview a clerk checks before anything is written, and the clerk's answers
    # to it (columns, defaults, names resolved); the kind decides what they hold.
    preview = models.JSONField(_("preview"), default=dict)
    decisions = models.JSONField(_("decisions"), default=dict)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Who is working on the job ("host:pid") and when it last said so: a job whose
    # worker is gone is found and ended (exchange.jobs.import_jobs_reap).
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind_label} · {self.file_name}"

    @property
    def kind_label(self) -> str:
        from reformledger.exchange.jobs import kind_of

        kind = kind_of(self.kind)
        return str(kind.label) if kind is not None else self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def is_working(self) -> bool:
        """Reading or writing now (the page polls its progress)."""
        return self.status in (self.Status.QUEUED, self.Status.READING, self.Status.APPLYING)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total:
            return 0
        return min(99, self.progress * 100 // self.total)


class ColumnChoice(models.Model):
    """A clerk's answer to "what does this column hold?" (列的对应), remembered so that the
    next file of the same kind and scope (an office's task lists) needs no answer.

    `header` is the header's text as `parsing.header_key` folds it; `field` is the
    field the column holds, or "" for a column the import leaves out.
    """

    kind = models.CharField(_("kind"), max_length=40)
    scope = models.CharField(_("for"), max_length=100)
    header = models.CharField(_("header"), max_length=200)
    field = models.CharField(_("field"), max_length=40, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(_("chosen at"), auto_now=True)

    class Meta:
        verbose_name = _("column choice")
        verbose_name_plural = _("column choices")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope", "header"], name="column_choice_one_per_header"
            )
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.field or '-'}"
