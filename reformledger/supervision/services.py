"""Every change of supervision state (督查督办), one function per act, each writing its
audit record in the same transaction.

Orders and action items are *matters*: the unit answers (`answer_submit`), the
office accepts (`answer_accept`) or returns (`answer_return`) the answer. An order
unanswered at its deadline climbs one level with a new deadline (`orders_escalate`,
run daily by the task queue) and its unit and head are told.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.evidence import check_upload
from reformledger.ledger.models import Task
from reformledger.notifications import services as notices
from reformledger.notifications.choices import NotificationKind
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit
from reformledger.supervision import permissions
from reformledger.supervision.choices import (
    AWAITING,
    AnswerDecision,
    DocumentStatus,
    MatterStatus,
    OrderLevel,
)
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    AnswerFile,
    CollectiveReview,
    LeaderLink,
    LeadingGroupMeeting,
    Matter,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)

__all__ = [
    "ActionRow",
    "action_item_add",
    "answer_accept",
    "answer_return",
    "answer_submit",
    "collective_review_add",
    "document_register",
    "document_set_status",
    "leader_link_end",
    "leader_link_set",
    "leading_group_meeting_record",
    "order_escalate",
    "order_issue",
    "orders_escalate",
    "supervision_meeting_record",
]

MEETING_FIELDS = ("held_on", "topic", "attendees", "minutes", "tasks")
ORDER_FIELDS = ("level", "deadline", "status", "escalations")


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _office_of(office: Unit) -> Unit:
    if office.kind != "office":
        raise ValidationError({"office": _("Supervision work belongs to a reform office.")})
    return office


def _own_task(office: Unit, task: Task | None, field: str = "task") -> None:
    if task is not None and task.office_id != office.pk:
        raise ValidationError(
            {field: _("The task %(code)s is not on this office's ledger.") % {"code": task.code}}
        )


# --- leader links (挂钩联系) ------------------------------------------------------


@transaction.atomic
def leader_link_set(*, task: Task, leader, by) -> LeaderLink:
    """Link a key task to an office director or deputy, ending any earlier link."""
    permissions.require_office(by, "record", task.office)
    if not task.is_key:
        raise ValidationError({"task": _("Only key tasks are linked to a leader.")})
    if not permissions.is_office_leader(leader, task.office):
        raise ValidationError(
            {"leader": _("%(name)s is not a director or deputy of this office.") % {"name": leader}}
        )
    current = LeaderLink.objects.select_for_update().filter(task=task, ended_at__isnull=True)
    current = current.first()
    if current is not None and current.leader_id == leader.pk:
        return current
    now = _now()
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    link = LeaderLink.objects.create(task=task, leader=leader, linked_by=by, linked_at=now)
    audit.record(
        actor=by,
        verb="link.set",
        obj=link,
        ctx=task,
        changes={"leader": [str(current.leader) if current else None, str(leader)]},
    )
    return link


@transaction.atomic
def leader_link_end(*, link: LeaderLink, by, reason: str = "") -> LeaderLink:
    """End a leader link; the task is then followed by no one until linked again."""
    permissions.require_office(by, "record", link.task.office)
    link = LeaderLink.objects.select_for_update().get(pk=link.pk)
    if link.ended_at is not None:
        raise ConflictError(_("This link has already ended."))
    link.ended_at = _now()
    link.save(update_fields=["ended_at"])
    audit.record(actor=by, verb="link.ended", obj=link, ctx=link.task, reason=reason)
    return link


# --- supervision meetings (督查推进专会) and action items ----------------------------


@dataclass(frozen=True)
class ActionRow:
    """One action item to set: the unit responsible, what it must do, by when."""

    unit: Unit
    demand: str
    deadline: dt.date
    task: Task | None = None


def _check_rows(office: Unit, rows: Sequence[ActionRow], today: dt.date) -> None:
    for n, row in enumerate(rows, start=1):
        where = _("Action item %(n)s") % {"n": n}
        if not (row.demand or "").strip():
            raise ValidationError({"actions": f"{where}: " + _("say what the unit must do.")})
        if row.deadline is None:
            raise ValidationError({"actions": f"{where}: " + _("give a deadline.")})
        _own_task(office, row.task, "actions")


def _add_items(rows: Sequence[ActionRow], by, **source) -> list[ActionItem]:
    office = (source.get("meeting") or source["review"].meeting).office
    items = []
    for row in rows:
        item = ActionItem.objects.create(
            office=office,
            unit=row.unit,
            task=row.task,
            demand=row.demand.strip(),
            deadline=row.deadline,
            created_by=by,
            **source,
        )
        audit.record(
            actor=by,
            verb="action_item.set",
            obj=item,
            changes={"unit": str(row.unit), "deadline": row.deadline, "demand": item.demand},
        )
        _tell_unit(
            item.unit,
            key=f"action_item:{item.pk}:set",
            title=_("Action item for %(unit)s, due %(date)s")
            % {"unit": item.unit, "date": item.deadline},
            body=item.demand,
            link=reverse("supervision:action_item", args=[item.pk]),
            task=item.task,
        )
        items.append(item)
    return items


@transaction.atomic
def supervision_meeting_record(
    *,
    office: Unit,
    by,
    held_on: dt.date,
    topic: str,
    attendees: str,
    minutes: str = "",
    tasks: Iterable[Task] = (),
    actions: Sequence[ActionRow] = (),
) -> SupervisionMeeting:
    """Record a supervision meeting with the tasks it discussed and its action items."""
    office = _office_of(office)
    permissions.require_office(by, "record", office)
    tasks = list(tasks)
    for task in tasks:
        _own_task(office, task, "tasks")
    _check_rows(office, actions, _today())
    meeting = SupervisionMeeting.objects.create(
        office=office,
        held_on=held_on,
        topic=_text(topic, "topic", _("Give the meeting's topic.")),
        attendees=_text(attendees, "attendees", _("List who attended.")),
        minutes=minutes.strip(),
        created_by=by,
    )
    meeting.tasks.set(tasks)
    audit.record(
        actor=by,
        verb="supervision_meeting.recorded",
        obj=meeting,
        changes=audit.snapshot(meeting, MEETING_FIELDS),
    )
    _add_items(actions, by, meeting=meeting)
    return meeting


@transaction.atomic
def action_item_add(
    *,
    by,
    unit: Unit,
    demand: str,
    deadline: dt.date,
    meeting: SupervisionMeeting | None = None,
    review: CollectiveReview | None = None,
    task: Task | None = None,
) -> ActionItem:
    """Set one more action item on a supervision meeting or a collective review."""
    if (meeting is None) == (review is None):
        raise ValidationError(_("An action item comes from one meeting or one review."))
    office = meeting.office if meeting else review.meeting.office
    permissions.require_office(by, "record", office)
    row = ActionRow(unit=unit, demand=demand, deadline=deadline, task=task)
    _check_rows(office, [row], _today())
    source = {"meeting": meeting} if meeting else {"review": review}
    if review is not None and task is None:
        row = ActionRow(unit=unit, demand=demand, deadline=deadline, task=review.task)
    return _add_items([row], by, **source)[0]


# --- reform documents and leading-group meetings (领导小组会议) ---------------------


@transaction.atomic
def document_register(
    *,
    office: Unit,
    by,
    year: int,
    title: str,
    drafting_unit: Unit,
    task: Task | None = None,
) -> ReformDocument:
    """Enter a reform document in the office's registry as a draft."""
    office = _office_of(office)
    permissions.require_office(by, "record", office)
    _own_task(office, task)
    doc = ReformDocument.objects.create(
        office=office,
        year=year,
        title=_text(title, "title", _("Give the document's title.")).strip("《》"),
        drafting_unit=drafting_unit,
        task=task,
    )
    audit.record(
        actor=by,
        verb="document.registered",
        obj=doc,
        changes={"title": doc.title, "drafting_unit": str(drafting_unit), "year": year},
    )
    return doc


_DOCUMENT_ORDER = list(DocumentStatus.values)


@transaction.atomic
def document_set_status(
    *,
    document: ReformDocument,
    by,
    status: str,
    document_no: str = "",
    issued_on: dt.date | None = None,
) -> ReformDocument:
    """Move a document along draft → submitted → reviewed → issued; issuing needs its
    document number (文号) and date."""
    permissions.require_office(by, "record", document.office)
    document = ReformDocument.objects.select_for_update().get(pk=document.pk)
    if status not in _DOCUMENT_ORDER:
        raise ValidationError({"status": _("Unknown document status.")})
    if _DOCUMENT_ORDER.index(status) < _DOCUMENT_ORDER.index(document.status):
        raise ValidationError({"status": _("A document does not go back to an earlier status.")})
    before = audit.snapshot(document, ("status", "document_no", "issued_on"))
    document.status = status
    if status == DocumentStatus.ISSUED:
        document.document_no = _text(
            document_no, "document_no", _("An issued document needs its document number.")
        )
        if issued_on is None:
            raise ValidationError({"issued_on": _("An issued document needs its date of issue.")})
        document.issued_on = issued_on
        taken = ReformDocument.objects.filter(
            office=document.office, document_no=document.document_no
        ).exclude(pk=document.pk)
        if taken.exists():
            raise ValidationError(
                {"document_no": _("The number %(no)s is already used.") % {"no": document_no}}
            )
    document.save(update_fields=["status", "document_no", "issued_on"])
    after = audit.snapshot(document, ("status", "document_no", "issued_on"))
    audit.record(actor=by, verb="document.status", obj=document, changes=audit.diff(before, after))
    return document


@transaction.atomic
def leading_group_meeting_record(
    *,
    office: Unit,
    by,
    year: int,
    held_on: dt.date,
    attendees: str,
    summary: str = "",
    documents: Iterable[ReformDocument] = (),
    number: int | None = None,
) -> LeadingGroupMeeting:
    """Record a leading-group meeting (numbered within the year, next number by
    default) and the reform documents it reviewed; a document in draft or submitted
    becomes reviewed."""
    office = _office_of(office)
    permissions.require_office(by, "record", office)
    documents = list(documents)
    for doc in documents:
        if doc.office_id != office.pk:
            raise ValidationError(
                {"documents": _("%(doc)s is not in this office's registry.") % {"doc": doc}}
            )
    taken = LeadingGroupMeeting.objects.select_for_update().filter(office=office, year=year)
    if number is None:
        number = (taken.aggregate(n=Max("number"))["n"] or 0) + 1
    elif taken.filter(number=number).exists():
        raise ValidationError(
            {
                "number": _("Meeting %(n)s of %(year)s is already recorded.")
                % {"n": number, "year": year}
            }
        )
    meeting = LeadingGroupMeeting.objects.create(
        office=office,
        year=year,
        number=number,
        held_on=held_on,
        attendees=_text(attendees, "attendees", _("List who attended.")),
        summary=summary.strip(),
        created_by=by,
    )
    meeting.documents.set(documents)
    audit.record(
        actor=by,
        verb="leading_group_meeting.recorded",
        obj=meeting,
        changes=audit.snapshot(meeting, ("number", "held_on", "attendees", "documents")),
    )
    for doc in documents:
        if doc.status in (DocumentStatus.DRAFT, DocumentStatus.SUBMITTED):
            document_set_status(document=doc, by=by, status=DocumentStatus.REVIEWED)
    return meeting


@transaction.atomic
def collective_review_add(
    *,
    meeting: LeadingGroupMeeting,
    by,
    task: Task,
    achievements: str,
    problems: str,
    causes: str,
    improvements: str,
    reason: str = "",
    actions: Sequence[ActionRow] = (),
) -> CollectiveReview:
    """Put a key task to collective review (集体会诊) at a meeting, in four parts; each
    required improvement in `actions` becomes an action item tracked like an order."""
    permissions.require_office(by, "record", meeting.office)
    _own_task(meeting.office, task)
    if not task.is_key:
        raise ValidationError({"task": _("Only key tasks are put to collective review.")})
    if CollectiveReview.objects.filter(meeting=meeting, task=task).exists():
        raise ValidationError(
            {"task": _("%(code)s is already reviewed at this meeting.") % {"code": task.code}}
        )
    _check_rows(meeting.office, actions, _today())
    review = CollectiveReview.objects.create(
        meeting=meeting,
        task=task,
        reason=reason.strip(),
        achievements=_text(achievements, "achievements", _("Say which results are affirmed.")),
        problems=_text(problems, "problems", _("Name the problems.")),
        causes=_text(causes, "causes", _("Analyse the causes.")),
        improvements=_text(improvements, "improvements", _("Say what must improve.")),
    )
    audit.record(
        actor=by,
        verb="review.recorded",
        obj=review,
        ctx=meeting,
        changes=audit.snapshot(
            review, ("task", "achievements", "problems", "causes", "improvements")
        ),
    )
    rows = [r if r.task else ActionRow(r.unit, r.demand, r.deadline, task) for r in actions]
    _add_items(rows, by, review=review)
    return review


# --- supervision orders (督办单) -----------------------------------------------------


def escalation_days(level: str) -> int:
    """Days an order gets to be answered once it has climbed to `level`."""
    days = getattr(settings, "RL_ORDER_ESCALATION_DAYS", {})
    return int(days.get(level, {"orange": 7, "red": 5}.get(level, 7)))


def _people_of(unit: Unit) -> list:
    """The unit's liaisons and head: who is told of its orders and items."""
    rows = Membership.objects.filter(
        unit=unit, is_active=True, role__in=(Role.UNIT_REPORTER, Role.UNIT_HEAD)
    ).select_related("user")
    return [m.user for m in rows if m.user.is_active]


def _tell_unit(unit: Unit, *, key: str, title: str, body: str, link: str, task=None) -> int:
    sent = 0
    for user in _people_of(unit):
        notice = notices.notify(
            recipient=user,
            kind=NotificationKind.NOTICE,
            key=key,
            title=title,
            body=body,
            link=link,
            task=task,
        )
        sent += notice is not None
    return sent


def _order_link(order: SupervisionOrder) -> str:
    return reverse("supervision:order", args=[order.pk])


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
    if (task is None) == (action_item is None):
        raise ValidationError(_("An order concerns one task or one action item (一事一单)."))
    if action_item is not None:
        if action_item.office_id != office.pk:
            raise ValidationError({"action_item": _("The action item is not this office's.")})
        unit, task_of = action_item.unit, action_item.task
    else:
        _own_task(office, task)
        unit, task_of = task.lead_unit, task
    if level not in OrderLevel.values:
        raise ValidationError({"level": _("Unknown level.")})
    today = _today()
    if deadline is None or deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    year = year or today.year
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


# --- answers: the unit reports, the office accepts or returns ---------------------


def _locked(matter: Matter) -> Matter:
    return (
        type(matter).objects.select_for_update().select_related("unit", "office").get(pk=matter.pk)
    )


def _matter_kind(matter: Matter) -> str:
    return "order" if isinstance(matter, SupervisionOrder) else "action_item"


@transaction.atomic
def answer_submit(*, matter: Matter, by, body: str, files: Iterable = ()) -> Answer:
    """The responsible unit answers an order or an action item with a report and its
    evidence files; an answer after the deadline is marked late."""
    permissions.require(by, "answer", matter)
    matter = _locked(matter)
    if matter.status not in AWAITING:
        raise ConflictError(_("This has already been answered; wait for the office's decision."))
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
        upload.seek(0)
        stored = AnswerFile(
            answer=answer,
            original_name=info.name,
            size=info.size,
            content_type=info.content_type,
            sha256=info.sha256,
        )
        stored.file.save(info.name, ContentFile(upload.read()), save=False)
        stored.save()
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
