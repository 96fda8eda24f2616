"""Why an act is not open on a task's page, and who can do it: the closing tab says what
stands before a closing request (销账), the reports tab who files the progress reports,
the report form who sets the reporting periods up. Each read is one or two queries."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reformledger.ledger.choices import ClosingStatus, PlanStatus, TaskStatus
from reformledger.ledger.models import Plan, Task
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit

__all__ = ["ClosingOutlook", "closing_outlook", "holders", "unit_people_of"]


def holders(unit: Unit, *roles: str) -> list:
    """The active people holding one of `roles` in `unit` itself, by name."""
    rows = (
        Membership.objects.filter(unit=unit, role__in=roles, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    seen, people = set(), []
    for membership in rows:
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            people.append(membership.user)
    return people


def unit_people_of(unit: Unit) -> dict[str, list]:
    """A unit's liaisons and head, in one query: {"liaisons": [...], "heads": [...]}."""
    rows = (
        Membership.objects.filter(
            unit=unit,
            role__in=[Role.UNIT_REPORTER, Role.UNIT_HEAD],
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    people: dict[str, list] = {"liaisons": [], "heads": []}
    for membership in rows:
        key = "liaisons" if membership.role == Role.UNIT_REPORTER else "heads"
        people[key].append(membership.user)
    return people


@dataclass
class ClosingOutlook:
    """What stands before a task's closing request, for its closing tab when none is
    pending: the reasons in words, whether it may be asked for now, and who asks for it,
    signs it and approves it."""

    reasons: list[str] = field(default_factory=list)
    ready: bool = False  # under way, every milestone of its approved plan reached
    liaisons: list = field(default_factory=list)
    heads: list = field(default_factory=list)


def _plans(task: Task) -> list[Plan]:
    # The task page prefetches plans and milestones; another page reads them here.
    if "plans" in getattr(task, "_prefetched_objects_cache", {}):
        return list(task.plans.all())
    return list(task.plans.prefetch_related("milestones"))


def closing_outlook(task: Task, closing=None) -> ClosingOutlook:
    """Why a task has no closing request yet (still in planning, no approved plan, not
    every milestone reached, blocked, the last request rejected…) and who files one.
    `closing` is the task's `selectors.closing_of` (for the last rejected request)."""
    outlook = ClosingOutlook()
    if not task.is_open:
        return outlook
    people = unit_people_of(task.lead_unit)
    outlook.liaisons, outlook.heads = people["liaisons"], people["heads"]
    plans = _plans(task)
    approved = next((p for p in plans if p.status == PlanStatus.APPROVED), None)
    pending = next(
        (
            p
            for p in plans
            if p.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.REJECTED)
        ),
        None,
    )
    if task.status == TaskStatus.PLANNING:
        where = {
            None: _("no plan is written yet"),
            PlanStatus.DRAFT: _("its plan is a draft, not yet submitted"),
            PlanStatus.SUBMITTED: _("its plan awaits the office's approval"),
            PlanStatus.REJECTED: _("its plan was returned to the unit to correct"),
        }[pending.status if pending else None]
        outlook.reasons.append(
            _(
                "The task is still in planning (%(where)s): a closing request is filed "
                "only for a task under way, once its plan is approved."
            )
            % {"where": where}
        )
        return outlook
    if task.status == TaskStatus.BLOCKED:
        outlook.reasons.append(_("The task is marked blocked."))
    if approved is None:
        outlook.reasons.append(
            _("The task has no approved plan, so no milestone shows the work done.")
        )
    else:
        milestones = list(approved.milestones.all())
        open_ = sorted(
            (m for m in milestones if m.reached_on is None), key=lambda m: m.planned_date
        )
        if open_:
            outlook.reasons.append(
                _("%(reached)s of %(total)s milestones are reached; not yet: %(open)s.")
                % {
                    "reached": len(milestones) - len(open_),
                    "total": len(milestones),
                    "open": "; ".join(
                        _("%(title)s (planned %(date)s)")
                        % {"title": m.title, "date": m.planned_date.isoformat()}
                        for m in open_
                    ),
                }
            )
        elif milestones:
            outlook.ready = task.status == TaskStatus.IN_PROGRESS
            outlook.reasons.append(
                _("Every milestone of the approved plan is reached: closing can be asked for.")
            )
    rejected = next(
        (c for c in getattr(closing, "earlier", ()) if c.status == ClosingStatus.REJECTED), None
    )
    if rejected is not None:
        outlook.reasons.append(
            _("The last closing request was rejected: %(reason)s")
            % {"reason": rejected.reject_reason}
        )
    return outlook
