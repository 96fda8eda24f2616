"""Closing (销账: 完成一项销账一项), reopening and the year-end carry-over (结转).

The lead unit files a closing request with its deliverables (document number,
date, files); the unit head signs it; an office leader approves it and the task
leaves the open ledger — or rejects it with the reason and the unit may ask
again. Each act locks its row and refuses a repeat, so the same request approved
from two browser tabs is approved once. Every act is audited on the task.

Each act locks the task's row first, then the request's, and refuses a repeat before
anything else; then a closed task refuses it (`TaskClosedError`): reopening is the one
act a closed task takes.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now, business_today
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import permissions
from reformledger.ledger.choices import OPEN_STATUSES, ClosingStatus, TaskStatus
from reformledger.ledger.evidence import check_upload
from reformledger.ledger.models import ClosingRequest, Task
from reformledger.ledger.selectors.closing import proofs_of
from reformledger.ledger.services.reports import evidence_add
from reformledger.ledger.services.tasks import TaskClosedError, lock_task, require_not_closed
from reformledger.orgs.models import Unit

__all__ = [
    "PENDING_CLOSING",
    "closing_approve",
    "closing_reject",
    "closing_request",
    "closing_sign",
    "closing_withdraw",
    "task_reopen",
    "year_carry_over",
]

#: A request not yet decided: awaiting the head's signature or the office's approval.
PENDING_CLOSING = (ClosingStatus.REQUESTED, ClosingStatus.SIGNED)
#: Only a task being worked on is closed (a task still in planning has nothing to prove).
CLOSABLE = (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)


@transaction.atomic
def closing_request(
    *,
    task: Task,
    by,
    summary: str,
    document_no: str,
    document_date: dt.date | None,
    files: Iterable[File],
) -> ClosingRequest:
    """File a closing request (销账申请) with its deliverables: what was achieved, the
    document number (文号) and date of the result, and at least one evidence file.

    Everything is checked before anything is written: a missing deliverable or a
    refused file names its field and nothing is stored.
    """
    permissions.require(by, "request_closing", task)
    require_not_closed(task)
    files = list(files)
    errors: dict[str, list[str]] = {}
    if not (summary or "").strip():
        errors.setdefault("summary", []).append(_("Say what the task achieved."))
    if not (document_no or "").strip():
        errors.setdefault("document_no", []).append(
            _("Give the document number (文号) of the result.")
        )
    elif len(document_no.strip()) > 100:
        errors.setdefault("document_no", []).append(
            _("A document number is at most 100 characters.")
        )
    if document_date is None:
        errors.setdefault("document_date", []).append(_("Give the date of the document."))
    elif document_date > business_today():
        errors.setdefault("document_date", []).append(
            _("The document date %(date)s is in the future.") % {"date": document_date.isoformat()}
        )
    if not files:
        errors.setdefault("files", []).append(
            _("Attach at least one evidence file (the document or other proof).")
        )
    for upload in files:
        try:
            check_upload(upload)
        except ValidationError as exc:
            errors.setdefault("files", []).extend(exc.message_dict["file"])
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("office", "lead_unit")
        .get(pk=task.pk)
    )
    if task.status not in CLOSABLE:
        errors.setdefault("task", []).append(
            _("Only a task in progress or blocked can be closed (this one is %(status)s).")
            % {"status": task.get_status_display()}
        )
    if errors:
        raise ValidationError(errors)
    if task.closings.filter(status__in=PENDING_CLOSING).exists():
        raise ConflictError(
            _("A closing request for %(code)s is already pending; it was not filed twice.")
            % {"code": task.code}
        )
    try:
        with transaction.atomic():
            closing = ClosingRequest.objects.create(
                task=task,
                summary=summary.strip(),
                document_no=document_no.strip(),
                document_date=document_date,
                requested_by=by,
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("A closing request for %(code)s is already pending; it was not filed twice.")
            % {"code": task.code}
        ) from exc
    stored = []
    try:
        for upload in files:
            stored.append(evidence_add(task=task, by=by, upload=upload, closing=closing))
    except Exception:
        for evidence in stored:  # the transaction rolls back; the files must go too
            evidence.file.delete(save=False)
        raise
    audit.record(
        actor=by,
        verb="closing.requested",
        obj=closing,
        ctx=task,
        changes={
            "document_no": [None, closing.document_no],
            "document_date": [None, document_date],
            "files": [None, [e.original_name for e in stored]],
        },
    )
    return closing


def _locked(closing: ClosingRequest, *expected: str) -> ClosingRequest:
    """Lock the task's row, then the request's; refuse a repeated act (the request is
    no longer in an `expected` status), then an act on a closed task."""
    task = lock_task(closing.task_id)
    closing = (
        ClosingRequest.objects.select_for_update(of=("self",))
        .select_related("task", "task__office", "task__lead_unit")
        .get(pk=closing.pk)
    )
    if closing.status not in expected:
        raise ConflictError(
            _("This closing request is now “%(status)s”; nothing was done again.")
            % {"status": closing.get_status_display()}
        )
    if task.status == TaskStatus.CLOSED:
        raise TaskClosedError(task)
    return closing


@transaction.atomic
def closing_sign(*, closing: ClosingRequest, by) -> ClosingRequest:
    """The lead unit's head signs the request off (单位一把手签字); it goes to the office."""
    permissions.require(by, "sign_closing", closing.task)
    closing = _locked(closing, ClosingStatus.REQUESTED)
    closing.status = ClosingStatus.SIGNED
    closing.signed_by, closing.signed_at = by, business_now()
    closing.save(update_fields=["status", "signed_by", "signed_at"])
    audit.record(
        actor=by,
        verb="closing.signed",
        obj=closing,
        ctx=closing.task,
        changes={"status": [ClosingStatus.REQUESTED.value, closing.status]},
    )
    return closing


@transaction.atomic
def closing_approve(*, closing: ClosingRequest, by, note: str = "") -> Task:
    """Approve a signed closing request: the task leaves the open ledger (销账).

    The approval rests on the proof (`selectors.proofs_of`): with a milestone of the
    approved plan not reached (or no plan with milestones), or a latest rating of D or
    E, the leader must say why it is approved all the same (`note`; refused without
    one, naming the field). The proof and the reason are in the audit record.
    """
    permissions.require(by, "approve_closing", closing.task)
    closing = _locked(closing, ClosingStatus.SIGNED)
    task = closing.task  # read after _locked took the task's row lock
    if task.status not in CLOSABLE:
        raise ConflictError(
            _("The task is now %(status)s; the request was not approved.")
            % {"status": task.get_status_display()}
        )
    note = (note or "").strip()
    proof = proofs_of([task.pk])[task.pk]
    if proof.needs_reason and not note:
        raise ValidationError(
            {
                "note": _("Say why the closing is approved although: %(concerns)s")
                % {"concerns": " ".join(proof.concerns)}
            }
        )
    old = task.status
    task.status = TaskStatus.CLOSED
    task.version += 1
    task.save(update_fields=["status", "version", "updated_at"])
    closing.status = ClosingStatus.APPROVED
    closing.decided_by, closing.decided_at = by, business_now()
    closing.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=by,
        verb="closing.approved",
        obj=closing,
        ctx=task,
        reason=note,
        changes={
            "status": [old, task.status],
            "document_no": [None, closing.document_no],
            **proof.as_record(),
        },
    )
    return task


@transaction.atomic
def closing_reject(*, closing: ClosingRequest, by, reason: str) -> ClosingRequest:
    """Reject a pending request with the reason; the unit may file a new one.

    The unit head may refuse to sign; an office leader may reject at either stage.
    """
    leader = permissions.can(by, "approve_closing", closing.task)
    if not leader and not permissions.can(by, "sign_closing", closing.task):
        raise PermissionDenied("reject_closing")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the closing request is rejected.")})
    closing = _locked(closing, *PENDING_CLOSING)
    if closing.status == ClosingStatus.SIGNED and not leader:
        raise PermissionDenied("reject_closing")
    old = closing.status
    closing.status = ClosingStatus.REJECTED
    closing.decided_by, closing.decided_at = by, business_now()
    closing.reject_reason = reason.strip()
    closing.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
    audit.record(
        actor=by,
        verb="closing.rejected",
        obj=closing,
        ctx=closing.task,
        reason=closing.reject_reason,
        changes={"status": [old, closing.status]},
    )
    return closing


@transaction.atomic
def closing_withdraw(*, closing: ClosingRequest, by, reason: str = "") -> ClosingRequest:
    """The unit that filed a closing request takes it back (撤回) before it is decided:
    awaiting the head's signature or the office's approval. The lead unit's liaison,
    or whoever filed it, may (`permissions.can_withdraw`); a decided request is a
    conflict. Its files stay with it; the unit may file a new request later.
    """
    permissions.require_withdraw(by, closing.task, closing.requested_by_id)
    closing = _locked(closing, *PENDING_CLOSING)
    old = closing.status
    closing.status = ClosingStatus.WITHDRAWN
    closing.decided_by, closing.decided_at = by, business_now()
    closing.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=by,
        verb="closing.withdrawn",
        obj=closing,
        ctx=closing.task,
        reason=(reason or "").strip(),
        changes={"status": [old, closing.status]},
    )
    return closing


@transaction.atomic
def task_reopen(*, task: Task, by, reason: str) -> Task:
    """Reopen a closed task, with the reason: it is back in progress on the open ledger.

    The approved closing request stays as it was; the reopening shows in the history.
    """
    permissions.require(by, "reopen", task)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the task is reopened.")})
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.status != TaskStatus.CLOSED:
        raise ConflictError(
            _("The task is now %(status)s; it was not reopened.")
            % {"status": task.get_status_display()}
        )
    task.status = TaskStatus.IN_PROGRESS
    task.version += 1
    task.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor=by,
        verb="task.reopened",
        obj=task,
        reason=reason.strip(),
        changes={"status": [TaskStatus.CLOSED.value, task.status]},
    )
    return task


# --- carry-over (结转) ---------------------------------------------------------


def _successor(unit: Unit | None) -> Unit | None:
    """The unit itself, or the active unit it was merged into."""
    seen = set()
    while unit is not None and not unit.is_active and unit.merged_into_id and unit.pk not in seen:
        seen.add(unit.pk)
        unit = unit.merged_into
    return unit


def _free_code(code: str, year: int, used: set[str]) -> str:
    """The old code if free in the new year, else `<code>-<year>` (then -2, -3…)."""
    limit = Task._meta.get_field("code").max_length
    if code not in used:
        return code
    base = f"{code}-{year}"[:limit]
    candidate, n = base, 2
    while candidate in used:
        suffix = f"-{n}"
        candidate = base[: limit - len(suffix)] + suffix
        n += 1
    return candidate


@transaction.atomic
def year_carry_over(*, office: Unit, year: int, by) -> list[Task]:
    """Carry every open task of an office's year into the next year (结转).

    Each open task becomes "carried over" and gets a new task in year+1 that
    points back to it (`carried_from`), keeps its code when that is free (else
    `<code>-<year>`), its fields, helping units and the dependencies whose target
    also continues into the new year, and starts in planning. Dates move into
    the new year: it starts on 1 January (or later, if it was to start later)
    and keeps its deadline unless that has passed, when it becomes 31 December.
    Running it again creates nothing.
    `by=None` is the system (the `carry_over` command).
    """
    if by is not None and not permissions.can_run_office(by, office):
        raise PermissionDenied("carry_over")
    new_year = year + 1
    old_tasks = list(
        Task.objects.select_for_update(of=("self",))
        .filter(office=office, year=year, status__in=OPEN_STATUSES, carried_to__isnull=True)
        .select_related("lead_unit", "lead_unit__merged_into", "office")
        .prefetch_related("helping_units__merged_into", "depends_on")
        .order_by("code")
    )
    if not old_tasks:
        return []
    used = set(Task.objects.filter(office=office, year=new_year).values_list("code", flat=True))
    start, year_end = dt.date(new_year, 1, 1), dt.date(new_year, 12, 31)
    mapping: dict[int, Task] = {}
    for old in old_tasks:
        code = _free_code(old.code, year, used)
        used.add(code)
        mapping[old.pk] = Task(
            office=office,
            year=new_year,
            code=code,
            title=old.title,
            description=old.description,
            area_id=old.area_id,
            system_id=old.system_id,
            work_point=None,  # work points belong to one year's programme
            source=old.source,
            lead_unit=_successor(old.lead_unit),
            responsible_leader_id=old.responsible_leader_id,
            is_key=old.is_key,
            deliverable_kind=old.deliverable_kind,
            start_date=max(old.start_date, start),
            deadline=old.deadline if old.deadline >= start else year_end,
            status=TaskStatus.PLANNING,
            carried_from=old,
        )
    # In bulk: a city's year is thousands of tasks, and the SQLite write lock is
    # held for the whole act.
    Task.objects.bulk_create(mapping.values(), batch_size=500)
    # Parents and dependencies point at next year's tasks: those just carried, or
    # ones carried earlier (a dependency on a task now closed is simply met).
    earlier = {
        t.carried_from_id: t
        for t in Task.objects.filter(
            carried_from__in=[d.pk for o in old_tasks for d in o.depends_on.all()]
        ).exclude(pk__in=[n.pk for n in mapping.values()])
    }
    targets = {**earlier, **mapping}
    helping_rows, depends_rows = [], []
    with_parent = []
    for old in old_tasks:
        new = mapping[old.pk]
        if old.parent_id in mapping:
            new.parent = mapping[old.parent_id]
            with_parent.append(new)
        helpers = {_successor(u) for u in old.helping_units.all()} - {None, new.lead_unit}
        helping_rows += [
            Task.helping_units.through(task_id=new.pk, unit_id=u.pk)
            for u in sorted(helpers, key=lambda u: u.pk)
            if u.is_active
        ]
        depends_rows += [
            Task.depends_on.through(from_task_id=new.pk, to_task_id=targets[d.pk].pk)
            for d in old.depends_on.all()
            if d.pk in targets
        ]
    Task.objects.bulk_update(with_parent, ["parent"], batch_size=500)
    Task.helping_units.through.objects.bulk_create(helping_rows, batch_size=1000)
    Task.depends_on.through.objects.bulk_create(depends_rows, batch_size=1000)
    now = timezone.now()
    for i in range(0, len(old_tasks), 500):
        Task.objects.filter(pk__in=[o.pk for o in old_tasks[i : i + 500]]).update(
            status=TaskStatus.CARRIED_OVER, version=F("version") + 1, updated_at=now
        )
    for old in old_tasks:
        new = mapping[old.pk]
        status = old.status
        old.status = TaskStatus.CARRIED_OVER
        old.version += 1
        audit.record(
            actor=by,
            verb="task.carried_over",
            obj=old,
            changes={
                "status": [status, old.status],
                "carried_to": [None, f"{new.year} {new.code}"],
            },
        )
        audit.record(
            actor=by,
            verb="task.carried_in",
            obj=new,
            changes={
                "carried_from": [None, f"{old.year} {old.code}"],
                **{k: [None, v] for k, v in _new_task_fields(new).items()},
            },
        )
    return [mapping[o.pk] for o in old_tasks]


def _new_task_fields(task: Task) -> dict[str, Any]:
    return audit.snapshot(
        task, ("code", "title", "year", "lead_unit", "start_date", "deadline", "status")
    )
