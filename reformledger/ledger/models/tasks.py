"""The ledger's spine: reform areas, systems, work programmes and tasks."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.choices import OPEN_STATUSES, DeliverableKind, TaskSource, TaskStatus
from reformledger.orgs.models import Person, Unit


class ReformArea(models.Model):
    """A reform area (改革领域): economy, ecology, culture, society, party building, …"""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("reform area")
        verbose_name_plural = _("reform areas")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ReformSystem(models.Model):
    """A systemic reform (体系化改革) that strings related tasks into one chain (串珠成链)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("reform system")
        verbose_name_plural = _("reform systems")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class WorkProgramme(models.Model):
    """The annual work programme (年度工作要点) of one office, broken into tasks."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    document_no = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("annual work programme")
        verbose_name_plural = _("annual work programmes")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="programme_one_per_office_year")
        ]

    def __str__(self) -> str:
        return self.title


class WorkPoint(models.Model):
    """One point (工作要点) of an annual work programme; tasks are broken out of it.

    A point read from a document keeps its paragraph as written (`text`, the basis
    of the tasks drafted from it), the headings it stood under, the document it came
    from, and the hash by which a second upload of that document finds it again.
    """

    programme = models.ForeignKey(WorkProgramme, on_delete=models.CASCADE, related_name="points")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    heading = models.CharField(_("under the heading"), max_length=300, blank=True)
    document = models.ForeignKey(
        "ledger.ProgrammeDocument",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points",
    )
    #: SHA-256 of the paragraph folded (width, spaces, simplified characters).
    source_hash = models.CharField(_("paragraph hash"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("work point")
        verbose_name_plural = _("work points")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="workpoint_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_list_relations(self):
        """Everything a ledger row shows, joined, so a page costs the same for any length."""
        return self.select_related("area", "system", "lead_unit", "office", "responsible_leader")


class Task(models.Model):
    """A reform task (改革任务): one line of the annual task list (项目清单).

    It belongs to the ledger of one reform office (`office`), is led by one unit
    and helped by others, and moves planning → in progress → closed (销账).
    """

    office = models.ForeignKey(
        Unit,
        verbose_name=_("reform office"),
        on_delete=models.PROTECT,
        related_name="ledger_tasks",
        limit_choices_to={"kind": "office"},
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(
        ReformArea, verbose_name=_("reform area"), on_delete=models.PROTECT, related_name="tasks"
    )
    system = models.ForeignKey(
        ReformSystem,
        verbose_name=_("reform system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    work_point = models.ForeignKey(
        WorkPoint,
        verbose_name=_("work point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    source = models.CharField(
        _("source"), max_length=20, choices=TaskSource.choices, default=TaskSource.OWN
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    helping_units = models.ManyToManyField(
        Unit, verbose_name=_("helping units"), blank=True, related_name="helped_tasks"
    )
    responsible_leader = models.ForeignKey(
        Person,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_tasks",
    )
    is_key = models.BooleanField(_("key task"), default=False, db_index=True)
    deliverable_kind = models.CharField(
        _("deliverable"), max_length=20, choices=DeliverableKind.choices
    )
    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TaskStatus.choices,
        default=TaskStatus.PLANNING,
        db_index=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subtasks",
    )
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        symmetrical=False,
        blank=True,
        related_name="dependents",
    )
    carried_from = models.OneToOneField(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("reform task")
        verbose_name_plural = _("reform tasks")
        ordering = ["year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "code"], name="task_code_unique_in_office_year"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("start_date")),
                name="task_deadline_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["office", "year", "status"], name="task_ledger_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, day: dt.date) -> bool:
        """On the open ledger and past its deadline on `day` (its ledger's reference
        date: `selectors.reference_dates`)."""
        return self.is_open and self.deadline < day

    @property
    def status_colour(self) -> str:
        return TaskStatus(self.status).colour
