"""Power and service lists (权责清单 / 服务清单): a jurisdiction's yearly editions of
the powers its departments exercise and the public services they provide.

An edition (`Edition`) is made of departments' parts (`Part`, one per department and
list), each holding its items (`Item`); a power item may have sub-items (子项) under
its main item (主项). While the edition is a draft its parts are imported, reviewed and
corrected; a published edition is frozen and carries its publication document. Two
editions are compared by `catalog.compare`, never by hand.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reformledger.catalog.choices import EditionStatus, ListKind, PartStatus
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit

_USER = settings.AUTH_USER_MODEL

#: The fields of an item of each list, in the order the published sheets give them:
#: what a sheet is read into, what a correction may change, what an import compares.
LIST_FIELDS = {
    ListKind.POWER: (
        "code",
        "name",
        "item_type",
        "basis",
        "body",
        "level",
        "responsibilities",
        "accountability",
        "note",
    ),
    ListKind.SERVICE: (
        "code",
        "name",
        "serves",
        "provides",
        "basis",
        "body",
        "time_limit",
        "fees",
        "contact",
        "note",
    ),
}


class ItemType(models.Model):
    """A type of power (权力类型): 行政许可, 行政处罚, … 其他行政权力; reference data the
    system administrator keeps. `is_approval` marks the types counted as administrative
    approval (行政审批) in the sentence an office writes about an edition."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    aliases = models.CharField(
        _("other names"),
        max_length=200,
        blank=True,
        help_text=_("Other texts a sheet writes for this type, separated by commas."),
    )
    is_approval = models.BooleanField(_("counts as administrative approval"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("power type")
        verbose_name_plural = _("power types")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Edition(models.Model):
    """A year's edition of the lists of a jurisdiction (the city, or a county), kept
    by a reform office; `previous` is the edition it is compared with by default and
    `task` the reform task whose deliverable it is."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        Unit, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous edition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("reform task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="list_editions",
    )
    document_no = models.CharField(_("document number"), max_length=60, blank=True)
    document_title = models.CharField(_("publication document"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        _USER,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        _USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("list edition")
        verbose_name_plural = _("list editions")
        ordering = ["jurisdiction", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="edition_one_per_year"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_on__isnull=False),
                name="edition_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == EditionStatus.DRAFT


class Part(models.Model):
    """A department's part of an edition (部门清单), of one list: imported from the sheet
    the department publishes, or typed, then reviewed by the office."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="parts"
    )
    department = models.ForeignKey(
        Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    list_kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=PartStatus.choices, default=PartStatus.IMPORTED
    )
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_hash = models.CharField(_("file fingerprint"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        _USER,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("department part")
        verbose_name_plural = _("department parts")
        ordering = ["edition", "list_kind", "department__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "department", "list_kind"], name="part_one_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_list_kind_display()}"


class Item(models.Model):
    """One item of a list: a power item (权力事项) with its type, basis, implementing
    body, responsibilities (责任事项) and cases of accountability (追责情形), or a public
    service item (公共服务事项) with whom it serves, what it provides, its time limit,
    fees and contact. A sub-item (子项) points at its main item (主项). The edition,
    department and list are those of its part, kept on the row for searching."""

    part = models.ForeignKey(
        Part, verbose_name=_("department part"), on_delete=models.CASCADE, related_name="items"
    )
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="items"
    )
    department = models.ForeignKey(
        Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    list_kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("main item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_items",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    code = models.CharField(_("item code"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=300)
    item_type = models.ForeignKey(
        ItemType,
        verbose_name=_("type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    basis = models.TextField(_("legal basis"), blank=True)
    body = models.CharField(_("implementing body"), max_length=200, blank=True)
    body_unit = models.ForeignKey(
        Unit,
        verbose_name=_("implementing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("level exercised"), max_length=60, blank=True)
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    accountability = models.TextField(_("cases of accountability"), blank=True)
    serves = models.TextField(_("serves"), blank=True)
    provides = models.TextField(_("what it provides"), blank=True)
    time_limit = models.CharField(_("time limit"), max_length=200, blank=True)
    fees = models.CharField(_("fees"), max_length=300, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    note = models.TextField(_("remarks"), blank=True)
    source_row = models.PositiveIntegerField(_("row in the sheet"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["edition", "list_kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "list_kind", "code"],
                condition=~Q(code=""),
                name="item_code_unique_in_edition",
            )
        ]
        indexes = [
            models.Index(fields=["edition", "list_kind", "position"], name="item_edition_pos"),
            models.Index(fields=["edition", "code"], name="item_edition_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def is_sub_item(self) -> bool:
        return self.parent_id is not None
