"""Publications (编印): the evaluation report sent to the province (《改革全面评估报告》)
and the two annual compendiums (《惠州改革进行时》, 《改革试点在惠州》).

A publication is one office's document of one year, drawn from the ledger as of a
frozen period (`period`). Its words around the numbers are `Narrative` rows, one
version per edit (never overwritten); its figures and tables are generated each time
and are never stored as text anyone can edit. Each generation that gives a new
document is a `Rendition` (版本): the content it was made from, its hash, the .docx
and the PDF. Asking again with nothing changed gives the same rendition back.
A `GenerationJob` carries a request through the queue with its progress.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_now
from reformledger.ledger.models import Period, Task
from reformledger.orgs.models import Unit
from reformledger.publications.choices import (
    JobStatus,
    PdfStatus,
    PublicationKind,
    PublicationStatus,
)

_USER = settings.AUTH_USER_MODEL


class Publication(models.Model):
    """One office's year-end document of one kind (a report or a compendium)."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=PublicationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    period = models.ForeignKey(
        Period,
        verbose_name=_("figures as of"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_no = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("dated"), null=True, blank=True)
    highlights = models.ManyToManyField(
        Task, verbose_name=_("highlights"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFTING,
    )
    submitted_rendition = models.ForeignKey(
        "Rendition",
        verbose_name=_("version submitted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_no = models.CharField(_("document number submitted"), max_length=100, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=business_now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "kind"], name="publication_one_per_kind_and_year"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_submitted(self) -> bool:
        return self.status == PublicationStatus.SUBMITTED


class Narrative(models.Model):
    """One version of a narrative section (the office's words): the newest version of
    each key is the one a generation uses; earlier versions are kept."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="narratives"
    )
    key = models.CharField(_("section"), max_length=40)
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True)
    written_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("narrative section")
        verbose_name_plural = _("narrative sections")
        ordering = ["publication", "key", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "key", "number"], name="narrative_one_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.number}"


class Rendition(models.Model):
    """One generated version (版本) of a publication: the content it was assembled from
    (figures, tables, chart data and the narrative versions used), its hash, the .docx
    and, once converted, the PDF. Never overwritten: new content is a new rendition."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="renditions"
    )
    number = models.PositiveIntegerField(_("version"))
    period = models.ForeignKey(
        Period, verbose_name=_("figures as of"), on_delete=models.PROTECT, related_name="+"
    )
    content = models.JSONField(_("content"), default=dict)
    content_hash = models.CharField(_("content hash"), max_length=64)
    docx = models.BinaryField(_("Word document"))
    docx_hash = models.CharField(_("Word document hash"), max_length=64)
    docx_size = models.PositiveIntegerField(_("Word document size"), default=0)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    pdf_status = models.CharField(
        _("PDF"), max_length=12, choices=PdfStatus.choices, default=PdfStatus.NONE
    )
    pdf_size = models.PositiveIntegerField(_("PDF size"), default=0)
    pdf_pages = models.PositiveIntegerField(_("pages"), default=0)
    pdf_error = models.TextField(_("PDF error"), blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("generated at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("version of a publication")
        verbose_name_plural = _("versions of publications")
        ordering = ["publication", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "number"], name="rendition_one_per_number"
            ),
            models.UniqueConstraint(
                fields=["publication", "content_hash"], name="rendition_one_per_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication} v{self.number}"


class GenerationJob(models.Model):
    """A request to generate a publication (and its PDF), run on the queue; the page
    polls its progress. It ends with the rendition it made or found unchanged."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="jobs")
    requested_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    make_pdf = models.BooleanField(_("make the PDF"), default=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    step = models.CharField(_("step"), max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(_("per cent done"), default=0)
    rendition = models.ForeignKey(
        Rendition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unchanged = models.BooleanField(_("nothing changed"), default=False)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("generation")
        verbose_name_plural = _("generations")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.publication} · {self.get_status_display()}"

    @property
    def is_working(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
