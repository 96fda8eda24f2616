"""Changes to tasks. Each act checks permission and writes its audit record in the
same transaction."""

import copy
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.ledger import permissions
from reformledger.ledger.choices import OPEN_STATUSES, TaskStatus
from reformledger.ledger.models import Task
from reformledger.ledger.services.summaries import summaries_task_moved
from reformledger.ledger.validation import task_date_errors
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


class TaskClosedError(ConflictError):
    """The task is closed (销账): it and what hangs on it (plan, milestones, reports,
    evidence, ratings after its closing, closing requests) are read-only until an
    office leader reopens it with a reason (`task_reopen`)."""

    def __init__(self, task: Task):
        self.task = task
        super().__init__(
            _("%(code)s is closed (销账): reopen it in the system before changing it.")
            % {"code": task.code}
        )


def lock_task(task: Task | int) -> Task:
    """Lock the task's row (in the caller's transaction) and return it as it is now.
    Acts on a task or what hangs on it take this lock first, so they queue behind a
    closing being approved (which takes it too) instead of landing on a closed task."""
    pk = task if isinstance(task, int) else task.pk
    return Task.objects.select_for_update(of=("self",)).get(pk=pk)


def require_not_closed(task: Task | int) -> Task:
    """Lock the task's row and return it as it is now, or raise TaskClosedError if it
    is closed (销账). Every act that changes a task or what hangs on it calls this first."""
    locked = lock_task(task)
    if locked.status == TaskStatus.CLOSED:
        raise TaskClosedError(locked)
    return locked


def _require_links_seen(by, parent: Task | None, depends: list[Task] | None) -> None:
    """The parent and dependencies a caller gives must be tasks `by` may see: another
    one is no choice at all (as on the form and in the API, which look ids up among the
    tasks the user sees), and nothing of it is told. Links set before, by someone who
    sees more, are not the caller's and are not checked."""
    given = {
        "parent": {parent.pk} if parent else set(),
        "depends_on": {t.pk for t in depends or ()},
    }
    wanted = given["parent"] | given["depends_on"]
    seen = set(permissions.visible_tasks(by).filter(pk__in=wanted).values_list("pk", flat=True))
    errors = {
        name: [_("Select a valid choice. That choice is not one of the available choices.")]
        for name, ids in given.items()
        if ids - seen
    }
    if errors:
        raise ValidationError(errors)


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
    _require_links_seen(by, fields.get("parent"), depends)
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
    """Change a task's fields. `version` is the version the caller read, compared on
    the locked row: a stale one is a StaleVersionError and changes nothing. A closed
    task is refused (TaskClosedError)."""
    permissions.require(by, "edit", task)
    task = require_not_closed(task)
    if version is not None and version != task.version:
        raise StaleVersionError(
            _("This task was changed by someone else (version %(now)s, you read %(read)s).")
            % {"now": task.version, "read": version}
        )
    unknown = set(changes) - set(TASK_FIELDS) - set(TASK_M2M)
    if unknown:
        raise TypeError(f"unknown task fields: {sorted(unknown)}")
    before = audit.snapshot(task, AUDITED_TASK_FIELDS)
    unchanged = copy.copy(task)
    grouped_by = (task.lead_unit_id, task.area_id)
    for name in TASK_FIELDS:
        if name in changes:
            setattr(task, name, changes[name])
    helping = list(changes.get("helping_units", task.helping_units.all()))
    depends = list(changes.get("depends_on", task.depends_on.all()))
    _require_links_seen(by, changes.get("parent"), changes.get("depends_on"))
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
    # Closed periods' counts are grouped by the task's lead unit and area as they are now.
    summaries_task_moved(task=task, lead_unit_id=grouped_by[0], area_id=grouped_by[1])
    audit.record(actor=by, verb="task.updated", obj=task, changes=delta, reason=reason)
    return task


@transaction.atomic
def task_set_status(*, task: Task, by, status: str, reason: str) -> Task:
    """Mark a task blocked, back in progress, or cancelled, with a reason."""
    permissions.require(by, "change_status", task)
    task = require_not_closed(task)
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
