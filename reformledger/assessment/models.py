"""Annual assessment (年度考核): the year's rule set (考核规则) kept as data, the green and
yellow cards (绿黄牌) it gives each assessed unit with every reason linked to its fact,
and the units' appeals (申诉).

A card keeps its rule set and a snapshot of the rules it was computed with, so a later
change of the rules never changes a card; a card changed on appeal is a new card that
replaces the earlier one, which is kept.
"""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from reformledger.assessment.choices import (
    AppealStatus,
    CardColour,
    CardStatus,
    FactKind,
    ReasonKind,
    TriggerKind,
)
from reformledger.core.clock import business_now
from reformledger.evaluation.models import Finding
from reformledger.ledger.models import ClosingRequest, Period, Rating, Task
from reformledger.orgs.models import Unit
from reformledger.pilots.models import Innovation, Pilot
from reformledger.supervision.models import ActionItem, SupervisionOrder

_USER = settings.AUTH_USER_MODEL
_POINTS = {"max_digits": 8, "decimal_places": 2}


class RuleSet(models.Model):
    """The assessment rule set (考核规则) of one office's year: the base score, the
    threshold below which a card is yellow, the days a unit has to appeal, and its
    rules and triggers as rows. Locked once the year's cards are confirmed."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    base_score = models.DecimalField(_("base score"), default=Decimal("100"), **_POINTS)
    threshold = models.DecimalField(_("threshold"), default=Decimal("100"), **_POINTS)
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal"), default=10)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("assessment rule set")
        verbose_name_plural = _("assessment rule sets")
        ordering = ["office", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="rule_set_one_per_year"),
            models.CheckConstraint(condition=Q(appeal_days__gte=1), name="rule_set_appeal_days"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.office}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Rule(models.Model):
    """One scoring rule of a rule set: the points each occurrence of a fact adds (a
    negative number takes points off); for a task's rating, the points of one letter.
    A key task's points are multiplied by the key-task multiplier."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("fact"), max_length=20, choices=FactKind.choices)
    letter = models.CharField(_("rating letter"), max_length=4, blank=True)
    points = models.DecimalField(_("points per occurrence"), **_POINTS)
    key_multiplier = models.DecimalField(
        _("key-task multiplier"), max_digits=4, decimal_places=2, default=Decimal("1")
    )

    class Meta:
        verbose_name = _("assessment rule")
        verbose_name_plural = _("assessment rules")
        ordering = ["rule_set", "kind", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "kind", "letter"], name="rule_unique"),
            models.CheckConstraint(condition=Q(key_multiplier__gte=0), name="rule_multiplier"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.letter}".strip()


class Trigger(models.Model):
    """A yellow-card trigger of a rule set (黄牌情形) with its parameters: the rating
    letters of a key task that give a yellow card, or the days an order may be overdue
    before it does. A disabled trigger gives none."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="triggers"
    )
    kind = models.CharField(_("trigger"), max_length=20, choices=TriggerKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    letters = models.CharField(
        _("rating letters"), max_length=40, blank=True, help_text=_("Separated by commas.")
    )
    min_days = models.PositiveSmallIntegerField(_("overdue by more than (days)"), default=0)

    class Meta:
        verbose_name = _("yellow-card trigger")
        verbose_name_plural = _("yellow-card triggers")
        ordering = ["rule_set", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "kind"], name="trigger_unique"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def letter_list(self) -> list[str]:
        return [x.strip().upper() for x in self.letters.split(",") if x.strip()]


class Card(models.Model):
    """A unit's green or yellow card (绿黄牌) for one office's year: its score, colour and
    reasons, computed from the ledger as of the year's frozen last period under the
    year's rule set (a snapshot of its rules kept on the card). Drafted and reviewed by
    the office, confirmed by an office leader, published to the unit. A card changed
    on appeal is a new version that replaces this one; this one is kept."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("assessed unit"), on_delete=models.PROTECT, related_name="cards"
    )
    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="cards"
    )
    rules = models.JSONField(_("rules used"), default=dict)
    period = models.ForeignKey(
        Period, verbose_name=_("as of period"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), **_POINTS)
    colour = models.CharField(_("card"), max_length=8, choices=CardColour.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=CardStatus.choices, default=CardStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    change_reason = models.TextField(_("reason for the change"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=business_now)
    drafted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment card")
        verbose_name_plural = _("assessment cards")
        ordering = ["office", "-year", "unit__path", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "unit"],
                condition=Q(is_current=True),
                name="card_one_current_per_unit",
            ),
            models.UniqueConstraint(
                fields=["office", "year", "unit", "version"], name="card_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.unit} · {self.get_colour_display()}"

    @property
    def colour_hex(self) -> str:
        return CardColour(self.colour).colour

    @property
    def status_colour(self) -> str:
        return CardStatus(self.status).colour

    @property
    def is_yellow(self) -> bool:
        return self.colour == CardColour.YELLOW


class CardReason(models.Model):
    """One line of a card (考核依据): the points it adds and whether it gives a yellow card,
    in words, linked to the ledger fact that caused it (the task and its rating, the
    order and its deadline, ...)."""

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.CASCADE, related_name="reasons"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ReasonKind.choices)
    points = models.DecimalField(_("points"), **_POINTS)
    triggers_yellow = models.BooleanField(_("gives a yellow card"), default=False)
    trigger = models.CharField(_("trigger"), max_length=20, choices=TriggerKind.choices, blank=True)
    text = models.TextField(_("reason"))
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing = models.ForeignKey(
        ClosingRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervision_order = models.ForeignKey(
        SupervisionOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    innovation = models.ForeignKey(
        Innovation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pilot = models.ForeignKey(
        Pilot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("card reason")
        verbose_name_plural = _("card reasons")
        ordering = ["card", "order", "id"]

    def __str__(self) -> str:
        return self.text

    def fact_url(self) -> str:
        """The page of the fact behind this line ("" for the base score and threshold)."""
        try:
            if self.finding_id:
                url = _finding_url(self.finding)
                if url:
                    return url
            if self.supervision_order_id:
                return reverse("supervision:order", args=[self.supervision_order_id])
            if self.action_item_id:
                return reverse("supervision:action_item", args=[self.action_item_id])
            if self.innovation_id:
                return reverse("pilots:innovation", args=[self.innovation_id])
            if self.pilot_id:
                return reverse("pilots:pilot", args=[self.pilot_id])
            if self.task_id:
                anchor = "#ratings" if self.rating_id else ("#closing" if self.closing_id else "")
                return reverse("ledger:task", args=[self.task_id]) + anchor
        except NoReverseMatch:  # pragma: no cover - every app is mounted
            return ""
        return ""


def _finding_url(finding) -> str:
    """The evaluation page of a finding, or its task's page while evaluations have none."""
    try:
        return reverse("evaluation:detail", args=[finding.evaluation_id]) + "#findings"
    except NoReverseMatch:
        if finding.task_id:
            return reverse("ledger:task", args=[finding.task_id])
        return ""


def appeal_file_path(instance: "AppealFile", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"appeals/{instance.appeal_id}/{uuid.uuid4().hex}{suffix}"


class Appeal(models.Model):
    """A unit's appeal (申诉) against its published card, with the reason and evidence,
    filed within the rule set's days after publication. An office leader upholds the
    card or changes it (a new card version replaces the appealed one), with a reason."""

    card = models.ForeignKey(
        Card, verbose_name=_("card appealed"), on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    submitted_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=business_now, editable=False)
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    new_card = models.OneToOneField(
        Card,
        verbose_name=_("new card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal_source",
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["card"], condition=Q(status="pending"), name="appeal_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(decision_reason=""),
                name="appeal_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card} · {self.submitted_at:%Y-%m-%d}"

    @property
    def status_colour(self) -> str:
        return AppealStatus(self.status).colour


class AppealFile(models.Model):
    """Evidence filed with an appeal: served only to those who may see the appeal."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=appeal_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=business_now, editable=False)

    class Meta:
        verbose_name = _("appeal file")
        verbose_name_plural = _("appeal files")
        ordering = ["appeal", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
