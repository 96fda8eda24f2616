"""Comparing a task list read from a workbook with the ledger, before anything is written.

The result (`ChangeSet`) says which tasks are new, which fields of which tasks
change (only those: a value equal to the ledger's is no change), which draft plans
are rewritten, and every error, each named by sheet, row and column. Names of
units, areas, systems and people are found by code or exact name; when a name is
shared, the value the task already has wins, so a file exported from the ledger
always reads back as it was written.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from reformledger.exchange.errors import CellError
from reformledger.exchange.parsing import clean_code, fold
from reformledger.ledger.choices import DeliverableKind, PlanStatus, TaskSource
from reformledger.ledger.documents.task_list import MilestoneIn, TaskIn, TaskListFile
from reformledger.ledger.models import Milestone, Plan, ReformArea, ReformSystem, Task
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs.models import Person, Unit

# --- comparing with the ledger ----------------------------------------------------


@dataclass
class TaskCreate:
    row: TaskIn
    fields: dict[str, Any]
    helping: list[Unit]
    parent_code: str = ""


@dataclass
class TaskChange:
    row: TaskIn
    task: Task
    version: int
    changes: dict[str, Any]


@dataclass
class PlanChange:
    code: str
    task_row: TaskIn | None
    milestone_rows: list[MilestoneIn]
    summary: str
    milestones: list[MilestoneRow]


@dataclass
class ChangeSet:
    """What an import would do, found before anything is written."""

    creates: list[TaskCreate] = field(default_factory=list)
    updates: list[TaskChange] = field(default_factory=list)
    plans: list[PlanChange] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)


def _choice_lookup(choices) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


_WITH_CODE = re.compile(r"^(.*)\(([^()]+)\)$")


class _Names:
    """Find a row (unit, area, person…) by code or exact name, preferring the current
    value when a name is shared (so a file exported from the ledger always reads back).

    The keys are tried in tiers, most specific first (a code before a name before a
    short name): a text that is one unit's code and another's short name is the code.
    """

    def __init__(self, objects: Iterable, keys: Callable[[Any], Iterable[str]]):
        self.tiers: list[dict[str, list]] = []
        for obj in objects:
            for i, key in enumerate(keys(obj)):
                while len(self.tiers) <= i:
                    self.tiers.append(defaultdict(list))
                key = (key or "").strip()
                if key:
                    self.tiers[i][key].append(obj)

    def find(self, text: str, current: Iterable = ()) -> tuple[Any, str]:
        """(object, "") or (None, "unknown" | "ambiguous"). "Name（CODE）" names the row
        by its code, as exports write a shared name."""
        current = [o for o in current if o is not None]
        candidates = [text.strip(), clean_code(text)]
        if coded := _WITH_CODE.match(fold(text)):
            candidates.append(coded.group(2).strip())
        for tier in self.tiers:
            found = next((tier[c] for c in candidates if c in tier), None)
            if not found:
                continue
            unique = {o.pk: o for o in found}
            if len(unique) == 1:
                return next(iter(unique.values())), ""
            mine = [o for o in current if o.pk in unique]
            if len(mine) == 1:
                return mine[0], ""
            return None, "ambiguous"
        return None, "unknown"


def plan_changes(parsed: TaskListFile, *, office: Unit, year: int) -> ChangeSet:
    """Compare the rows read with the office's ledger for `year`: what to create, which
    fields of which tasks change, which draft plans are rewritten, and what is wrong."""
    out = ChangeSet(errors=list(parsed.errors))
    existing = {t.code: t for t in Task.objects.filter(office=office, year=year)}
    helping_ids: dict[int, set[int]] = defaultdict(set)
    for task_id, unit_id in Task.helping_units.through.objects.filter(
        task__office=office, task__year=year
    ).values_list("task_id", "unit_id"):
        helping_ids[task_id].add(unit_id)
    units = list(Unit.objects.all())
    units_by_pk = {u.pk: u for u in units}
    area_rows, system_rows = list(ReformArea.objects.all()), list(ReformSystem.objects.all())
    person_rows = list(Person.objects.all())
    unit_names = _Names(units, lambda u: (u.code, u.name, u.short_name))
    areas = _Names(area_rows, lambda a: (a.code, a.name, a.name_en))
    systems = _Names(system_rows, lambda s: (s.code, s.name))
    people = _Names(person_rows, lambda p: (p.name, str(p)))
    _share_relations(existing, office, units_by_pk, area_rows, system_rows, person_rows)
    sources = _choice_lookup(TaskSource)
    kinds = _choice_lookup(DeliverableKind)

    seen: dict[str, TaskIn] = {}
    file_codes = {r.code for r in parsed.tasks if r.code}
    for row in parsed.tasks:
        if not row.code:
            continue
        if row.code in seen:
            out.errors.append(
                CellError(
                    _("The code %(code)s is already on row %(row)s.")
                    % {"code": row.code, "row": seen[row.code].row},
                    row.table.sheet,
                    row.row,
                    row.table.column("code"),
                )
            )
            continue
        seen[row.code] = row
        task = existing.get(row.code)
        errors_before = len(out.errors)
        fields = _resolve_fields(
            row,
            task,
            out,
            unit_names,
            areas,
            systems,
            people,
            sources,
            kinds,
            helping_ids,
            units_by_pk,
        )
        parent_code = row.values.get("parent", "") if "parent" in row.values else None
        if parent_code:
            if parent_code == row.code:
                _err(out, row, "parent", _("A task cannot be its own parent."))
            elif parent_code not in existing and parent_code not in file_codes:
                _err(
                    out,
                    row,
                    "parent",
                    _("No task has the code %(code)s in this ledger.") % {"code": parent_code},
                )
        if len(out.errors) > errors_before:
            continue
        helping = fields.pop("helping_units", None)
        if task is None:
            if parent_code and parent_code in existing:
                fields["parent"] = existing[parent_code]
            fields.setdefault("start_date", dt.date(year, 1, 1))
            fields.setdefault("source", TaskSource.OWN)
            out.creates.append(
                TaskCreate(
                    row,
                    {"code": row.code, **fields},
                    [units_by_pk[pk] for pk in helping or []],
                    parent_code=parent_code if parent_code and parent_code not in existing else "",
                )
            )
            continue
        if parent_code is not None:
            parent = existing.get(parent_code) if parent_code else None
            if parent_code and parent is None:
                _err(
                    out,
                    row,
                    "parent",
                    _("The parent task %(code)s is new in this file; create it first.")
                    % {"code": parent_code},
                )
                continue
            fields["parent"] = parent
        changes = _changed(task, fields)
        if helping is not None and set(helping) != helping_ids.get(task.pk, set()):
            changes["helping_units"] = [units_by_pk[pk] for pk in helping]
        if changes:
            out.updates.append(TaskChange(row, task, task.version, changes))
        else:
            out.unchanged += 1

    _plan_changes(parsed, out, office=office, year=year, seen=seen, existing=existing)
    return out


def _share_relations(existing, office, units_by_pk, areas, systems, people) -> None:
    """Point each task's relations at the rows already loaded for the lookups, instead
    of loading a copy of each per task (a province's ledger is 20,000 tasks)."""
    areas = {a.pk: a for a in areas}
    systems = {s.pk: s for s in systems}
    people = {p.pk: p for p in people}
    by_pk = {t.pk: t for t in existing.values()}
    for task in existing.values():
        task.office = office
        task.area = areas[task.area_id]
        task.lead_unit = units_by_pk[task.lead_unit_id]
        task.system = systems.get(task.system_id) if task.system_id else None
        task.responsible_leader = (
            people.get(task.responsible_leader_id) if task.responsible_leader_id else None
        )
        if task.parent_id in by_pk:
            task.parent = by_pk[task.parent_id]


def _err(out: ChangeSet, row: TaskIn, name: str, message: str) -> None:
    out.errors.append(CellError(message, row.table.sheet, row.row, row.table.column(name)))


def _resolve_fields(
    row, task, out, unit_names, areas, systems, people, sources, kinds, helping_ids, units_by_pk
) -> dict[str, Any]:
    v = row.values
    fields: dict[str, Any] = {}
    for name in ("title", "description", "is_key", "start_date", "deadline"):
        if name in v and v[name] not in (None,):
            fields[name] = v[name]
    if "is_key" in v and v["is_key"] is None:
        fields["is_key"] = False
    if "description" in v:
        fields["description"] = v["description"] or ""
    if v.get("area"):
        area, why = areas.find(v["area"], [task.area] if task else [])
        if area is None:
            _err(out, row, "area", _("Unknown reform area %(name)s.") % {"name": v["area"]})
        else:
            fields["area"] = area
    if v.get("lead_unit"):
        fields["lead_unit"] = _unit(out, row, "lead_unit", v["lead_unit"], unit_names, task)
    if "helping_units" in v:
        current = [units_by_pk[pk] for pk in helping_ids.get(task.pk, ())] if task else []
        found = []
        for name in v["helping_units"]:
            unit = _unit(out, row, "helping_units", name, unit_names, task, current)
            if unit is not None:
                found.append(unit.pk)
        fields["helping_units"] = list(dict.fromkeys(found))
    if "system" in v:
        if v["system"]:
            system, _why = systems.find(v["system"], [task.system] if task else [])
            if system is None:
                _err(
                    out, row, "system", _("Unknown reform system %(name)s.") % {"name": v["system"]}
                )
            fields["system"] = system
        else:
            fields["system"] = None
    if "responsible_leader" in v:
        if v["responsible_leader"]:
            person, why = people.find(
                v["responsible_leader"], [task.responsible_leader] if task else []
            )
            if person is None:
                message = (
                    _("Several people are named %(name)s; the leader cannot be told apart.")
                    if why == "ambiguous"
                    else _("Unknown person %(name)s.")
                )
                _err(out, row, "responsible_leader", message % {"name": v["responsible_leader"]})
            fields["responsible_leader"] = person
        else:
            fields["responsible_leader"] = None
    for name, lookup in (("source", sources), ("deliverable_kind", kinds)):
        if v.get(name):
            value = lookup.get(v[name].strip().lower())
            if value is None:
                _err(
                    out,
                    row,
                    name,
                    _("%(value)s is not one of: %(choices)s.")
                    % {
                        "value": v[name],
                        "choices": "、".join(
                            str(label)
                            for label in (
                                TaskSource if name == "source" else DeliverableKind
                            ).labels
                        ),
                    },
                )
            else:
                fields[name] = value
    return {k: val for k, val in fields.items() if val is not None or k in _NULLABLE}


_NULLABLE = {"system", "responsible_leader"}


def _unit(out, row, column, text, unit_names, task, current=()) -> Unit | None:
    if task is not None and column == "lead_unit":
        current = [task.lead_unit]
    unit, why = unit_names.find(text, current)
    if unit is None:
        message = (
            _("Several units are named %(name)s; give the unit's code.")
            if why == "ambiguous"
            else _("Unknown unit %(name)s (give its code or its exact name).")
        )
        _err(out, row, column, message % {"name": text})
        return None
    still_there = task is not None and (
        (column == "lead_unit" and task.lead_unit_id == unit.pk)
        or (column == "helping_units" and unit in current)
    )
    if not unit.is_active and not still_there:
        _err(
            out,
            row,
            column,
            _("The unit %(unit)s no longer exists (merged or dissolved).") % {"unit": unit.name},
        )
        return None
    return unit


def _changed(task: Task, fields: dict[str, Any]) -> dict[str, Any]:
    changes = {}
    for name, value in fields.items():
        current = getattr(task, name)
        same = (
            (current.pk if current is not None else None)
            == (value.pk if value is not None else None)
            if name in ("area", "system", "lead_unit", "responsible_leader", "parent")
            else current == value
        )
        if not same:
            changes[name] = value
    return changes


def _milestone_key(row: MilestoneRow) -> tuple:
    return (
        row.title,
        row.planned_date,
        row.weight,
        row.is_key,
        row.responsible,
        row.expected_evidence,
    )


def _plan_changes(parsed, out: ChangeSet, *, office, year, seen, existing) -> None:
    by_code: dict[str, list[MilestoneIn]] = defaultdict(list)
    for m in parsed.milestones:
        if m.task_code:
            by_code[m.task_code].append(m)
    plans = _plans_in_force(office, year)
    bad_rows = {(e.sheet, e.row) for e in out.errors}
    codes = list(
        dict.fromkeys([*by_code, *(c for c, r in seen.items() if "plan_summary" in r.values)])
    )
    for code in codes:
        rows = by_code.get(code, [])
        task_row = seen.get(code)
        task = existing.get(code)
        if task is None and task_row is None:
            for m in rows:
                out.errors.append(
                    CellError(
                        _("No task has the code %(code)s (neither in this ledger nor in the file).")
                        % {"code": code},
                        m.table.sheet,
                        m.row,
                        m.table.column("task_code"),
                    )
                )
            continue
        if any((m.table.sheet, m.row) in bad_rows for m in rows):
            continue  # its cells are already reported
        orders: dict[int, MilestoneIn] = {}
        duplicate = False
        for m in rows:
            if m.order is not None:
                if m.order in orders:
                    duplicate = True
                    out.errors.append(
                        CellError(
                            _("Task %(code)s has milestone %(n)s twice (also on row %(row)s).")
                            % {"code": code, "n": m.order, "row": orders[m.order].row},
                            m.table.sheet,
                            m.row,
                            m.table.column("order"),
                        )
                    )
                orders[m.order] = m
        if duplicate:
            continue
        rows = sorted(rows, key=lambda m: (m.order is None, m.order or 0))
        plan = plans.get(task.pk) if task else None
        current = plan.milestones if plan else []
        wanted = [
            _milestone_row(m, current[i] if i < len(current) else None) for i, m in enumerate(rows)
        ]
        summary = plan.summary if plan else ""
        if task_row is not None and "plan_summary" in task_row.values:
            summary = task_row.values["plan_summary"] or ""
        if not wanted:
            if plan is None or summary == plan.summary:
                continue
            wanted = list(current)
        if (
            plan is not None
            and summary == plan.summary
            and [_milestone_key(r) for r in wanted] == [_milestone_key(m) for m in current]
        ):
            continue
        where = rows[0] if rows else None
        if plan is not None and plan.status == PlanStatus.APPROVED:
            message = _("The plan of %(code)s is approved: revise it in the system.") % {
                "code": code
            }
            _plan_error(out, message, where, task_row)
            continue
        if plan is not None and plan.status == PlanStatus.SUBMITTED:
            message = _(
                "The plan of %(code)s is awaiting approval; approve or return it before "
                "changing it."
            ) % {"code": code}
            _plan_error(out, message, where, task_row)
            continue
        out.plans.append(PlanChange(code, task_row, rows, summary, wanted))


def _plan_error(out, message, where: MilestoneIn | None, task_row: TaskIn | None) -> None:
    if where is not None:
        out.errors.append(CellError(message, where.table.sheet, where.row))
    elif task_row is not None:
        out.errors.append(
            CellError(
                message, task_row.table.sheet, task_row.row, task_row.table.column("plan_summary")
            )
        )


def _milestone_row(m: MilestoneIn, current: MilestoneRow | None) -> MilestoneRow:
    v = m.values

    def pick(name: str, default: Any) -> Any:
        if name in v and v[name] is not None:
            return v[name]
        if name in m.table.columns:  # the column is there and the cell is blank
            return default
        return getattr(current, name) if current is not None else default

    return MilestoneRow(
        title=v.get("title") or "",
        planned_date=v.get("planned_date"),
        weight=v.get("weight") if v.get("weight") is not None else 0,
        is_key=bool(pick("is_key", False)),
        responsible=pick("responsible", ""),
        expected_evidence=pick("expected_evidence", ""),
    )


_IN_FORCE = [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.REJECTED, PlanStatus.APPROVED]


@dataclass(slots=True)
class _Plan:
    """A task's plan in force, as compared: the revision being written, else the
    approved one (read as plain values: a province's plans fit in memory this way)."""

    status: str
    summary: str
    milestones: list[MilestoneRow] = field(default_factory=list)


def _plans_in_force(office: Unit, year: int) -> dict[int, _Plan]:
    by_task: dict[int, tuple[int, _Plan]] = {}
    for task_id, plan_id, status, summary in Plan.objects.filter(
        task__office=office, task__year=year, status__in=_IN_FORCE
    ).values_list("task_id", "id", "status", "summary"):
        if task_id not in by_task or status != PlanStatus.APPROVED:
            by_task[task_id] = (plan_id, _Plan(status, summary))
    by_plan = dict(by_task.values())
    rows = (
        Milestone.objects.filter(
            plan__task__office=office, plan__task__year=year, plan__status__in=_IN_FORCE
        )
        .order_by("plan_id", "order", "id")
        .values_list(
            "plan_id",
            "title",
            "planned_date",
            "weight",
            "is_key",
            "responsible",
            "expected_evidence",
        )
    )
    for plan_id, *values in rows.iterator(chunk_size=5000):
        plan = by_plan.get(plan_id)
        if plan is not None:
            plan.milestones.append(MilestoneRow(*values))
    return {task_id: plan for task_id, (_id, plan) in by_task.items()}
