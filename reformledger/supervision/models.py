"""Supervision (督查督办): leader links, supervision meetings, supervision orders,
action items, reform documents and leading-group meetings with their collective
reviews.

Orders and action items are both *matters* a unit owes an answer on: they share the
fields of `Matter` and are answered through `Answer` rows, so the office decides on
each answer (accept or return) the same way whichever it concerns.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit
from reformledger.supervision.choices import (
    AWAITING,
    AnswerDecision,
    DocumentStatus,
    DraftStatus,
    MatterStatus,
    OrderLevel,
)

_USER = settings.AUTH_USER_MODEL


class LeaderLink(models.Model):
    """A leader link (挂钩联系): an office director or deputy follows one key task.

    A task has at most one leader at a time; a change ends the old link and starts a
    new one, so who followed the task when stays readable.
    """

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="leader_links"
    )
    leader = models.ForeignKey(
        _USER, verbose_name=_("linked leader"), on_delete=models.PROTECT, related_name="+"
    )
    linked_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(_("linked at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("leader link")
        verbose_name_plural = _("leader links")
        ordering = ["task__code", "-linked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(ended_at__isnull=True), name="link_one_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.leader}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class SupervisionMeeting(models.Model):
    """A supervision meeting (督查推进专会): an office meeting on a hard problem, with
    the tasks it discussed and the action items it set."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    attendees = models.TextField(_("attendees"))
    minutes = models.TextField(_("minutes"), blank=True)
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks discussed"), blank=True, related_name="supervision_meetings"
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supervision meeting")
        verbose_name_plural = _("supervision meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class ReformDocument(models.Model):
    """A reform document (改革文件) in the office's registry: drafted by a unit,
    reviewed by the leading group (审议), then issued with its document number (文号)."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    drafting_unit = models.ForeignKey(
        Unit, verbose_name=_("drafting unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    document_no = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reform_documents",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reform document")
        verbose_name_plural = _("reform documents")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="issued") | (~Q(document_no="") & Q(issued_on__isnull=False)),
                name="document_issued_has_number",
            ),
            models.UniqueConstraint(
                fields=["office", "document_no"],
                condition=~Q(document_no=""),
                name="document_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"《{self.title}》"

    @property
    def status_colour(self) -> str:
        return DocumentStatus(self.status).colour


class LeadingGroupMeeting(models.Model):
    """A meeting of the leading group (领导小组会议), numbered within the year: the
    reform documents it reviewed (审议改革文件) and the key tasks it put to
    collective review (集体会诊)."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    held_on = models.DateField(_("date"))
    attendees = models.TextField(_("attendees"))
    summary = models.TextField(_("summary"), blank=True)
    documents = models.ManyToManyField(
        ReformDocument, verbose_name=_("documents reviewed"), blank=True, related_name="meetings"
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("leading group meeting")
        verbose_name_plural = _("leading group meetings")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "number"], name="lg_meeting_number_unique"
            )
        ]

    def __str__(self) -> str:
        return _("Leading group meeting %(number)s of %(year)s") % {
            "number": self.number,
            "year": self.year,
        }


class CollectiveReview(models.Model):
    """A collective review (集体会诊) of one key task at a leading-group meeting, in
    four parts: results affirmed (肯定成绩), problems (指出问题), causes (分析原因)
    and improvements required (督促改进)."""

    meeting = models.ForeignKey(
        LeadingGroupMeeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="collective_reviews"
    )
    reason = models.TextField(_("why it was put to review"), blank=True)
    achievements = models.TextField(_("results affirmed"))
    problems = models.TextField(_("problems"))
    causes = models.TextField(_("causes"))
    improvements = models.TextField(_("improvements required"))

    class Meta:
        verbose_name = _("collective review")
        verbose_name_plural = _("collective reviews")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "task"], name="review_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.task.code}"


class Matter(models.Model):
    """What orders and action items share: a demand on a unit with a deadline, signed
    for by the unit (签收) before it answers, open until the office accepts an answer."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    demand = models.TextField(_("demand"))
    deadline = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MatterStatus.choices,
        default=MatterStatus.OPEN,
        db_index=True,
    )
    closed_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Receipt (签收): the unit's liaison or head acknowledges the matter before
    # answering it. Signed once; escalations and returned answers keep it.
    received_by = models.ForeignKey(
        _USER,
        verbose_name=_("signed for by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True

    @property
    def status_colour(self) -> str:
        return MatterStatus(self.status).colour

    @property
    def is_awaiting(self) -> bool:
        return self.status in AWAITING

    @property
    def is_received(self) -> bool:
        """Signed for (签收) by the unit: only then may it answer."""
        return self.received_at is not None

    def is_overdue(self, today) -> bool:
        """Unanswered past its deadline."""
        return self.is_awaiting and self.deadline < today


class ActionItem(Matter):
    """An action item (督办事项): a demand set by a supervision meeting or by a
    collective review's required improvement, tracked until the office accepts it."""

    meeting = models.ForeignKey(
        SupervisionMeeting,
        verbose_name=_("supervision meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    review = models.ForeignKey(
        CollectiveReview,
        verbose_name=_("collective review"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=True) ^ Q(review__isnull=True),
                name="action_item_one_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.demand[:40]}"


class SupervisionOrder(Matter):
    """A supervision order (督办单): one matter per order (一事一单), numbered per year
    (督办〔2016〕7号), on a task or an action item, with its basis, demand, deadline
    and level — blue reminder, orange warning or red order. The unit signs for it
    (签收) before answering; unanswered at its deadline, it climbs one level with a
    new deadline."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    action_item = models.ForeignKey(
        ActionItem,
        verbose_name=_("action item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    basis = models.TextField(_("basis"))
    level = models.CharField(
        _("level"), max_length=10, choices=OrderLevel.choices, default=OrderLevel.BLUE
    )
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    issued_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    # When the office was told the unit had not signed for it in time: once per order.
    unsigned_notified_at = models.DateTimeField(
        _("office told it was not signed for"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "number"], name="order_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(task__isnull=False) | Q(action_item__isnull=False),
                name="order_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The order's official number, e.g. 督办〔2016〕7号."""
        return f"督办〔{self.year}〕{self.number}号"

    @property
    def level_colour(self) -> str:
        return OrderLevel(self.level).colour


class OrderDraft(models.Model):
    """A supervision order drafted for signature (提请签发): office staff, who do not
    issue orders, draft one on a task or an action item and name the office leader who
    is to sign it. The leader signs it — the order is then issued as drafted, numbered
    next in the year — or returns it with a reason; a returned draft is corrected and
    submitted again, or withdrawn."""

    office = models.ForeignKey(
        Unit, verbose_name=_("reform office"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_drafts",
    )
    action_item = models.ForeignKey(
        ActionItem,
        verbose_name=_("action item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_drafts",
    )
    basis = models.TextField(_("basis"))
    demand = models.TextField(_("demand"))
    deadline = models.DateField(_("answer by"))
    level = models.CharField(
        _("level"), max_length=10, choices=OrderLevel.choices, default=OrderLevel.BLUE
    )
    signer = models.ForeignKey(
        _USER, verbose_name=_("to be signed by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DraftStatus.choices,
        default=DraftStatus.PENDING,
        db_index=True,
    )
    drafted_by = models.ForeignKey(
        _USER, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    order = models.OneToOneField(
        SupervisionOrder,
        verbose_name=_("order issued"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("draft supervision order")
        verbose_name_plural = _("draft supervision orders")
        ordering = ["-drafted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False) | Q(action_item__isnull=False),
                name="order_draft_has_subject",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | Q(order__isnull=False),
                name="order_draft_issued_has_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.demand[:40]}"

    @property
    def unit(self) -> Unit:
        """The unit the order will go to: the action item's, else the task's lead unit."""
        return self.action_item.unit if self.action_item_id else self.task.lead_unit

    @property
    def status_colour(self) -> str:
        return DraftStatus(self.status).colour


class Answer(models.Model):
    """A unit's answer (答复) to an order or an action item: a report and its evidence,
    accepted or returned with a reason by the office."""

    order = models.ForeignKey(
        SupervisionOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    body = models.TextField(_("report"))
    answered_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"))
    late = models.BooleanField(_("late"), default=False)
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=AnswerDecision.choices,
        default=AnswerDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["answered_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=True) ^ Q(action_item__isnull=True),
                name="answer_one_matter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter} · {self.answered_at:%Y-%m-%d}"

    @property
    def matter(self) -> Matter:
        return self.order if self.order_id else self.action_item


def answer_file_path(instance: "AnswerFile", filename: str) -> str:
    # A random name: the original name is kept in the row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"supervision/{instance.answer_id}/{uuid.uuid4().hex}{suffix}"


class AnswerFile(models.Model):
    """An evidence file (佐证材料) of an answer, stored outside the web root and served
    only to those who may see the matter."""

    answer = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("file"), upload_to=answer_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer file")
        verbose_name_plural = _("answer files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
