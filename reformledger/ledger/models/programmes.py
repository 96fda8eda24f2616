"""The documents a work programme is read from (工作要点文件)."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.models.tasks import WorkProgramme


def document_path(instance: "ProgrammeDocument", filename: str) -> str:
    # A random name under the programme's folder: the original name is kept in the
    # row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"work_points/{instance.programme_id}/{uuid.uuid4().hex}{suffix}"


class ProgrammeDocument(models.Model):
    """A document the year's work points were read from (工作要点 or 任务分解方案), as
    uploaded: the tasks drafted from it link to it through their work point.

    Stored under MEDIA_ROOT (outside the web root) like evidence files, and served
    only to users who may see a task drafted from it.
    """

    programme = models.ForeignKey(WorkProgramme, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200, blank=True)
    document_no = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work programme document")
        verbose_name_plural = _("work programme documents")
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "sha256"], name="programme_document_once")
        ]

    def __str__(self) -> str:
        return self.title or self.original_name
