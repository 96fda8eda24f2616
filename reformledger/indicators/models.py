"""Indicators (指标): the figures that prove a reform's results, with yearly targets and
actual values per period, linked to the tasks and pilots they measure.

A ratio indicator (closure rate = closed / total) is computed from two others and never
holds values of its own.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reformledger.core.clock import business_now
from reformledger.indicators.choices import Direction, IndicatorKind, ValueStatus
from reformledger.ledger.models import Period, Task
from reformledger.orgs.models import Unit
from reformledger.pilots.models import Pilot

_USER = settings.AUTH_USER_MODEL
_VALUE = {"max_digits": 18, "decimal_places": 4}


class Indicator(models.Model):
    """A quantitative indicator (指标) of an office: name, unit of measure, which way is
    better, baseline, yearly targets, the owner unit that reports it and where the
    figure comes from. A ratio indicator divides its numerator's value by its
    denominator's, times its scale (100 for a percentage)."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(_("unit of measure"), max_length=30)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.REPORTED
    )
    numerator = models.ForeignKey(
        "self",
        verbose_name=_("numerator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name=_("denominator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scale = models.DecimalField(
        _("scale"),
        max_digits=10,
        decimal_places=2,
        default=1,
        help_text=_("The ratio is multiplied by this: 100 for a percentage."),
    )
    decimals = models.PositiveSmallIntegerField(_("decimal places shown"), default=0)
    baseline = models.DecimalField(_("baseline"), null=True, blank=True, **_VALUE)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="indicators"
    )
    source = models.CharField(_("source of the figure"), max_length=200, blank=True)
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks measured"), blank=True, related_name="indicators"
    )
    pilots = models.ManyToManyField(
        Pilot, verbose_name=_("pilots measured"), blank=True, related_name="indicators"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["office", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="indicator_code_unique"),
            models.CheckConstraint(
                condition=(
                    Q(kind="reported", numerator__isnull=True, denominator__isnull=True)
                    | Q(kind="ratio", numerator__isnull=False, denominator__isnull=False)
                ),
                name="indicator_ratio_has_both_parts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_ratio(self) -> bool:
        return self.kind == IndicatorKind.RATIO


class IndicatorTarget(models.Model):
    """An indicator's target for one year (年度目标)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.DecimalField(_("target"), **_VALUE)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}"


class IndicatorValue(models.Model):
    """The actual value of a reported indicator at the end of a period (实际值), as the
    owner unit reported it, and the office's check: checked, or returned with a reason
    to be reported again."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("value"), **_VALUE)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.REPORTED
    )
    reported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), default=business_now, editable=False)
    checked_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    return_reason = models.TextField(_("reason returned"), blank=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period__start"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="value_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}"

    @property
    def status_colour(self) -> str:
        return ValueStatus(self.status).colour


def value_file_path(instance: "IndicatorFile", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"indicators/{instance.value.indicator_id}/{uuid.uuid4().hex}{suffix}"


class IndicatorFile(models.Model):
    """Evidence of a reported value (佐证材料)."""

    value = models.ForeignKey(
        IndicatorValue, verbose_name=_("value"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=value_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("indicator evidence file")
        verbose_name_plural = _("indicator evidence files")
        ordering = ["value", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
