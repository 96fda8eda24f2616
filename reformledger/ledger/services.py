"""Every change to tasks, plans and milestones. Each act checks permission and
writes its audit record in the same transaction."""

import copy
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import permissions
from reformledger.ledger.choices import OPEN_STATUSES, PlanStatus, TaskStatus
from reformledger.ledger.models import Milestone, Plan, Task
from reformledger.ledger.validation import MilestoneRow, milestone_errors, task_date_errors
from reformledger.orgs.models import Unit

#: Fields of a task that `task_create` and `task_update` accept.
TASK_FIELDS = (
    "code",
    "title",
    "description",
    "area",
    "system",
    "work_point",
    "source",
    "lead_unit",
    "responsible_leader",
    "is_key",
    "deliverable_kind",
    "start_date",
    "deadline",
    "parent",
)
TASK_M2M = ("helping_units", "depends_on")
AUDITED_TASK_FIELDS = (*TASK_FIELDS, "year", "status", *TASK_M2M)


def _validate_task(task: Task, helping: list[Unit], depends: list[Task]) -> None:
    errors: dict[str, list[str]] = {}
    for name, msg in task_date_errors(task.start_date, task.deadline).items():
        errors.setdefault(name, []).append(msg)
    # Read from the database, not the instance: the unit may have been merged since
    # the caller loaded it, and a missing one would otherwise surface as an
    # IntegrityError reported against the wrong field.
    lead_active = (
        Unit.objects.filter(pk=task.lead_unit_id).values_list("is_active", flat=True).first()
        if task.lead_unit_id
        else None
    )
    if lead_active is None:
        errors.setdefault("lead_unit", []).append(_("Choose an existing lead unit."))
    elif not lead_active:
        errors.setdefault("lead_unit", []).append(
            _("The unit %(unit)s no longer exists (merged or dissolved).")
            % {"unit": task.lead_unit}
        )
    if not task.area_id:
        errors.setdefault("area", []).append(_("Choose the reform area."))
    if task.lead_unit_id and any(u.pk == task.lead_unit_id for u in helping):
        errors.setdefault("helping_units", []).append(
            _("The lead unit cannot also be a helping unit.")
        )
    if task.parent_id:
        if task.parent_id == task.pk:
            errors.setdefault("parent", []).append(_("A task cannot be its own parent."))
        elif task.parent.office_id != task.office_id or task.parent.year != task.year:
            errors.setdefault("parent", []).append(
                _("The parent task must be in the same ledger and year.")
            )
    for dep in depends:
        if dep.pk == task.pk:
            errors.setdefault("depends_on", []).append(_("A task cannot depend on itself."))
        elif task.pk and _reaches(dep, task.pk):
            errors.setdefault("depends_on", []).append(
                _("%(task)s already depends on this task; the dependency would be circular.")
                % {"task": dep.code}
            )
    duplicate = (
        Task.objects.filter(office_id=task.office_id, year=task.year, code=task.code)
        .exclude(pk=task.pk)
        .exists()
    )
    if duplicate:
        errors.setdefault("code", []).append(
            _("The code %(code)s is already used in %(year)s.")
            % {"code": task.code, "year": task.year}
        )
    if errors:
        raise ValidationError(errors)


def _reaches(start: Task, target_pk: int) -> bool:
    """True when `start` depends, directly or through others, on the task `target_pk`."""
    through = Task.depends_on.through
    frontier, seen = {start.pk}, set()
    while frontier:
        if target_pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                through.objects.filter(from_task_id__in=frontier).values_list(
                    "to_task_id", flat=True
                )
            )
            - seen
        )
    return False


@transaction.atomic
def task_create(
    *,
    by,
    office: Unit,
    year: int,
    helping_units: list[Unit] | None = None,
    depends_on: list[Task] | None = None,
    **fields: Any,
) -> Task:
    """Add a task to an office's ledger for a year (项目清单)."""
    if not permissions.can_create_task(by, office):
        raise PermissionDenied("create_task")
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    helping, depends = list(helping_units or []), list(depends_on or [])
    task = Task(office=office, year=year, **fields)
    _validate_task(task, helping, depends)
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError as exc:  # two people saving the same code at once
        raise ValidationError({"code": _("The code %(code)s is already used.") % fields}) from exc
    task.helping_units.set(helping)
    task.depends_on.set(depends)
    audit.record(
        actor=by,
        verb="task.created",
        obj=task,
        changes={k: [None, v] for k, v in audit.snapshot(task, AUDITED_TASK_FIELDS).items()},
    )
    return task


@transaction.atomic
def task_update(
    *,
    task: Task,
    by,
    version: int | None = None,
    reason: str = "",
    **changes: Any,
) -> Task:
    """Change a task's fields. `version` is the version the caller read: a stale one
    is a conflict and changes nothing."""
    permissions.require(by, "edit", task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if version is not None and version != task.version:
        raise ConflictError(
            _("This task was changed by someone else (version %(now)s, you read %(read)s).")
            % {"now": task.version, "read": version}
        )
    unknown = set(changes) - set(TASK_FIELDS) - set(TASK_M2M)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    before = audit.snapshot(task, AUDITED_TASK_FIELDS)
    unchanged = copy.copy(task)
    for name in TASK_FIELDS:
        if name in changes:
            setattr(task, name, changes[name])
    helping = list(changes.get("helping_units", task.helping_units.all()))
    depends = list(changes.get("depends_on", task.depends_on.all()))
    _validate_task(task, helping, depends)
    task.version += 1
    task.save()
    if "helping_units" in changes:
        task.helping_units.set(helping)
    if "depends_on" in changes:
        task.depends_on.set(depends)
    delta = audit.diff(before, audit.snapshot(task, AUDITED_TASK_FIELDS))
    if not delta:
        # Nothing changed: undo the version bump. No query may run after
        # set_rollback, so the task is returned as it was read.
        transaction.set_rollback(True)
        return unchanged
    audit.record(actor=by, verb="task.updated", obj=task, changes=delta, reason=reason)
    return task


@transaction.atomic
def task_set_status(*, task: Task, by, status: str, reason: str) -> Task:
    """Mark a task blocked, back in progress, or cancelled, with a reason."""
    permissions.require(by, "change_status", task)
    allowed = {TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.CANCELLED}
    if status not in allowed:
        raise ValidationError({"status": _("This status is set by its own act.")})
    if task.status not in OPEN_STATUSES:
        raise ValidationError({"status": _("Only a task on the open ledger changes status.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    old = task.status
    task.status = status
    task.version += 1
    task.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor=by, verb="task.status", obj=task, changes={"status": [old, status]}, reason=reason
    )
    return task


# --- plans -----------------------------------------------------------------


def _check_rows(task: Task, rows: list[MilestoneRow]) -> None:
    per_row, general = milestone_errors(rows, start_date=task.start_date, deadline=task.deadline)
    if per_row or general:
        errors: dict[str, list[str]] = {}
        for i, fields in per_row.items():
            for name, msg in fields.items():
                errors.setdefault(f"milestones.{i}.{name}", []).append(msg)
        if general:
            errors["milestones"] = general
        raise ValidationError(errors)


def pending_plan(task: Task) -> Plan | None:
    return task.plans.filter(
        status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.REJECTED]
    ).first()


@transaction.atomic
def plan_save(*, task: Task, by, summary: str, milestones: list[MilestoneRow]) -> Plan:
    """Write the draft plan (施工方案) of a task: its approach and its milestones.

    The first plan is created here; after approval, changes go through `plan_revise`.
    """
    permissions.require(by, "edit_plan", task)
    plan = pending_plan(task)
    if plan is None:
        if task.plans.filter(status=PlanStatus.APPROVED).exists():
            raise ValidationError(
                {"plan": _("The plan is approved; start a revision with a reason to change it.")}
            )
        plan = Plan.objects.create(task=task, revision=1, created_by=by)
        verb = "plan.created"
    elif plan.status == PlanStatus.SUBMITTED:
        raise ValidationError({"plan": _("The plan is awaiting approval and cannot be edited.")})
    else:
        verb = "plan.edited"
    _check_rows(task, milestones)
    before = _plan_snapshot(plan)
    plan.summary = summary
    if plan.status == PlanStatus.REJECTED:
        plan.status = PlanStatus.DRAFT
    plan.save()
    plan.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(plan=plan, order=i, **row.__dict__) for i, row in enumerate(milestones)
    )
    audit.record(
        actor=by, verb=verb, obj=plan, ctx=task, changes=audit.diff(before, _plan_snapshot(plan))
    )
    return plan


def _plan_snapshot(plan: Plan) -> dict[str, Any]:
    return {
        "summary": plan.summary,
        "milestones": [
            f"{m.title} · {m.planned_date.isoformat()} · {m.weight}%{' ★' if m.is_key else ''}"
            for m in plan.milestones.order_by("order")
        ],
    }


def _locked_plan(plan: Plan, expected: str) -> Plan:
    plan = Plan.objects.select_for_update().select_related("task").get(pk=plan.pk)
    if plan.status != expected:
        raise ConflictError(
            _("The plan is now %(status)s; the act was not repeated.")
            % {"status": plan.get_status_display()}
        )
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, by) -> Plan:
    """Send a draft plan to the office for approval."""
    permissions.require(by, "submit_plan", plan.task)
    plan = _locked_plan(plan, PlanStatus.DRAFT)
    rows = [
        MilestoneRow(title=m.title, planned_date=m.planned_date, weight=m.weight, is_key=m.is_key)
        for m in plan.milestones.all()
    ]
    _check_rows(plan.task, rows)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_at"])
    audit.record(actor=by, verb="plan.submitted", obj=plan, ctx=plan.task)
    return plan


@transaction.atomic
def plan_approve(*, plan: Plan, by, note: str = "") -> Plan:
    """Approve a submitted plan; it replaces the earlier approved revision, which is kept."""
    permissions.require(by, "approve_plan", plan.task)
    plan = _locked_plan(plan, PlanStatus.SUBMITTED)
    task = plan.task
    previous = task.plans.filter(status=PlanStatus.APPROVED).first()
    if previous:
        previous.status = PlanStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    plan.status = PlanStatus.APPROVED
    plan.decided_by, plan.decided_at, plan.decision_note = by, timezone.now(), note
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if task.status == TaskStatus.PLANNING:
        task.status = TaskStatus.IN_PROGRESS
        task.version += 1
        task.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor=by,
        verb="plan.approved",
        obj=plan,
        ctx=task,
        reason=note,
        changes={"superseded": [None, previous.revision]} if previous else {},
    )
    return plan


@transaction.atomic
def plan_reject(*, plan: Plan, by, note: str) -> Plan:
    """Return a submitted plan to its authors with the reason."""
    permissions.require(by, "approve_plan", plan.task)
    if not note.strip():
        raise ValidationError({"note": _("Say why the plan is returned.")})
    plan = _locked_plan(plan, PlanStatus.SUBMITTED)
    plan.status = PlanStatus.REJECTED
    plan.decided_by, plan.decided_at, plan.decision_note = by, timezone.now(), note
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=by, verb="plan.rejected", obj=plan, ctx=plan.task, reason=note)
    return plan


@transaction.atomic
def plan_revise(*, task: Task, by, reason: str) -> Plan:
    """Start a revision of the approved plan: a draft copy that needs its own approval."""
    permissions.require(by, "revise_plan", task)
    if not reason.strip():
        raise ValidationError({"reason": _("A revision of an approved plan needs a reason.")})
    if pending_plan(task) is not None:
        raise ValidationError({"reason": _("A revision is already in progress.")})
    current = task.plans.filter(status=PlanStatus.APPROVED).first()
    if current is None:
        raise ValidationError({"reason": _("There is no approved plan to revise.")})
    draft = Plan.objects.create(
        task=task,
        revision=current.revision + 1,
        summary=current.summary,
        reason=reason,
        created_by=by,
    )
    Milestone.objects.bulk_create(
        Milestone(
            plan=draft,
            order=m.order,
            title=m.title,
            planned_date=m.planned_date,
            weight=m.weight,
            is_key=m.is_key,
            responsible=m.responsible,
            expected_evidence=m.expected_evidence,
            reached_on=m.reached_on,
        )
        for m in current.milestones.all()
    )
    audit.record(
        actor=by,
        verb="plan.revision_started",
        obj=draft,
        ctx=task,
        reason=reason,
        changes={"revision": [current.revision, draft.revision]},
    )
    return draft
