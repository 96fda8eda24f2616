"""Comparing a task list read from a workbook with the ledger, before anything is written.

The result (`ChangeSet`) says which tasks are new, which fields of which tasks
change (only those: a value equal to the ledger's is no change), which draft plans
are rewritten, how every name was resolved, which rows belong to another ledger,
and every error, each named by sheet, row and column.

Names are found as offices write them: units through `orgs.matching.UnitMatcher`
(codes, names, short and former names, aliases, collective names such as 各县（区）)
and leaders through `PersonMatcher` (by name or by title: 张副市长). A name the
system does not know is an error until the clerk picks the unit in the preview
(`Decisions.units`); the pick becomes an alias of that unit when the import is
written, so the office's next file needs no answer. When a name is shared, the
value the task already has wins, so a file exported from the ledger always reads
back as it was written. Columns the sheet does not have take the defaults shown in
the preview; a sheet without codes is matched on titles and new tasks get codes.
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
from reformledger.ledger.choices import DeliverableKind, PlanStatus, TaskSource, TaskStatus
from reformledger.ledger.documents.task_list_reading import (
    Decisions,
    MilestoneIn,
    Sheet,
    TaskIn,
    TaskListFile,
    assumed_start,
    date_years,
    read_dates,
)
from reformledger.ledger.models import Milestone, Plan, ReformArea, ReformSystem, Task
from reformledger.ledger.validation import MilestoneRow, task_date_errors
from reformledger.orgs.matching import PersonMatch, PersonMatcher, UnitMatch, UnitMatcher
from reformledger.orgs.models import Person, Unit

# --- what an import would do ------------------------------------------------------

#: How many rows naming a unit or a leader are kept for the preview (all are counted).
NAME_ROWS = 20


@dataclass(frozen=True)
class NewPerson:
    """A responsible leader the clerk adds from the preview; created when written."""

    name: str
    title: str

    @property
    def pk(self) -> None:  # compares as "no person yet" with the task's current value
        return None


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
class UnitName:
    """A unit name as the file writes it, where, and what it was found to be."""

    text: str
    column: str
    rows: list[tuple[str, int]] = field(default_factory=list)  # the first few
    match: UnitMatch | None = None
    chosen: Unit | None = None  # the clerk's pick
    alias: bool = False  # the pick is remembered as an alias when the file is written
    count: int = 0  # the rows naming it

    def seen_on(self, sheet: str, row: int) -> None:
        self.count += 1
        if len(self.rows) < NAME_ROWS:
            self.rows.append((sheet, row))

    @property
    def units(self) -> list[Unit]:
        if self.chosen is not None:
            return [self.chosen]
        return list(self.match.units) if self.match is not None and self.match.found else []

    @property
    def status(self) -> str:
        """found, chosen, collective, merged, unknown or ambiguous."""
        if self.chosen is not None:
            return "chosen"
        m = self.match
        if m is None or not m.found:
            return "ambiguous" if m is not None and m.ambiguous else "unknown"
        if m.how == "collective":
            return "collective"
        if m.merged_from is not None:
            return "merged"
        return "found"


@dataclass
class LeaderName:
    """A responsible leader as the file writes it, and who it was found to be."""

    text: str
    rows: list[tuple[str, int]] = field(default_factory=list)  # the first few
    match: PersonMatch | None = None
    chosen: Person | NewPerson | None = None
    count: int = 0  # the rows naming them

    def seen_on(self, sheet: str, row: int) -> None:
        self.count += 1
        if len(self.rows) < NAME_ROWS:
            self.rows.append((sheet, row))

    @property
    def person(self) -> Person | NewPerson | None:
        if self.chosen is not None:
            return self.chosen
        return self.match.person if self.match is not None else None

    @property
    def status(self) -> str:
        if isinstance(self.chosen, NewPerson):
            return "new"
        if self.chosen is not None:
            return "chosen"
        if self.match is not None and self.match.found:
            return "found"
        return "ambiguous" if self.match is not None and self.match.ambiguous else "unknown"


@dataclass
class Conflict:
    """A row whose task changed in the ledger after the file was exported: the file's
    values and the ledger's, field by field, for the clerk to choose."""

    row: TaskIn
    task: Task
    file_version: int
    changes: dict[str, Any]


@dataclass
class ChangeSet:
    """What an import would do, found before anything is written."""

    creates: list[TaskCreate] = field(default_factory=list)
    updates: list[TaskChange] = field(default_factory=list)
    plans: list[PlanChange] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    units: dict[tuple[str, str], UnitName] = field(default_factory=dict)
    leaders: dict[str, LeaderName] = field(default_factory=dict)
    unknown_areas: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: Rows that belong to another office's ledger: (row, that office).
    other_ledger: list[tuple[TaskIn, Unit]] = field(default_factory=list)
    #: Columns the sheet lacks and the value each task took: {field: value}.
    defaults: dict[str, Any] = field(default_factory=dict)
    #: Tasks of a sheet without codes: {row: code given}, and how many were found by title.
    generated_codes: dict[int, str] = field(default_factory=dict)
    matched_by_title: int = 0
    #: Rows whose area came from the heading they stand under: {heading: area}.
    section_areas: dict[str, ReformArea | None] = field(default_factory=dict)
    #: Rows whose task changed since the file was exported, not yet settled.
    conflicts: list[Conflict] = field(default_factory=list)
    #: Rows whose task changed since, where the clerk kept the ledger's values.
    kept: int = 0
    #: {code: 进展情况} of the rows, when the clerk keeps them as report drafts.
    progress_texts: dict[str, str] = field(default_factory=dict)

    def aliases(self) -> list[tuple[str, Unit]]:
        """The clerk's picks to remember as aliases when the file is written."""
        return [(n.text, n.chosen) for n in self.units.values() if n.alias and n.chosen]


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
    """Find a row (area, system…) by code or exact name, preferring the current
    value when a name is shared (so a file exported from the ledger always reads back).

    The keys are tried in tiers, most specific first (a code before a name).
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
        """(object, "") or (None, "unknown" | "ambiguous")."""
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


@dataclass
class _Context:
    """What the comparison reads once per import."""

    office: Unit
    year: int
    decisions: Decisions
    matcher: UnitMatcher
    people: PersonMatcher
    units_by_pk: dict[int, Unit]
    areas: _Names
    area_rows: list[ReformArea]
    systems: _Names
    sources: dict[str, str]
    kinds: dict[str, str]
    default_area: ReformArea | None


def office_host(office: Unit) -> Unit | None:
    """The unit hosting a reform office (the city for 市委改革办): its names come first."""
    return type(office).objects.get_parent(office) if office.depth > 1 else None


def plan_changes(
    parsed: TaskListFile, *, office: Unit, year: int, decisions: Decisions | None = None
) -> ChangeSet:
    """Compare the rows read with the office's ledger for `year`: what to create, which
    fields of which tasks change, which draft plans are rewritten, how each name was
    found, and what is wrong. (`Comparison` does the same a chunk of rows at a time.)"""
    comparison = Comparison(office=office, year=year, decisions=decisions, errors=parsed.errors)
    comparison.tasks(parsed.tasks)
    comparison.finish_tasks()
    by_code: dict[str, list[MilestoneIn]] = defaultdict(list)
    for m in parsed.milestones:
        if m.task_code:
            by_code[m.task_code].append(m)
    comparison.milestones(by_code)
    return comparison.finish()


#: Rows compared with the ledger at a time: one query fetches their tasks.
CHUNK = 250


def compare_task_list(
    parsed: TaskListFile,
    sheets: list[Sheet],
    *,
    office: Unit,
    year: int,
    decisions: Decisions | None = None,
) -> ChangeSet:
    """Read the sheets' rows (`reading.open_task_list`) a chunk at a time and compare
    each chunk with the ledger as it comes, reading dates as deadlines of `year`: the
    file is never held whole, only what would change and what is wrong (see
    `Comparison`). What the reading finds wrong goes into the same list of errors.

    A task's milestone rows are compared together; they are expected one after the
    other, as the export writes them. A file that scatters them is read again, its
    milestones held whole this time."""
    comparison = Comparison(
        office=office, year=year, decisions=decisions, errors=parsed.errors, share_errors=True
    )
    for sheet in sheets:
        if sheet.kind == "tasks":
            for chunk in _chunks(sheet.task_rows(parsed)):
                parsed.year_evidence.update(date_years(parsed, chunk))
                read_dates(parsed, year=year, tasks=chunk, milestones=[])
                comparison.tasks(chunk)
    comparison.finish_tasks()
    milestone_sheets = [s for s in sheets if s.kind != "tasks"]
    marks = (len(parsed.errors), len(comparison.out.plans), len(parsed.skipped))
    try:
        _milestones_in_runs(parsed, milestone_sheets, comparison, year)
    except _Scattered:
        del parsed.errors[marks[0] :]
        del comparison.out.plans[marks[1] :]
        del parsed.skipped[marks[2] :]
        comparison.planned = set()
        by_code: dict[str, list[MilestoneIn]] = defaultdict(list)
        for sheet in milestone_sheets:
            for m in sheet.milestone_rows(parsed):
                read_dates(parsed, year=year, tasks=[], milestones=[m])
                if m.task_code:
                    by_code[m.task_code].append(m)
        comparison.milestones(by_code)
    return comparison.finish()


class _Scattered(Exception):
    """A task's milestone rows are not one after the other."""


def _chunks(rows):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _milestones_in_runs(parsed, sheets: list[Sheet], comparison: "Comparison", year: int) -> None:
    """Compare the milestone rows a run of tasks at a time; _Scattered when a task's
    rows come back after another task's."""
    done = comparison.planned  # the tasks whose milestones are compared already
    pending: dict[str, list[MilestoneIn]] = {}
    current = None
    for sheet in sheets:
        for m in sheet.milestone_rows(parsed):
            read_dates(parsed, year=year, tasks=[], milestones=[m])
            code = m.task_code
            if not code:
                continue
            if code != current:
                if code in pending or code in done:
                    raise _Scattered(code)
                if len(pending) >= CHUNK:
                    comparison.milestones(pending)
                    pending = {}
                current = code
                pending[code] = []
            pending[code].append(m)
    if pending:
        comparison.milestones(pending)


class Comparison:
    """Compares a task list with the office's ledger a chunk of rows at a time, so a
    province's file is never held whole: each chunk's tasks (and plans) are fetched
    by code, the rows that change nothing are counted and let go, and only what would
    be written, what is asked and what is wrong stays (`finish()` gives the ChangeSet).

    Task rows come first (`tasks`, then `finish_tasks`), then milestone rows grouped
    by task code (`milestones`). What needs the whole file waits for `finish_tasks`:
    rows without a code (matched on titles or given codes), and new tasks whose
    parent is not in the ledger (it must be somewhere in the file)."""

    def __init__(
        self,
        *,
        office: Unit,
        year: int,
        decisions: Decisions | None = None,
        errors: list[CellError] | None = None,
        share_errors: bool = False,
    ):
        decisions = decisions or Decisions()
        self.office, self.year = office, year
        errors = errors if errors is not None else []
        self.out = ChangeSet(errors=errors if share_errors else list(errors))
        self.units_by_pk = {u.pk: u for u in Unit.objects.all()}
        self.area_rows = list(ReformArea.objects.order_by("order", "code"))
        self.system_rows = list(ReformSystem.objects.all())
        self.person_rows = list(Person.objects.select_related("unit"))
        self.ctx = _Context(
            office=office,
            year=year,
            decisions=decisions,
            matcher=UnitMatcher.load(within=office_host(office)),
            people=PersonMatcher(self.person_rows),
            units_by_pk=self.units_by_pk,
            areas=_Names(self.area_rows, lambda a: (a.code, a.name, a.name_en)),
            area_rows=self.area_rows,
            systems=_Names(self.system_rows, lambda s: (s.code, s.name)),
            sources=_choice_lookup(TaskSource),
            kinds=_choice_lookup(DeliverableKind),
            default_area=_default_area(decisions, self.area_rows),
        )
        _resolve_choices(self.ctx, self.out)
        #: The file's task codes and the row each is on.
        self.seen: dict[str, int] = {}
        #: Rows whose plan summary is not the plan's in force (or a new task's).
        self.summaries: dict[str, TaskIn] = {}
        #: Rows without a code, compared once every code of the file is known.
        self.codeless: list[TaskIn] = []
        #: New tasks under a parent not in the ledger, and rows of tasks whose parent
        #: is not in the ledger: checked against the file's codes at the end.
        self.unknown_parents: list[tuple[TaskIn, str, bool]] = []
        self.planned: set[str] = set()

    # --- task rows ---------------------------------------------------------------

    def tasks(self, rows: list[TaskIn]) -> None:
        """Compare a chunk of task rows (any length) with their tasks in the ledger."""
        for start in range(0, len(rows), CHUNK):
            self._task_chunk(rows[start : start + CHUNK])

    def _task_chunk(self, rows: list[TaskIn], given_codes: bool = False) -> None:
        out, ctx = self.out, self.ctx
        if not given_codes:
            coded = []
            for row in rows:
                (coded if row.code else self.codeless).append(row)
            rows = coded
        if not rows:
            return
        wanted = {r.code for r in rows} | {
            r.values["parent"] for r in rows if r.values.get("parent")
        }
        existing = {
            t.code: t
            for t in Task.objects.filter(office=self.office, year=self.year, code__in=wanted)
        }
        codes = {r.code for r in rows}
        mine = [t for code, t in existing.items() if code in codes]
        helping_ids: dict[int, set[int]] = defaultdict(set)
        for task_id, unit_id in Task.helping_units.through.objects.filter(
            task__in=[t.pk for t in mine]
        ).values_list("task_id", "unit_id"):
            helping_ids[task_id].add(unit_id)
        _share_relations(
            existing,
            self.office,
            self.units_by_pk,
            self.area_rows,
            self.system_rows,
            self.person_rows,
        )
        plans = _plan_summaries(
            [t.pk for t in mine if any("plan_summary" in r.values for r in rows)]
        )
        rows = _own_rows(rows, out, office=self.office, year=self.year, existing=existing)
        for row in rows:
            if row.code in self.seen:
                out.errors.append(
                    CellError(
                        _("The code %(code)s is already on row %(row)s.")
                        % {"code": row.code, "row": self.seen[row.code]},
                        row.table.sheet,
                        row.row,
                        row.table.column("code"),
                    )
                )
                continue
            self.seen[row.code] = row.row
            task = existing.get(row.code)
            if "plan_summary" in row.values:
                plan = plans.get(task.pk) if task is not None else None
                summary = row.values["plan_summary"] or ""
                if (plan is None and summary) or (plan is not None and summary != plan):
                    self.summaries[row.code] = row
            if row.values.get("progress_text") and ctx.decisions.offers.get("progress_drafts"):
                out.progress_texts[row.code] = row.values["progress_text"]
            self._task_row(row, task, existing, helping_ids)

    def _task_row(self, row: TaskIn, task, existing, helping_ids) -> None:
        out, ctx = self.out, self.ctx
        errors_before = len(out.errors)
        fields = _resolve_fields(ctx, row, task, out, helping_ids)
        parent_code = row.values.get("parent", "") if "parent" in row.values else None
        if parent_code:
            if parent_code == row.code:
                _err(out, row, "parent", _("A task cannot be its own parent."))
            elif parent_code not in existing:
                # Somewhere in the file, or nowhere: known once every row is read.
                self.unknown_parents.append((row, parent_code, task is not None))
                if task is not None:
                    return
        if len(out.errors) > errors_before:
            return
        helping = fields.pop("helping_units", None)
        if task is None:
            if parent_code and parent_code in existing:
                fields["parent"] = existing[parent_code]
            for name, value in _creation_defaults(ctx, row, out).items():
                fields.setdefault(name, value)
            if _date_errors(out, row, fields.get("start_date"), fields.get("deadline")):
                return
            out.creates.append(
                TaskCreate(
                    row,
                    {"code": row.code, **fields},
                    [self.units_by_pk[pk] for pk in helping or []],
                    parent_code=parent_code if parent_code and parent_code not in existing else "",
                )
            )
            return
        if parent_code is not None:
            fields["parent"] = existing.get(parent_code) if parent_code else None
        if _date_errors(
            out,
            row,
            fields.get("start_date", task.start_date),
            fields.get("deadline", task.deadline),
        ):
            return
        changes = _changed(task, fields)
        if helping is not None and set(helping) != helping_ids.get(task.pk, set()):
            changes["helping_units"] = [self.units_by_pk[pk] for pk in helping]
        if not changes:
            out.unchanged += 1
        elif task.status == TaskStatus.CLOSED:
            _err(
                out,
                row,
                "code",
                _("%(code)s is closed (销账): reopen it in the system before changing it.")
                % {"code": task.code},
            )
        elif _stale(row, task) and ctx.decisions.conflicts.get(task.code) != "file":
            if ctx.decisions.conflicts.get(task.code) == "ledger":
                out.kept += 1
            else:
                out.conflicts.append(Conflict(row, task, row.values["version"], changes))
                _err(
                    out,
                    row,
                    "code",
                    _(
                        "%(code)s was changed in the ledger after this file was exported: "
                        "choose whether the file or the ledger is kept."
                    )
                    % {"code": task.code},
                )
        else:
            out.updates.append(TaskChange(row, task, task.version, changes))

    def finish_tasks(self) -> None:
        """Once every task row is read: the rows without a code, and the parents that
        are not in the ledger."""
        if self.codeless:
            rows, self.codeless = self.codeless, []
            _give_codes(
                rows,
                self.out,
                office=self.office,
                year=self.year,
                taken=set(self.seen),
            )
            for start in range(0, len(rows), CHUNK):
                self._task_chunk(rows[start : start + CHUNK], given_codes=True)
        out = self.out
        dropped: set[int] = set()
        for row, parent_code, existing_task in self.unknown_parents:
            if parent_code not in self.seen:
                _err(
                    out,
                    row,
                    "parent",
                    _("No task has the code %(code)s in this ledger.") % {"code": parent_code},
                )
                dropped.add(id(row))
            elif existing_task:
                _err(
                    out,
                    row,
                    "parent",
                    _("The parent task %(code)s is new in this file; create it first.")
                    % {"code": parent_code},
                )
        if dropped:
            out.creates = [c for c in out.creates if id(c.row) not in dropped]
        self.unknown_parents = []

    # --- milestone rows ------------------------------------------------------------

    def milestones(self, by_code: dict[str, list[MilestoneIn]]) -> None:
        """Compare the milestone rows of some tasks (every row of each task named)
        with their plans in force."""
        codes = list(by_code)
        for start in range(0, len(codes), CHUNK):
            chunk = codes[start : start + CHUNK]
            self._plan_chunk({code: by_code[code] for code in chunk})

    def _plan_chunk(self, by_code: dict[str, list[MilestoneIn]]) -> None:
        self.planned |= set(by_code)
        existing = dict(
            Task.objects.filter(
                office=self.office, year=self.year, code__in=list(by_code)
            ).values_list("code", "pk")
        )
        plans = _plans_in_force(self.office, self.year, task_ids=list(existing.values()))
        _plan_changes(self.out, by_code, existing, plans, self.seen, self.summaries)

    def finish(self) -> ChangeSet:
        """The ChangeSet, once every row is in: plans whose summary alone changed."""
        rest = [code for code in self.summaries if code not in self.planned]
        for start in range(0, len(rest), CHUNK):
            self._plan_chunk({code: [] for code in rest[start : start + CHUNK]})
        return self.out


def _stale(row: TaskIn, task: Task) -> bool:
    """The row was exported at an older version of its task than the ledger's now."""
    version = row.values.get("version")
    return version is not None and version < task.version


def _date_errors(out: ChangeSet, row: TaskIn, start, deadline) -> bool:
    """A deadline before the start is named on the row now, with every other error,
    instead of surfacing only when the task is written."""
    errors = task_date_errors(start, deadline)
    for name, message in errors.items():
        _err(out, row, name, message)
    return bool(errors)


def _default_area(decisions: Decisions, areas: list[ReformArea]) -> ReformArea | None:
    wanted = decisions.defaults.get("area")
    chosen = next((a for a in areas if str(a.pk) == str(wanted)), None) if wanted else None
    return chosen or (areas[0] if areas else None)


def _resolve_choices(ctx: _Context, out: ChangeSet) -> None:
    """Check that what the clerk picked still exists (a unit merged meanwhile)."""
    for text, pk in ctx.decisions.units.items():
        unit = ctx.units_by_pk.get(pk)
        if unit is None or not unit.is_active:
            out.errors.append(
                CellError(
                    _("The unit chosen for %(name)s no longer exists; choose again.")
                    % {"name": text}
                )
            )


def _own_rows(rows: list[TaskIn], out: ChangeSet, *, office: Unit, year: int, existing):
    """The rows of this ledger; rows of another office's ledger (a county's own tasks
    in the city's export) are left to that ledger: by their ledger column, or by a
    code that is another office's this year and not this one's."""
    codes = {r.code for r in rows if r.code and r.code not in existing}
    theirs = (
        dict(
            Task.objects.filter(year=year, code__in=codes)
            .exclude(office=office)
            .values_list("code", "office")
        )
        if codes
        else {}
    )
    offices = {u.pk: u for u in Unit.objects.filter(pk__in=set(theirs.values()))}
    names = {office.name, office.short_name, office.code, office.label} - {""}
    mine = []
    for row in rows:
        if row.code in theirs:
            out.other_ledger.append((row, offices[theirs[row.code]]))
            continue
        ledger_text = row.values.get("ledger", "")
        if ledger_text and ledger_text not in names:
            found = next(
                (
                    o
                    for o in Unit.objects.filter(kind="office")
                    if ledger_text in (o.name, o.short_name, o.code, o.label)
                ),
                None,
            )
            if found is not None and found.pk != office.pk:
                out.other_ledger.append((row, found))
                continue
        mine.append(row)
    return mine


def _title_key(text: str) -> str:
    return re.sub(r"\s+", "", fold(text or ""))


def _give_codes(
    rows: list[TaskIn], out: ChangeSet, *, office: Unit, year: int, taken: set[str]
) -> None:
    """Rows without a code: the task of the same title in this ledger, else a new code
    (the year and the row's 序号, or the next free number), shown in the preview."""
    by_title: dict[str, str] = {}
    for code, title in Task.objects.filter(office=office, year=year).values_list("code", "title"):
        by_title[_title_key(title)] = code
        taken.add(code)
    number = 0
    for row in rows:
        code = by_title.get(_title_key(row.values.get("title", "")))
        if code is not None:
            out.matched_by_title += 1
        else:
            no = row.values.get("no", "")
            code = f"{year}-{int(no):03d}" if str(no).isdigit() else ""
            if not code or code in taken:
                while True:
                    number += 1
                    code = f"{year}-{number:03d}"
                    if code not in taken:
                        break
            out.generated_codes[row.row] = code
        taken.add(code)
        row.code = code


def _creation_defaults(ctx: _Context, row: TaskIn, out: ChangeSet) -> dict[str, Any]:
    """Values of the columns the sheet lacks, for a new task (shown in the preview)."""
    d = ctx.decisions.defaults
    values: dict[str, Any] = {}
    columns = row.table.columns
    if "start_date" not in columns or not row.values.get("start_date"):
        start = d.get("start_date")
        values["start_date"] = dt.date.fromisoformat(start) if start else assumed_start(ctx.year)
        out.defaults["start_date"] = values["start_date"]
    if "deadline" not in columns:
        values["deadline"] = dt.date(ctx.year, 12, 31)
        out.defaults["deadline"] = values["deadline"]
    if "deliverable_kind" not in columns or not row.values.get("deliverable_kind"):
        values["deliverable_kind"] = d.get("deliverable_kind") or DeliverableKind.POLICY
        out.defaults["deliverable_kind"] = values["deliverable_kind"]
    if "source" not in columns or not row.values.get("source"):
        values["source"] = d.get("source") or TaskSource.OWN
        out.defaults["source"] = values["source"]
    if "area" not in columns or not row.values.get("area"):
        area = _section_area(ctx, row, out) or ctx.default_area
        values["area"] = area
        if not row.section or out.section_areas.get(row.section) is None:
            out.defaults["area"] = ctx.default_area
    return values


def _section_area(ctx: _Context, row: TaskIn, out: ChangeSet) -> ReformArea | None:
    """The area a heading row names (一、经济体制改革), for the rows under it."""
    if not row.section:
        return None
    if row.section not in out.section_areas:
        key = _title_key(row.section)
        found = next(
            (
                a
                for a in ctx.area_rows
                if _title_key(a.name) and (_title_key(a.name) in key or key in _title_key(a.name))
            ),
            None,
        )
        out.section_areas[row.section] = found
    return out.section_areas[row.section]


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


def _resolve_fields(ctx: _Context, row: TaskIn, task, out, helping_ids) -> dict[str, Any]:
    v = row.values
    fields: dict[str, Any] = {}
    for name in ("title", "description", "is_key", "start_date", "deadline"):
        if name in v and v[name] not in (None,):
            fields[name] = v[name]
    if "is_key" in v and v["is_key"] is None:
        fields["is_key"] = False
    if "description" in v:
        fields["description"] = v["description"] or ""
    if "deadline" in row.table.columns and not v.get("deadline"):
        fields["deadline"] = dt.date(ctx.year, 12, 31)  # a blank deadline: the year's end
    if v.get("area"):
        area, _why = ctx.areas.find(v["area"], [task.area] if task else [])
        chosen = ctx.decisions.areas.get(v["area"])
        if area is None and chosen:
            area = next((a for a in ctx.area_rows if a.pk == chosen), None)
        if area is None:
            out.unknown_areas.setdefault(v["area"], []).append((row.table.sheet, row.row))
            _err(out, row, "area", _("Unknown reform area %(name)s.") % {"name": v["area"]})
        else:
            fields["area"] = area
    current_helping = [ctx.units_by_pk[pk] for pk in helping_ids.get(task.pk, ())] if task else []
    if v.get("lead_unit"):
        leads = _units(
            ctx, out, row, "lead_unit", v["lead_unit"], task, [task.lead_unit] if task else []
        )
        if leads:
            fields["lead_unit"] = leads[0]
            if len(leads) > 1:  # co-leads: the first leads, the others help
                v.setdefault("helping_units", [])
                fields["_co_leads"] = leads[1:]
    if "helping_units" in v or fields.get("_co_leads"):
        found = []
        for text in v.get("helping_units", []) if "helping_units" in row.table.columns else []:
            found += _units(ctx, out, row, "helping_units", [text], task, current_helping)
        found += fields.pop("_co_leads", [])
        lead = fields.get("lead_unit") or (task.lead_unit if task else None)
        ids = [u.pk for u in found if lead is None or u.pk != lead.pk]
        if "helping_units" in row.table.columns or ids:
            fields["helping_units"] = list(dict.fromkeys(ids))
    fields.pop("_co_leads", None)
    if "system" in v:
        if v["system"]:
            system, _why = ctx.systems.find(v["system"], [task.system] if task else [])
            if system is None:
                _err(
                    out, row, "system", _("Unknown reform system %(name)s.") % {"name": v["system"]}
                )
            fields["system"] = system
        else:
            fields["system"] = None
    if "responsible_leader" in v:
        text = v["responsible_leader"]
        fields["responsible_leader"] = _leader(ctx, out, row, text, task) if text else None
    for name, lookup in (("source", ctx.sources), ("deliverable_kind", ctx.kinds)):
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


def _units(ctx: _Context, out: ChangeSet, row: TaskIn, column: str, texts, task, current):
    """The units a cell names: each text matched (or picked by the clerk), a collective
    name expanded (not for the lead unit: one unit leads), errors named on the cell."""
    found: list[Unit] = []
    for text in texts:
        name = out.units.get((column, text))
        if name is None:
            name = UnitName(text, column, match=ctx.matcher.match(text))
            chosen = ctx.decisions.units.get(text)
            if chosen and ctx.units_by_pk.get(chosen) is not None:
                name.chosen = ctx.units_by_pk[chosen]
                name.alias = name.match.how == "" and not name.match.ambiguous
            out.units[(column, text)] = name
        name.seen_on(row.table.sheet, row.row)
        units = name.units
        if not units and name.match is not None and name.match.ambiguous:
            shared = {c.pk for c, _s in name.match.candidates}
            mine = [u for u in current if u is not None and u.pk in shared]
            if len(mine) > 1:  # the task has several of them: the one written exactly
                mine = [u for u in mine if fold(u.name) == fold(text)]
            if len(mine) == 1:
                units = mine
        if name.status == "collective" and column == "lead_unit" and name.chosen is None:
            _err(
                out,
                row,
                column,
                _("%(name)s names several units; choose the one that leads.") % {"name": text},
            )
            continue
        if not units:
            message = (
                _("Several units are named %(name)s; choose one in the preview.")
                if name.status == "ambiguous"
                else _("Unknown unit %(name)s: choose the unit it stands for.")
            )
            _err(out, row, column, message % {"name": text})
            continue
        for unit in units:
            still_there = unit in current
            if not unit.is_active and not still_there:
                _err(
                    out,
                    row,
                    column,
                    _("The unit %(unit)s no longer exists (merged or dissolved).")
                    % {"unit": unit.name},
                )
                continue
            found.append(unit)
    return found


def _leader(ctx: _Context, out: ChangeSet, row: TaskIn, text: str, task):
    name = out.leaders.get(text)
    if name is None:
        name = LeaderName(text, match=ctx.people.match(text))
        chosen = ctx.decisions.leaders.get(text)
        if isinstance(chosen, dict) and chosen.get("name"):
            name.chosen = NewPerson(str(chosen["name"])[:50], str(chosen.get("title", ""))[:100])
        elif chosen:
            name.chosen = (
                next((p for p, _s in name.match.candidates if str(p.pk) == str(chosen)), None)
                or Person.objects.filter(pk=chosen).first()
            )
        out.leaders[text] = name
    name.seen_on(row.table.sheet, row.row)
    person = name.person
    current = task.responsible_leader if task is not None else None
    if (
        person is None
        and current is not None
        and name.match is not None
        and any(p.pk == current.pk for p, _s in name.match.candidates)
    ):
        person = current  # a shared name reads back as the leader the task has
    if person is None:
        message = (
            _("Several people fit %(name)s; choose the leader in the preview.")
            if name.status == "ambiguous"
            else _("Unknown leader %(name)s: choose the person, or add them in the preview.")
        )
        _err(out, row, "responsible_leader", message % {"name": text})
    return person


_RELATIONS = ("area", "system", "lead_unit", "responsible_leader", "parent")


def _changed(task: Task, fields: dict[str, Any]) -> dict[str, Any]:
    changes = {}
    for name, value in fields.items():
        if name in _RELATIONS:  # by id: a relation not loaded costs no query
            same = getattr(task, f"{name}_id") == (value.pk if value is not None else None)
        else:
            same = getattr(task, name) == value
        if not same or isinstance(value, NewPerson):
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


def _plan_changes(
    out: ChangeSet,
    by_code: dict[str, list[MilestoneIn]],
    existing: dict[str, int],
    plans: dict[int, "_Plan"],
    seen: dict[str, int],
    summaries: dict[str, TaskIn],
) -> None:
    """The plans of the tasks `by_code` names (their milestone rows, maybe none):
    `existing` gives the ledger's task ids by code, `seen` the file's task codes, and
    `summaries` the task rows whose plan summary differs from the plan in force."""
    bad_rows = {(e.sheet, e.row) for e in out.errors if e.row}
    for code, rows in by_code.items():
        task_row = summaries.get(code)
        task_id = existing.get(code)
        if task_id is None and code not in seen:
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
        plan = plans.get(task_id) if task_id is not None else None
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


def _in_force(office: Unit, year: int, task_ids: list[int] | None):
    plans = Plan.objects.filter(status__in=_IN_FORCE)
    if task_ids is None:
        return plans.filter(task__office=office, task__year=year)
    return plans.filter(task_id__in=task_ids)


def _plan_summaries(task_ids: list[int]) -> dict[int, str]:
    """{task id: the summary of its plan in force} (the revision being written, else
    the approved one)."""
    if not task_ids:
        return {}
    by_task: dict[int, str] = {}
    for task_id, status, summary in (
        Plan.objects.filter(status__in=_IN_FORCE, task_id__in=task_ids)
        .order_by("task_id", "id")
        .values_list("task_id", "status", "summary")
    ):
        if task_id not in by_task or status != PlanStatus.APPROVED:
            by_task[task_id] = summary
    return by_task


def _plans_in_force(
    office: Unit, year: int, *, task_ids: list[int] | None = None
) -> dict[int, _Plan]:
    """The plans in force of `office`'s ledger for `year` (or of the tasks given)."""
    if task_ids is not None and not task_ids:
        return {}
    by_task: dict[int, tuple[int, _Plan]] = {}
    for task_id, plan_id, status, summary in (
        _in_force(office, year, task_ids)
        .order_by("task_id", "id")
        .values_list("task_id", "id", "status", "summary")
    ):
        if task_id not in by_task or status != PlanStatus.APPROVED:
            by_task[task_id] = (plan_id, _Plan(status, summary))
    by_plan = dict(by_task.values())
    rows = (
        Milestone.objects.filter(plan_id__in=list(by_plan))
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
        by_plan[plan_id].milestones.append(MilestoneRow(*values))
    return {task_id: plan for task_id, (_id, plan) in by_task.items()}
