"""Leader links, supervision meetings and their action items, the registry of reform
documents, leading-group meetings and their collective reviews: each act with its
audit record in the same transaction."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit
from reformledger.supervision import permissions
from reformledger.supervision.choices import (
    DocumentStatus,
)
from reformledger.supervision.models import (
    ActionItem,
    CollectiveReview,
    LeaderLink,
    LeadingGroupMeeting,
    ReformDocument,
    SupervisionMeeting,
)
from reformledger.supervision.services.common import (
    MEETING_FIELDS,
    _now,
    _office_of,
    _own_task,
    _tell_unit,
    _text,
    _today,
)

__all__ = [
    "ActionRow",
    "action_item_add",
    "collective_review_add",
    "document_register",
    "document_set_status",
    "leader_link_end",
    "leader_link_set",
    "leading_group_meeting_record",
    "supervision_meeting_record",
]


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
