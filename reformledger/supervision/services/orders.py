"""Supervision orders (督办单) and the answers to orders and action items: issuing,
escalating (by hand, and the daily run), signing for (签收) and telling the office of
orders left unsigned, answering with evidence, accepting and returning — each act
with its audit record in the same transaction."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.evidence import check_upload, store_checked
from reformledger.ledger.models import Task
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.models import Unit
from reformledger.supervision import permissions
from reformledger.supervision.choices import (
    AWAITING,
    UNSETTLED,
    AnswerDecision,
    MatterStatus,
    OrderLevel,
)
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    AnswerFile,
    Matter,
    SupervisionOrder,
)
from reformledger.supervision.services.common import (
    ORDER_FIELDS,
    _now,
    _office_of,
    _own_task,
    _tell_office,
    _tell_unit,
    _text,
    _today,
    working_days_after,
)

__all__ = [
    "answer_accept",
    "answer_file_open",
    "answer_return",
    "answer_submit",
    "check_order_terms",
    "escalation_days",
    "matter_receive",
    "order_escalate",
    "order_issue",
    "order_subject",
    "orders_escalate",
    "orders_unsigned_notify",
    "receipt_due",
    "working_days_after",
]


# --- supervision orders (督办单) -----------------------------------------------------


def escalation_days(level: str) -> int:
    """Days an order gets to be answered once it has climbed to `level`."""
    days = getattr(settings, "RL_ORDER_ESCALATION_DAYS", {})
    return int(days.get(level, {"orange": 7, "red": 5}.get(level, 7)))


def _order_link(order: SupervisionOrder) -> str:
    return reverse("supervision:order", args=[order.pk])


def order_subject(
    office: Unit, *, task: Task | None, action_item: ActionItem | None
) -> tuple[Unit, Task | None]:
    """The unit an order on `task` or `action_item` (one of them: 一事一单) goes to, and
    the task it counts on; refused when the subject is not the office's."""
    if (task is None) == (action_item is None):
        raise ValidationError(_("An order concerns one task or one action item (一事一单)."))
    if action_item is not None:
        if action_item.office_id != office.pk:
            raise ValidationError({"action_item": _("The action item is not this office's.")})
        return action_item.unit, action_item.task
    _own_task(office, task)
    return task.lead_unit, task


def check_order_terms(*, level: str, deadline: dt.date | None) -> None:
    """An order's level is one of the three, and its deadline is not in the past."""
    if level not in OrderLevel.values:
        raise ValidationError({"level": _("Unknown level.")})
    if deadline is None or deadline < _today():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})


@transaction.atomic
def order_issue(
    *,
    office: Unit,
    by,
    basis: str,
    demand: str,
    deadline: dt.date,
    task: Task | None = None,
    action_item: ActionItem | None = None,
    level: str = OrderLevel.BLUE,
    year: int | None = None,
) -> SupervisionOrder:
    """Issue a supervision order on one task or one action item (一事一单) to the unit
    responsible for it, numbered next in the year; the unit and its head are told."""
    office = _office_of(office)
    permissions.require_office(by, "issue_order", office)
    unit, task_of = order_subject(office, task=task, action_item=action_item)
    check_order_terms(level=level, deadline=deadline)
    year = year or _today().year
    last = (
        SupervisionOrder.objects.select_for_update()
        .filter(office=office, year=year)
        .aggregate(n=Max("number"))["n"]
    )
    order = SupervisionOrder.objects.create(
        office=office,
        unit=unit,
        task=task_of,
        action_item=action_item,
        year=year,
        number=(last or 0) + 1,
        basis=_text(basis, "basis", _("Give the basis of the order.")),
        demand=_text(demand, "demand", _("Say what the unit must do.")),
        deadline=deadline,
        level=level,
        issued_by=by,
        issued_at=_now(),
    )
    audit.record(
        actor=by,
        verb="order.issued",
        obj=order,
        changes={
            "unit": str(unit),
            "level": level,
            "deadline": deadline,
            "task": str(task_of.code) if task_of else None,
        },
    )
    _tell_unit(
        unit,
        key=f"order:{order.pk}:issued",
        title=_("%(label)s: %(level)s, answer by %(date)s")
        % {"label": order.label, "level": order.get_level_display(), "date": deadline},
        body=order.demand,
        link=_order_link(order),
        task=task_of,
    )
    return order


def _climb(
    order: SupervisionOrder, *, by, today: dt.date, deadline: dt.date | None, reason: str
) -> SupervisionOrder:
    before = audit.snapshot(order, ORDER_FIELDS)
    nxt = OrderLevel(order.level).next
    order.level = nxt
    order.deadline = deadline or today + dt.timedelta(days=escalation_days(nxt))
    order.escalations += 1
    order.version += 1
    order.save(update_fields=["level", "deadline", "escalations", "version"])
    audit.record(
        actor=by,
        verb="order.escalated",
        obj=order,
        changes=audit.diff(before, audit.snapshot(order, ORDER_FIELDS)),
        reason=reason,
    )
    _tell_unit(
        order.unit,
        kind=NotificationKind.ORDER_ESCALATED,
        key=f"order:{order.pk}:level:{order.level}",
        title=_("%(label)s escalated to %(level)s: answer by %(date)s")
        % {"label": order.label, "level": order.get_level_display(), "date": order.deadline},
        body=order.demand,
        link=_order_link(order),
        task=order.task,
    )
    return order


@transaction.atomic
def order_escalate(
    *, order: SupervisionOrder, by, reason: str, deadline: dt.date | None = None
) -> SupervisionOrder:
    """An office leader raises an order one level by hand, with a reason."""
    permissions.require(by, "escalate", order)
    order = SupervisionOrder.objects.select_for_update().select_related("unit").get(pk=order.pk)
    if order.status not in AWAITING:
        raise ConflictError(_("Only an order awaiting its answer is escalated."))
    if OrderLevel(order.level).next is None:
        raise ValidationError({"level": _("A red order is already at the highest level.")})
    reason = _text(reason, "reason", _("Say why the order is escalated."))
    today = _today()
    if deadline is not None and deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    return _climb(order, by=by, today=today, deadline=deadline, reason=reason)


def orders_escalate(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily run: every order still awaiting its answer after its deadline climbs
    one level with a new deadline; a red order past its deadline is reported overdue
    to its unit once. Each order in its own transaction, so one failure stops no other.
    Returns {"escalated": n, "overdue": m}."""
    today = today or _today()
    counts = {"escalated": 0, "overdue": 0}
    due = SupervisionOrder.objects.filter(status__in=AWAITING, deadline__lt=today)
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            order = (
                # Lock the order only: its task is a nullable (outer) join, which
                # PostgreSQL refuses to lock.
                SupervisionOrder.objects.select_for_update(of=("self",))
                .select_related("unit", "task")
                .get(pk=pk)
            )
            if order.status not in AWAITING or order.deadline >= today:
                continue
            if OrderLevel(order.level).next is not None:
                _climb(
                    order,
                    by=None,
                    today=today,
                    deadline=None,
                    reason=_("Unanswered at its deadline %(date)s.") % {"date": order.deadline},
                )
                counts["escalated"] += 1
            else:
                sent = _tell_unit(
                    order.unit,
                    key=f"order:{order.pk}:overdue:{order.deadline}",
                    title=_("%(label)s (red) is overdue since %(date)s")
                    % {"label": order.label, "date": order.deadline},
                    body=order.demand,
                    link=_order_link(order),
                    task=order.task,
                )
                counts["overdue"] += bool(sent)
    return counts


# --- receipt (签收): the unit signs for a matter before answering it ----------------


def _locked(matter: Matter) -> Matter:
    return (
        type(matter).objects.select_for_update().select_related("unit", "office").get(pk=matter.pk)
    )


def _matter_kind(matter: Matter) -> str:
    return "order" if isinstance(matter, SupervisionOrder) else "action_item"


@transaction.atomic
def matter_receive(*, matter: Matter, by) -> Matter:
    """The responsible unit's liaison or head signs for an order or an action item
    (签收): who signed and when are kept, and only then may the unit answer. Signed
    once: an escalation or a returned answer keeps the receipt."""
    permissions.require(by, "receive", matter)
    matter = _locked(matter)
    if matter.received_at is not None:
        raise ConflictError(
            _("This was already signed for by %(name)s on %(date)s.")
            % {
                "name": matter.received_by,
                "date": timezone.localtime(matter.received_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    if matter.status not in UNSETTLED:
        raise ConflictError(_("This is already settled: there is nothing to sign for."))
    matter.received_by, matter.received_at = by, _now()
    matter.version += 1
    matter.save(update_fields=["received_by", "received_at", "version"])
    audit.record(
        actor=by,
        verb=f"{_matter_kind(matter)}.received",
        obj=matter,
        changes={"received_by": str(by), "unit": str(matter.unit)},
    )
    return matter


def receipt_days() -> int:
    """Working days a unit has to sign for an order (`RL_ORDER_RECEIPT_DAYS`)."""
    return max(0, int(getattr(settings, "RL_ORDER_RECEIPT_DAYS", 2)))


def receipt_due(order: SupervisionOrder) -> dt.date:
    """The last day the unit may sign for `order` in time: so many working days after
    the day it was issued."""
    return working_days_after(timezone.localdate(order.issued_at), receipt_days())


def _issued_by_end_of(today: dt.date) -> dt.datetime:
    """The moment before which an order must have been issued to be unsigned too long
    on `today`: the start of the day after the last issue day already late."""
    days = receipt_days()
    last = today - dt.timedelta(days=1)
    while working_days_after(last, days) >= today:
        last -= dt.timedelta(days=1)
    start = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start)


def orders_unsigned_notify(*, today: dt.date | None = None) -> int:
    """The daily run: tell the staff of the issuing office of every open order its
    unit has not signed for within `RL_ORDER_RECEIPT_DAYS` working days — once per
    order, ever. Each order in its own transaction. Returns how many orders the
    office was told of."""
    today = today or _today()
    late = SupervisionOrder.objects.filter(
        status=MatterStatus.OPEN,
        received_at__isnull=True,
        unsigned_notified_at__isnull=True,
        issued_at__lt=_issued_by_end_of(today),
    )
    told = 0
    for pk in late.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            order = (
                SupervisionOrder.objects.select_for_update(of=("self",))
                .select_related("unit", "office", "task")
                .get(pk=pk)
            )
            if order.received_at is not None or order.unsigned_notified_at is not None:
                continue
            due = receipt_due(order)
            sent = _tell_office(
                order.office,
                key=f"order:{order.pk}:unsigned",
                title=_("%(label)s: %(unit)s has not signed for it (due by %(date)s)")
                % {"label": order.label, "unit": order.unit, "date": due},
                body=order.demand,
                link=_order_link(order),
                task=order.task,
            )
            if not sent:
                # No one to tell yet: tried again on the next run.
                continue
            order.unsigned_notified_at = _now()
            order.save(update_fields=["unsigned_notified_at"])
            audit.record(
                actor=None,
                verb="order.unsigned_notified",
                obj=order,
                changes={"receipt_due": due},
                reason=_("Not signed for within %(n)s working days.") % {"n": receipt_days()},
            )
            told += 1
    return told


# --- answers: the unit reports, the office accepts or returns ---------------------


@transaction.atomic
def answer_submit(*, matter: Matter, by, body: str, files: Iterable = ()) -> Answer:
    """The responsible unit answers an order or an action item it has signed for with a
    report and its evidence files; an answer after the deadline is marked late."""
    permissions.require(by, "answer", matter)
    matter = _locked(matter)
    if matter.status not in AWAITING:
        raise ConflictError(_("This has already been answered; wait for the office's decision."))
    if matter.received_at is None:
        raise ConflictError(_("This has not been signed for yet: sign for it first, then answer."))
    body = _text(body, "body", _("Write the report of what was done."))
    checked = [(f, check_upload(f)) for f in files]
    now = _now()
    kind = _matter_kind(matter)
    answer = Answer.objects.create(
        body=body,
        answered_by=by,
        answered_at=now,
        late=timezone.localdate(now) > matter.deadline,
        **{kind: matter},
    )
    for upload, info in checked:
        store_checked(
            AnswerFile,
            upload,
            info,
            answer=answer,
        )
    matter.status = MatterStatus.ANSWERED
    matter.version += 1
    matter.save(update_fields=["status", "version"])
    audit.record(
        actor=by,
        verb=f"{kind}.answered",
        obj=answer,
        ctx=matter,
        changes={"late": answer.late, "files": [i.name for _u, i in checked]},
    )
    return answer


def _pending_answer(answer: Answer) -> tuple[Answer, Matter]:
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if answer.decision != AnswerDecision.PENDING:
        raise ConflictError(_("This answer has already been decided."))
    return answer, _locked(answer.matter)


@transaction.atomic
def answer_accept(*, answer: Answer, by, note: str = "") -> Matter:
    """An office leader accepts the answer: the order or action item is closed."""
    permissions.require(by, "decide", answer.matter)
    answer, matter = _pending_answer(answer)
    now = _now()
    answer.decision, answer.decided_by, answer.decided_at = AnswerDecision.ACCEPTED, by, now
    answer.decision_note = note.strip()
    answer.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    matter.status, matter.closed_at = MatterStatus.ACCEPTED, now
    matter.version += 1
    matter.save(update_fields=["status", "closed_at", "version"])
    audit.record(
        actor=by, verb=f"{_matter_kind(matter)}.accepted", obj=answer, ctx=matter, reason=note
    )
    return matter


@transaction.atomic
def answer_return(*, answer: Answer, by, reason: str, deadline: dt.date | None = None) -> Matter:
    """An office leader sends the answer back with a reason; the unit answers again,
    by a new deadline when one is given."""
    permissions.require(by, "decide", answer.matter)
    reason = _text(reason, "reason", _("Say why the answer is returned."))
    answer, matter = _pending_answer(answer)
    if deadline is not None and deadline < _today():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    before = audit.snapshot(matter, ("status", "deadline"))
    answer.decision, answer.decided_by, answer.decided_at = AnswerDecision.RETURNED, by, _now()
    answer.decision_note = reason
    answer.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    matter.status = MatterStatus.RETURNED
    if deadline is not None:
        matter.deadline = deadline
    matter.version += 1
    matter.save(update_fields=["status", "deadline", "version"])
    audit.record(
        actor=by,
        verb=f"{_matter_kind(matter)}.returned",
        obj=answer,
        ctx=matter,
        changes=audit.diff(before, audit.snapshot(matter, ("status", "deadline"))),
        reason=reason,
    )
    _tell_unit(
        matter.unit,
        key=f"{_matter_kind(matter)}:{matter.pk}:returned:{answer.pk}",
        title=_("Your answer was returned: %(reason)s") % {"reason": reason},
        body=reason,
        link=(
            _order_link(matter)
            if isinstance(matter, SupervisionOrder)
            else reverse("supervision:action_item", args=[matter.pk])
        ),
        task=matter.task,
    )
    return matter


def answer_file_open(*, stored: AnswerFile, by):
    """Open an answer's evidence file for download (the caller checked visibility)."""
    audit.record(actor=by, verb="file.downloaded", obj=stored, ctx=stored.answer.matter)
    stored.file.open("rb")
    return stored.file
