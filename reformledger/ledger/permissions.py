"""Who may see which tasks and do which acts on them: one rule for pages, API and services.

- Office staff and office leaders work the ledger of the office they are given in
  (and any office below it), and read the tasks led or helped by units under the
  office's host unit (a city task given to a county shows in the county office).
- City leaders read every task of the offices under their unit.
- A unit's liaison and head see the tasks their unit (or a unit below) leads or
  helps on; the liaison edits the plan only of tasks its unit leads.
- Evaluators and the three administrators see no ledger task here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Task
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
UNIT = (Role.UNIT_REPORTER, Role.UNIT_HEAD)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "view": "anyone who sees the task",
    "edit": "office staff and leaders of the task's ledger",
    "change_status": "office staff and leaders of the task's ledger",
    "edit_plan": "the ledger's office, or the lead unit's liaison",
    "submit_plan": "the ledger's office, or the lead unit's liaison",
    "revise_plan": "the ledger's office, or the lead unit's liaison",
    "approve_plan": "office staff and leaders of the task's ledger",
    "report": "the lead unit's liaison, or the ledger's office staff",
    "accept_report": "office staff and leaders of the task's ledger",
    "suggest_rating": "office staff and leaders of the task's ledger",
    "decide_rating": "office leaders of the task's ledger",
    "request_closing": "the lead unit's liaison, or the ledger's office staff",
    "sign_closing": "the lead unit's head",
    "approve_closing": "office leaders of the task's ledger",
    "reopen": "office leaders of the task's ledger",
}


#: The acts a closed task (销账) still takes: it is read, and an office leader may
#: reopen it with a reason. Every other act of ACTS changes it or what hangs on it,
#: and its service refuses a closed task (`services.require_not_closed`); a new act
#: is refused on a closed task unless it is added here.
ON_CLOSED_TASK = frozenset({"view", "reopen"})


def _helped_under(paths: tuple[str, ...]) -> Q:
    through = Task.helping_units.through
    if not paths:
        return Q(pk__in=[])
    return Q(pk__in=through.objects.filter(under_any("unit", paths)).values("task_id"))


def whole_ledgers(user) -> tuple[str, ...]:
    """The unit paths under which `user` sees every task of every office's ledger (the
    part of `visible_tasks` that summaries of whole ledgers can stand for)."""
    return scopes_of(user).paths(*OFFICE, Role.CITY_LEADER)


def visible_tasks(user) -> QuerySet[Task]:
    """Tasks `user` may see; every page and endpoint starts from this queryset."""
    scopes = scopes_of(user)
    ledger_paths = whole_ledgers(user)
    unit_paths = scopes.paths(*UNIT) + scopes.hosts
    q = under_any("office", ledger_paths)
    if unit_paths:
        q |= under_any("lead_unit", unit_paths) | _helped_under(unit_paths)
    return Task.objects.filter(q)


def _sees(scopes, task: Task) -> bool:
    if scopes.covers(task.office.path, *OFFICE, Role.CITY_LEADER):
        return True
    unit_paths = scopes.paths(*UNIT) + scopes.hosts
    if not unit_paths:
        return False
    related = [task.lead_unit.path, *(u.path for u in task.helping_units.all())]
    return any(p.startswith(s) for p in related for s in unit_paths)


def can(user, act: str, task: Task) -> bool:
    """Whether `user` may do `act` (a key of ACTS) on `task`."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    scopes = scopes_of(user)
    if act == "view":
        return _sees(scopes, task)
    in_office = scopes.covers(task.office.path, *OFFICE)
    if act in ("edit", "change_status", "approve_plan", "accept_report", "suggest_rating"):
        return in_office
    if act in ("decide_rating", "approve_closing", "reopen"):
        return scopes.covers(task.office.path, Role.OFFICE_LEADER)
    if act == "sign_closing":
        return scopes.covers(task.lead_unit.path, Role.UNIT_HEAD)
    # edit_plan, submit_plan, revise_plan, report, request_closing
    return in_office or scopes.covers(task.lead_unit.path, Role.UNIT_REPORTER)


def acts_on(user, task: Task) -> dict[str, bool]:
    """The acts a task's pages offer `user`, by act (ACTS, and `withdraw` for the lead
    unit's liaison): `can` for each, and on a closed task only those of ON_CLOSED_TASK."""
    closed = task.status == TaskStatus.CLOSED
    acts = {act: (not closed or act in ON_CLOSED_TASK) and can(user, act, task) for act in ACTS}
    acts["withdraw"] = not closed and can_withdraw(user, task, None)
    return acts


def can_create_task(user, office: Unit) -> bool:
    """Office staff and leaders create tasks in their own office's ledger."""
    return scopes_of(user).covers(office.path, *OFFICE)


def can_run_office(user, office: Unit, *, leader: bool = False) -> bool:
    """Office-wide acts (close a period, carry the year over): the office's staff and
    leaders, or its leaders only when `leader`."""
    roles = (Role.OFFICE_LEADER,) if leader else OFFICE
    return scopes_of(user).covers(office.path, *roles)


def offices_of(user) -> QuerySet[Unit]:
    """The offices whose ledger `user` may add tasks to."""
    return Unit.objects.filter(kind="office").filter(under_any("", scopes_of(user).paths(*OFFICE)))


def require(user, act: str, task: Task) -> None:
    """Raise PermissionDenied unless `user` may do `act` on `task`."""
    if not can(user, act, task):
        raise PermissionDenied(f"{act} not allowed on task {task.pk}")


#: Who chases lagging units on the staleness page: the office, and city leaders who
#: read everything.
STALENESS_ROLES = (*OFFICE, Role.CITY_LEADER)


def can_see_staleness(user) -> bool:
    """Office staff, office leaders and city leaders see staleness per unit."""
    return scopes_of(user).has(*STALENESS_ROLES)


def can_remind_units(user) -> bool:
    """Office staff and leaders remind lagging units from the staleness page (city
    leaders read it only)."""
    return scopes_of(user).has(*OFFICE)


def can_withdraw(user, task: Task, filed_by_id: int | None) -> bool:
    """Whether `user` may take back (撤回) a report or closing request on `task` not yet
    decided: the unit that filed it — the lead unit's liaison — or whoever filed it
    (an office clerk filing for the unit). An office leader rejects instead."""
    if filed_by_id is not None and filed_by_id == getattr(user, "pk", None):
        return can(user, "report", task) or can(user, "request_closing", task)
    return scopes_of(user).covers(task.lead_unit.path, Role.UNIT_REPORTER)


def require_withdraw(user, task: Task, filed_by_id: int | None) -> None:
    """Raise PermissionDenied unless `user` may withdraw what was filed on `task`."""
    if not can_withdraw(user, task, filed_by_id):
        raise PermissionDenied(f"withdraw not allowed on task {task.pk}")
