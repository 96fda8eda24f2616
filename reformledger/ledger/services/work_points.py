"""Drafting the year's task list from its work points (年度工作要点 → 项目清单), as an act.

The document is read (`documents.work_points`), the clerk's answers are applied to
the items read — a title, lead unit or deadline edited, two items merged, one
split, one dropped, a heading taken as an area or as a parent task, a paragraph
outside the numbering taken as an item — and the drafts are compared with the
ledger: an item whose paragraph (by its hash) or title the ledger already holds is
left alone, and the others go through the task-list comparison
(`task_list_changes.plan_changes`), so units are found and settled exactly as the
task-list import finds and settles them, and the answers become aliases.

Confirming writes everything at once: the programme (from the document's title,
number and date, unless the office has one for the year), the document (kept for
download), one work point per item read, and the tasks through `task_create`, each
pointing at its work point. Uploading the same document again writes nothing.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.jobs import JobKind, Progress, ReviewAgain, remembered_columns
from reformledger.exchange.models import ImportJob
from reformledger.exchange.parsing import Table
from reformledger.ledger import permissions
from reformledger.ledger.documents.task_list import TASK_COLUMNS
from reformledger.ledger.documents.task_list_changes import ChangeSet, plan_changes
from reformledger.ledger.documents.task_list_reading import Decisions, TaskIn, TaskListFile
from reformledger.ledger.documents.work_points import (
    Heading,
    Item,
    Line,
    WorkPointsFile,
    choose_deadline,
    number_length,
    read_item,
    read_work_points,
    title_key,
)
from reformledger.ledger.models import ReformArea, Task, WorkPoint, WorkProgramme
from reformledger.ledger.services import imports
from reformledger.ledger.services import programmes as programme_services
from reformledger.orgs.models import Unit

WORK_POINTS_JOB = "work_points"
#: Documents up to this size are read during the upload's request; larger ones on the
#: queue, with the job's progress bar (a Word page costs far more than a sheet row).
INLINE_BYTES = 16 * 1024
#: The fields a draft's synthetic table carries, and their labels in errors.
_FIELDS = ("no", "code", "title", "description", "area", "lead_unit", "helping_units")
_FIELDS += ("deadline", "parent", "responsible_leader")
_LABELS = {c.field: str(c.label) for c in TASK_COLUMNS}
_AREA_ROLE = re.compile(r"^area:([0-9]+)$")


@dataclass(frozen=True)
class Answers:
    """The clerk's answers to a work-points preview, as the job keeps them (JSON).

    Besides the task list's (`year`, `units`, `leaders`, `defaults`, `columns` for a
    table's columns):
    - `items`: {key: {"title": text, "lead": unit id, "deadline": "YYYY-MM-DD" (or
      "deadline_day", a day typed beside the phrases offered),
      "absorb": key of an item merged into this one, "split": sentence number that
      starts a second draft}};
    - `drop`: {key: "1"} for items left out ("0" takes one back);
    - `take`: {key: "1"} for paragraphs outside the numbering taken as items;
    - `headings`: {key: "area:<id>" | "parent" | "group"}.
    """

    base: Decisions
    items: dict[str, dict[str, str]] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    take: frozenset[str] = frozenset()
    headings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict | None) -> "Answers":
        data = data or {}

        def flags(name: str) -> frozenset[str]:
            value = data.get(name) or {}
            if isinstance(value, list):
                return frozenset(str(k) for k in value)
            return frozenset(str(k) for k, v in value.items() if str(v) in ("1", "true", "on"))

        items = {
            str(k): {str(f): str(v) for f, v in v.items() if str(v).strip()}
            for k, v in (data.get("items") or {}).items()
            if isinstance(v, dict)
        }
        headings = {
            str(k): str(v)
            for k, v in (data.get("headings") or {}).items()
            if str(v) in ("parent", "group") or _AREA_ROLE.match(str(v))
        }
        return cls(Decisions.of(data), items, flags("drop"), flags("take"), headings)


@dataclass
class Draft:
    """An item after the clerk's answers, as compared with the ledger."""

    item: Item
    status: str = "new"  # new, matched, dropped, merged
    origin: str = ""  # the key of the item read whose paragraph it keeps as its basis
    origin_source: str = ""  # that paragraph as written (before a merge or a split)
    origin_hash: str = ""
    matched: Task | None = None
    matched_by: str = ""  # paragraph, title
    point: WorkPoint | None = None
    merged_into: str = ""
    code: str = ""
    parent: str = ""  # the key of the heading it stands under as a sub-task
    area: ReformArea | None = None
    row: TaskIn | None = None
    lead_chosen: Unit | None = None
    heading: str = ""  # the headings above it, by name


@dataclass
class WorkPointsCheck:
    """A document read, answered and compared with the ledger: what the preview shows
    and what confirming writes."""

    read: WorkPointsFile
    drafts: list[Draft]
    changes: ChangeSet
    year: int
    chosen_year: int
    file_year: int | None
    answers: Answers
    roles: dict[str, tuple[str, ReformArea | None]]
    programme: WorkProgramme | None
    areas: list[ReformArea]

    @property
    def errors(self) -> list[CellError]:
        return self.changes.errors

    def creating(self) -> list[Draft]:
        return [d for d in self.drafts if d.status == "new"]

    def preview(self, office: Unit) -> dict[str, Any]:
        from reformledger.ledger.documents.work_points.preview import preview_of

        return preview_of(self, office=office)


def work_points_check(
    *,
    data: bytes,
    file_name: str,
    office: Unit,
    year: int,
    by,
    decisions: dict | None = None,
    progress: Progress | None = None,
) -> WorkPointsCheck:
    """Read a work-points document and compare its drafts with `office`'s ledger,
    writing nothing. Raises ImportRefused only when the file cannot be read."""
    if not permissions.can_create_task(by, office):
        raise PermissionDenied("import_work_points")
    answers = Answers.of(decisions)
    effective = answers.base.year or year
    read = read_work_points(
        data,
        file_name,
        year=effective,
        columns=answers.base.columns,
        remembered=remembered_columns(
            kind=imports.TASK_LIST_JOB, scope=imports.columns_scope(office)
        ),
        progress=progress,
    )
    areas = list(ReformArea.objects.order_by("order", "code"))
    roles = _roles(read, answers, areas)
    drafts = _drafts(read, answers, roles, year=effective)
    programme = WorkProgramme.objects.filter(office=office, year=effective).first()
    _match(drafts, office=office, year=effective, programme=programme)
    changes = _compare(drafts, read, answers, roles, office=office, year=effective)
    file_year = read.file_year()
    if file_year is not None and file_year != effective and answers.base.year is None:
        changes.errors.insert(
            0,
            CellError(
                _(
                    "The document speaks of %(file)s (its title), but it is being read into "
                    "the %(chosen)s ledger: choose the year."
                )
                % {"file": file_year, "chosen": effective}
            ),
        )
    return WorkPointsCheck(
        read, drafts, changes, effective, year, file_year, answers, roles, programme, areas
    )


# --- the clerk's answers ---------------------------------------------------------------


def _roles(read: WorkPointsFile, answers: Answers, areas) -> dict:
    """Each heading's role: the clerk's, else an area when it names one, a parent task
    when it names its own units or is numbered as an item (1.), else a mere group."""
    roles: dict[str, tuple[str, ReformArea | None]] = {}
    by_pk = {a.pk: a for a in areas}
    for key, heading in read.headings.items():
        chosen = answers.headings.get(key, "")
        area_role = _AREA_ROLE.match(chosen)
        if area_role and int(area_role[1]) in by_pk:
            roles[key] = ("area", by_pk[int(area_role[1])])
        elif chosen in ("parent", "group"):
            roles[key] = (chosen, None)
        elif (area := area_named(heading.name, areas)) is not None:
            roles[key] = ("area", area)
        elif heading.units or heading.level >= 3:
            roles[key] = ("parent", None)
        else:
            roles[key] = ("group", None)
    return roles


def area_named(text: str, areas: list[ReformArea]) -> ReformArea | None:
    """The reform area a heading names (经济体制改革, 一、生态文明体制改革（共5项）)."""
    key = title_key(text)
    if not key:
        return None
    for area in areas:
        name = title_key(area.name)
        if name and (name in key or key in name):
            return area
    return None


def _drafts(read: WorkPointsFile, answers: Answers, roles, *, year: int) -> list[Draft]:
    items = list(read.items)
    for stray in read.strays:
        if stray.key in answers.take:
            item = Item(
                key=stray.key,
                where=_("Text"),
                row=stray.row,
                lines=[Line.of(stray.row, stray.text)],
                kind="loose",
                path=_path_of(read, stray.under),
            )
            read_item(item, year=year)
            items.append(item)
    for key, heading in read.headings.items():
        if roles[key][0] == "parent":
            items.append(_parent_item(read, heading, year=year))
    items.sort(key=lambda i: (i.lines[0].block if i.lines else i.row, i.row))
    drafts = [
        Draft(i, origin=i.key, origin_source=i.source, origin_hash=i.source_hash) for i in items
    ]
    drafts = _split(drafts, answers, year=year)
    drafts = _merge(drafts, answers, year=year)
    for draft in drafts:
        edits = answers.items.get(draft.item.key, {})
        item = draft.item
        title = edits.get("title", "").strip()[:200]
        if title and title != item.title:
            item.title = item.edits["title"] = title
        day = edits.get("deadline_day") or edits.get("deadline", "")
        read_as = item.deadline.date.isoformat() if item.deadline else ""
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day) and day != read_as:
            try:
                item.deadline = choose_deadline(item, year, day)
                item.edits["deadline"] = day
            except ValueError:
                pass
        if edits.get("lead", "").isdigit():
            item.edits["lead"] = edits["lead"]
        if draft.status == "new" and (item.key in answers.drop or draft.origin in answers.drop):
            draft.status = "dropped"
        _place(draft, read, roles)
    return drafts


def _path_of(read: WorkPointsFile, key: str) -> list[str]:
    if not key or key not in read.headings:
        return []
    return [*read.headings[key].path, key]


def _parent_item(read: WorkPointsFile, heading: Heading, *, year: int) -> Item:
    """A heading taken as a parent task: its name is the title; its units, else those
    of its first item; its deadline, else the latest of the items under it."""
    item = Item(
        key=heading.key,
        where=_("Text"),
        row=heading.row,
        lines=heading.lines,
        number=heading.number,
        path=list(heading.path),
        kind="parent",
    )
    read_item(item, year=year, number_end=number_length(heading.lines[0].simple))
    item.title = heading.name[:200]
    below = [i for i in read.items if heading.key in i.path]
    if not item.lead and below:
        first = next((i for i in below if i.lead), None)
        if first is not None:
            item.lead = list(first.lead[:1])
            item.units_from = first.key
    if not item.deadlines and below:
        item.deadlines = [d for i in below for d in i.deadlines]
        item.deadline = choose_deadline(item, year)
    return item


def _split(drafts: list[Draft], answers: Answers, *, year: int) -> list[Draft]:
    """An item split before its n-th sentence becomes two drafts; a part that names no
    units or no deadline keeps the whole item's. Both keep the item's paragraph."""
    out: list[Draft] = []
    pending = list(drafts)
    while pending:
        draft = pending.pop(0)
        at = answers.items.get(draft.item.key, {}).get("split", "")
        sentences = draft.item.sentences()
        if not at.isdigit() or not 2 <= int(at) <= len(sentences):
            out.append(draft)
            continue
        n = int(at)
        whole = draft.item
        parts = []
        for suffix, chunk in (("", sentences[: n - 1]), ("+2", sentences[n - 1 :])):
            item = Item(
                key=whole.key + suffix,
                where=whole.where,
                row=whole.row,
                lines=[Line.of(whole.row, "".join(chunk))],
                number=whole.number,
                path=list(whole.path),
                kind=whole.kind,
                section=whole.section,
            )
            read_item(item, year=year)
            if not item.lead:
                item.lead, item.helping = list(whole.lead), list(whole.helping)
            if not item.deadlines:
                item.deadlines = list(whole.deadlines)
                item.deadline = whole.deadline
            item.edits["split_from"] = whole.key
            parts.append(
                Draft(
                    item,
                    origin=draft.origin,
                    origin_source=draft.origin_source,
                    origin_hash=draft.origin_hash,
                )
            )
        first, second = parts
        out.append(first)
        pending.insert(0, second)  # a second part may be split again
    return out


def _merge(drafts: list[Draft], answers: Answers, *, year: int) -> list[Draft]:
    """An item that absorbs another takes its paragraph: read again as one item, the
    first one's title leads; the absorbed one is listed as merged into it."""
    by_key = {d.item.key: d for d in drafts}
    for draft in drafts:
        other_key = answers.items.get(draft.item.key, {}).get("absorb", "")
        other = by_key.get(other_key)
        if other is None or other is draft or other.status != "new" or draft.status != "new":
            continue
        first = draft.item
        lines = [*first.lines, *_without_number(other.item)]
        item = Item(
            key=first.key,
            where=first.where,
            row=first.row,
            lines=lines,
            number=first.number,
            path=list(first.path),
            kind=first.kind,
            section=first.section,
            merged=[*first.merged, other.item.key],
        )
        number_end = next((s.end for s in first.spans if s.kind == "number"), 0)
        read_item(item, year=year, number_end=number_end)
        # The first item's lead leads; the units of the one merged into it help.
        if first.lead:
            lead = list(first.lead)
            others = [*first.helping, *other.item.lead, *other.item.helping]
            item.lead = lead
            item.helping = [u for u in dict.fromkeys(others) if u not in lead]
        draft.item = item
        other.status = "merged"
        other.merged_into = first.key
    return drafts


def _without_number(item: Item) -> list[Line]:
    number_end = next((s.end for s in item.spans if s.kind == "number" and s.line == 0), 0)
    if not number_end:
        return list(item.lines)
    first = item.lines[0]
    return [Line.of(first.block, first.text[number_end:]), *item.lines[1:]]


def _place(draft: Draft, read: WorkPointsFile, roles) -> None:
    """The draft's area (the nearest heading taken as an area) and parent (the nearest
    heading taken as a parent task), and the names of the headings above it."""
    names = []
    for key in draft.item.path:
        heading = read.headings.get(key)
        if heading is None:
            continue
        names.append(heading.name)
        role, area = roles.get(key, ("group", None))
        if role == "area":
            draft.area = area
        elif role == "parent" and key != draft.item.key:
            draft.parent = key
    if draft.item.section:
        names.append(draft.item.section)
    draft.heading = " › ".join(names)
    if not draft.item.lead and draft.item.kind != "parent":
        for key in reversed(draft.item.path):
            heading = read.headings.get(key)
            if heading is not None and heading.units:
                draft.item.lead, draft.item.helping = heading.units.settled()
                draft.item.units_from = key
                break


# --- the ledger -------------------------------------------------------------------------


def _match(drafts: list[Draft], *, office: Unit, year: int, programme) -> None:
    """Drafts whose paragraph the programme already holds, or whose title a task of
    the ledger has, are left alone."""
    points: dict[str, WorkPoint] = {}
    if programme is not None:
        for point in programme.points.prefetch_related("tasks").order_by("number"):
            points.setdefault(point.source_hash, point)
    titles = {title_key(t.title): t for t in Task.objects.filter(office=office, year=year)}
    for draft in drafts:
        point = points.get(draft.origin_hash)
        if point is not None:
            draft.point = point
            tasks = list(point.tasks.all())
            draft.matched = tasks[0] if tasks else None
            draft.matched_by = "paragraph"
            draft.status = "matched"
            continue
        task = titles.get(title_key(draft.item.title))
        if task is not None and draft.status == "new":
            draft.matched = task
            draft.matched_by = "title"
            draft.status = "matched"


def _compare(drafts, read, answers: Answers, roles, *, office: Unit, year: int) -> ChangeSet:
    """The drafts to create, as rows of a task list compared by `plan_changes`."""
    taken = set(Task.objects.filter(year=year).values_list("code", flat=True))
    number = 0
    codes: dict[str, str] = {}
    for draft in drafts:
        if draft.status == "matched" and draft.matched is not None:
            codes[draft.item.key] = draft.matched.code
    for draft in drafts:
        if draft.status != "new":
            continue
        while True:
            number += 1
            code = f"{year}-{number:03d}"
            if code not in taken:
                break
        taken.add(code)
        draft.code = codes[draft.item.key] = code
    chosen_units = {
        u.pk: u
        for u in Unit.objects.filter(
            pk__in=[int(a["lead"]) for a in answers.items.values() if a.get("lead", "").isdigit()]
        )
    }
    tables: dict[str, Table] = {}
    parsed = TaskListFile()
    for draft in drafts:
        if draft.status != "new":
            continue
        item = draft.item
        table = tables.get(item.where)
        if table is None:
            table = tables[item.where] = Table(
                sheet=item.where,
                columns={name: i for i, name in enumerate(_FIELDS)},
                headers=dict(_LABELS),
                first_row=1,
            )
            parsed.task_tables.append(table)
        lead = list(item.lead)
        chosen = chosen_units.get(int(item.edits["lead"])) if "lead" in item.edits else None
        if chosen is not None:
            draft.lead_chosen = chosen
            lead = [chosen.code]
        description = item.description
        missing = [t for t in item.targets if t not in description and t not in item.title]
        if missing:
            description = "\n".join([description, "；".join(missing)]).strip()
        values: dict[str, Any] = {
            "no": item.key,
            "code": draft.code,
            "title": item.title,
            "description": description,
            "lead_unit": lead,
            "helping_units": [u for u in item.helping if u not in lead],
            "deadline": item.deadline.date if item.deadline else dt.date(year, 12, 31),
        }
        if draft.area is not None:
            values["area"] = draft.area.code
        if draft.parent and draft.parent in codes:
            values["parent"] = codes[draft.parent]
        if item.leader:
            values["responsible_leader"] = item.leader
        draft.row = TaskIn(table, item.row, draft.code, values, section=item.section)
        parsed.tasks.append(draft.row)
    changes = plan_changes(parsed, office=office, year=year, decisions=answers.base)
    lead_label = _LABELS["lead_unit"]
    for draft in drafts:
        if draft.status == "new" and not draft.row.values["lead_unit"]:
            changes.errors.append(
                CellError(
                    _(
                        "No lead unit was recognised: choose one for this draft, or leave the "
                        "item out."
                    ),
                    draft.item.where,
                    draft.item.row,
                    lead_label,
                )
            )
        if draft.status == "new" and not draft.item.title:
            changes.errors.append(
                CellError(
                    _("The draft has no title: write one."),
                    draft.item.where,
                    draft.item.row,
                    _LABELS["title"],
                )
            )
    return changes


# --- writing ----------------------------------------------------------------------------


def work_points_import(
    *,
    data: bytes,
    file_name: str,
    office: Unit,
    year: int,
    by,
    decisions: dict | None = None,
    progress: Progress | None = None,
    applying: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Create the drafted tasks in `office`'s ledger, all at once; raises
    ImportRefused (writing nothing) while anything is unsettled."""
    check = work_points_check(
        data=data,
        file_name=file_name,
        office=office,
        year=year,
        by=by,
        decisions=decisions,
        progress=progress,
    )
    if check.errors:
        raise ImportRefused(check.errors)
    if applying is not None:
        applying()
    return _apply(check, data=data, office=office, by=by, file_name=file_name)


def _point_drafts(check: WorkPointsCheck) -> dict[str, programme_services.PointDraft]:
    """One point per item read (dropped and merged ones too, so the next upload of the
    document finds every item), keyed by the item's key; a merged draft's point holds
    both paragraphs."""
    out: dict[str, programme_services.PointDraft] = {}
    for draft in check.drafts:
        if draft.point is not None or draft.origin in out:
            continue
        text = draft.item.source if draft.item.merged else draft.origin_source
        out[draft.origin] = programme_services.PointDraft(
            text=text, heading=draft.heading, source_hash=draft.origin_hash
        )
    return out


@transaction.atomic
def _apply(check: WorkPointsCheck, *, data: bytes, office: Unit, by, file_name: str) -> dict:
    changes, year, read = check.changes, check.year, check.read
    points = _point_drafts(check)
    creating = check.creating()
    counts: dict[str, Any] = {
        "created": 0,
        "matched": sum(1 for d in check.drafts if d.status == "matched"),
        "dropped": sum(1 for d in check.drafts if d.status == "dropped"),
        "merged": sum(1 for d in check.drafts if d.status == "merged"),
        "points": 0,
        "aliases": 0,
        "year": year,
    }
    if not points and not creating:
        return counts  # the same document again: nothing to write, nothing recorded
    stored = []
    try:
        programme = check.programme or programme_services.work_programme_create(
            by=by,
            office=office,
            year=year,
            title=read.title or _("Work points %(year)s") % {"year": year},
            document_no=read.document_no,
            issued_on=read.issued_on,
        )
        document, new_document = programme_services.programme_document_store(
            by=by,
            programme=programme,
            data=data,
            file_name=file_name,
            title=read.title,
            document_no=read.document_no,
            issued_on=read.issued_on,
        )
        if new_document:
            stored.append(document)
        keys = list(points)
        rows = programme_services.work_points_add(
            by=by, programme=programme, document=document, points=points.values()
        )
        by_origin = dict(zip(keys, rows, strict=True))
        counts["points"] = len(rows)
        counts["aliases"] = imports.names_remember(changes, by=by, file_name=file_name)
        imports.people_create_new(changes, office=office, by=by)
        origin_of_code = {d.code: d.origin for d in creating}
        for create in changes.creates:
            point = by_origin.get(origin_of_code.get(create.row.code, ""))
            if point is not None:
                create.fields["work_point"] = point
        errors: list[CellError] = []
        created = imports.tasks_create_from_changes(
            changes, office=office, year=year, by=by, errors=errors
        )
        if errors:
            raise ImportRefused(errors)  # rolls back every change made above
        counts["created"] = len(created)
        audit.record(
            actor=by,
            verb="import.work_points",
            obj=programme,
            changes={name: [None, n] for name, n in counts.items()},
            reason=file_name,
        )
    except Exception:
        for document in stored:
            document.file.delete(save=False)
        raise
    return counts


# --- as an import job --------------------------------------------------------------------


def work_points_job_params(*, office: Unit, year: int) -> dict[str, Any]:
    """What a work-points job needs (`exchange.jobs.import_job_create(params=…)`)."""
    return {"params": {"office": office.pk, "year": year}, "scope": f"{office.label} · {year}"}


def _job_check(job: ImportJob, data: bytes, progress) -> tuple[WorkPointsCheck, Unit]:
    office = Unit.objects.get(pk=job.params["office"])
    check = work_points_check(
        data=data,
        file_name=job.file_name,
        office=office,
        year=int(job.params["year"]),
        by=job.created_by,
        decisions=job.decisions,
        progress=progress,
    )
    return check, office


def _check_job(job: ImportJob, data: bytes, progress: Progress) -> dict:
    check, office = _job_check(job, data, progress)
    return check.preview(office)


def _apply_job(job: ImportJob, data: bytes, progress: Progress, applying) -> dict:
    check, office = _job_check(job, data, progress)
    if check.errors:
        raise ReviewAgain(check.preview(office))
    applying()
    try:
        return _apply(check, data=data, office=office, by=job.created_by, file_name=job.file_name)
    except ImportRefused as exc:  # refused by a service: back to the clerk, with why
        check.changes.errors = exc.errors
        raise ReviewAgain(check.preview(office)) from exc


def job_kind() -> JobKind:
    """The work-points import, registered beside the task list's."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    return JobKind(
        key=WORK_POINTS_JOB,
        label=gettext_lazy("Task list drafted from the work points"),
        check=_check_job,
        apply=_apply_job,
        refused=audit.import_refused,
        preview_template="ledger/import/_work_points_preview.html",
        result_template="ledger/import/_work_points_result.html",
        again_url=lambda job: reverse("ledger:work_points_import"),
        inline_bytes=INLINE_BYTES,
    )
