"""Changes to implementation plans and their milestones, each with its audit record.

A plan says what is to be done by when; whether a milestone is reached is not the
plan's to say. `reached_on` is set only by accepting a progress report that reports
it (`report_accept`): writing or revising a plan keeps the dates already reached, by
the milestone's title, and takes none from its caller. A closed task's plan does not
change (`require_not_closed`).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import permissions
from reformledger.ledger.choices import PlanStatus, TaskStatus
from reformledger.ledger.models import Milestone, Plan, Task
from reformledger.ledger.services.tasks import require_not_closed
from reformledger.ledger.validation import MilestoneRow, milestone_errors


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
    Milestones keep the date they were reached (set by accepted reports) by title.
    """
    permissions.require(by, "edit_plan", task)
    task = require_not_closed(task)
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
    reached = _reached_by_title(task, plan)
    plan.summary = summary
    if plan.status == PlanStatus.REJECTED:
        plan.status = PlanStatus.DRAFT
    plan.save()
    plan.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(plan=plan, order=i, reached_on=reached.get(row.title), **row.__dict__)
        for i, row in enumerate(milestones)
    )
    audit.record(
        actor=by, verb=verb, obj=plan, ctx=task, changes=audit.diff(before, _plan_snapshot(plan))
    )
    return plan


@transaction.atomic
def plan_write(
    *, task: Task, by, summary: str, milestones: list[MilestoneRow], submit: bool = False
) -> Plan:
    """Write the draft plan as its form does, in one act: save it (`plan_save`) and, with
    `submit`, send it for approval (`plan_submit`); a refused submission keeps nothing
    of the save either."""
    plan = plan_save(task=task, by=by, summary=summary, milestones=milestones)
    if submit:
        plan = plan_submit(plan=plan, by=by)
    return plan


def _reached_by_title(task: Task, plan: Plan) -> dict[str, dt.date]:
    """The dates milestones were reached, by title: of the plan's own rows (a revision
    copies them from the approved plan), overridden by the approved plan's, which
    accepted reports keep current."""
    reached = Milestone.objects.filter(reached_on__isnull=False).values_list("title", "reached_on")
    approved = reached.filter(plan__task=task, plan__status=PlanStatus.APPROVED)
    return dict(reached.filter(plan=plan)) | dict(approved)


def _milestone_text(m: Milestone) -> str:
    """One milestone as the audit trail keeps it: every field a plan act may change."""
    parts = [m.title, m.planned_date.isoformat(), f"{m.weight}%{' ★' if m.is_key else ''}"]
    if m.responsible or m.expected_evidence:
        parts += [m.responsible or "—", m.expected_evidence or "—"]
    if m.reached_on:
        parts.append(f"✓ {m.reached_on.isoformat()}")
    return " · ".join(parts)


def _plan_snapshot(plan: Plan) -> dict[str, Any]:
    return {
        "summary": plan.summary,
        "milestones": [_milestone_text(m) for m in plan.milestones.order_by("order")],
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
    require_not_closed(plan.task_id)
    plan = _locked_plan(plan, PlanStatus.DRAFT)
    rows = [
        MilestoneRow(title=m.title, planned_date=m.planned_date, weight=m.weight, is_key=m.is_key)
        for m in plan.milestones.all()
    ]
    _check_rows(plan.task, rows)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = business_now()
    plan.save(update_fields=["status", "submitted_at"])
    audit.record(actor=by, verb="plan.submitted", obj=plan, ctx=plan.task)
    return plan


@transaction.atomic
def plan_approve(*, plan: Plan, by, note: str = "") -> Plan:
    """Approve a submitted plan; it replaces the earlier approved revision, which is kept.
    Its milestones keep the dates reached on the revision it replaces (by title), as
    reports accepted while it was being written marked them there."""
    permissions.require(by, "approve_plan", plan.task)
    task = require_not_closed(plan.task_id)
    plan = _locked_plan(plan, PlanStatus.SUBMITTED)
    previous = task.plans.filter(status=PlanStatus.APPROVED).first()
    carried: dict[str, list] = {}
    if previous:
        previous.status = PlanStatus.SUPERSEDED
        previous.save(update_fields=["status"])
        carried = _carry_reached(previous, plan)
    plan.status = PlanStatus.APPROVED
    plan.decided_by, plan.decided_at, plan.decision_note = by, business_now(), note
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
        changes=({"superseded": [None, previous.revision]} if previous else {}) | carried,
    )
    return plan


def _carry_reached(previous: Plan, plan: Plan) -> dict[str, list]:
    """Mark reached the milestones of `plan` reached in `previous` (same title) and not
    yet in `plan`; the change of its milestones for the audit record, if any."""
    reached = dict(
        previous.milestones.filter(reached_on__isnull=False).values_list("title", "reached_on")
    )
    before = _plan_snapshot(plan)["milestones"]
    rows = [m for m in plan.milestones.all() if m.reached_on is None and m.title in reached]
    for m in rows:
        m.reached_on = reached[m.title]
    Milestone.objects.bulk_update(rows, ["reached_on"])
    after = _plan_snapshot(plan)["milestones"]
    return {"milestones": [before, after]} if rows else {}


@transaction.atomic
def plan_reject(*, plan: Plan, by, note: str) -> Plan:
    """Return a submitted plan to its authors with the reason."""
    permissions.require(by, "approve_plan", plan.task)
    if not note.strip():
        raise ValidationError({"note": _("Say why the plan is returned.")})
    require_not_closed(plan.task_id)
    plan = _locked_plan(plan, PlanStatus.SUBMITTED)
    plan.status = PlanStatus.REJECTED
    plan.decided_by, plan.decided_at, plan.decision_note = by, business_now(), note
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=by, verb="plan.rejected", obj=plan, ctx=plan.task, reason=note)
    return plan


@transaction.atomic
def plan_revise(*, task: Task, by, reason: str) -> Plan:
    """Start a revision of the approved plan: a draft copy that needs its own approval."""
    permissions.require(by, "revise_plan", task)
    if not reason.strip():
        raise ValidationError({"reason": _("A revision of an approved plan needs a reason.")})
    task = require_not_closed(task)
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
