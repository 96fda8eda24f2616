"""The ledger (台账) as the office files it: a workbook in the official layout, or CSV.

A title row ("惠州市2016年全面深化改革项目清单（台账）"), two header rows with groups
(责任单位 over 牵头单位 and 配合单位, 时间安排 over the dates, 推进情况 over status
and rating), one row per task, the A–E rating in its colour. One sheet, or one
sheet per reform area or per lead unit. Written row by row in write-only mode.
The headers are those the task list import reads, so an exported ledger can be
edited and imported back (`task_list`).
"""

import io
from collections.abc import Iterator
from itertools import groupby
from typing import BinaryIO

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from reformledger.exchange import writing
from reformledger.exchange.docx_layout import place_of
from reformledger.exchange.writing import yes_no
from reformledger.ledger.documents.task_list import (
    TASK_COLUMNS,
    helping_names,
    shared_unit_names,
    unit_text,
)
from reformledger.ledger.models import Period, Rating, RatingGrade, Task

_LABELS = {c.field: c.label for c in TASK_COLUMNS}
_WIDTHS = {c.field: c.width for c in TASK_COLUMNS}

#: (field, group) in sheet order; columns of one group stand side by side.
LAYOUT = [
    ("no", None),
    ("code", None),
    ("title", None),
    ("area", None),
    ("lead_unit", gettext_lazy("Responsible units")),
    ("helping_units", gettext_lazy("Responsible units")),
    ("responsible_leader", None),
    ("is_key", None),
    ("start_date", gettext_lazy("Schedule")),
    ("deadline", gettext_lazy("Schedule")),
    ("deliverable_kind", None),
    ("status", gettext_lazy("Progress")),
    ("rating", gettext_lazy("Progress")),
    # Hidden: the task's version when exported, so a re-import of an old copy is a
    # conflict the preview names instead of a silent roll-back.
    ("version", None),
]
GROUPINGS = ("area", "unit")
_SHEET_WIDTHS = [_WIDTHS[f] for f, _g in LAYOUT]


def ledger_title(tasks: QuerySet[Task], *, year: int | None, closed: bool = False) -> str:
    """The official title: the place of the ledger's office and the year."""
    offices = list(tasks.order_by().values_list("office", flat=True).distinct()[:2])
    place = ""
    if len(offices) == 1:
        from reformledger.orgs.models import Unit

        office = Unit.objects.get(pk=offices[0])
        place = place_of(office)
    if year is None:
        years = list(tasks.order_by().values_list("year", flat=True).distinct()[:2])
        year = years[0] if len(years) == 1 else None
    values = {"place": place, "year": year or ""}
    if closed:
        return _("%(place)s %(year)s reform ledger: closed tasks") % values
    return _("%(place)s %(year)s comprehensive deepening reform task list (ledger)") % values


def latest_grades(tasks: QuerySet[Task], as_of: Period | None = None) -> dict[int, RatingGrade]:
    """Each task's rating grade in force: of the period `as_of`, else of the latest
    period any of the tasks is rated in (as the ledger page shows them). One row per
    rating read as plain ids; the few grades are shared objects."""
    ids = tasks.order_by().values("pk")
    if as_of is not None:
        ratings = Rating.objects.filter(period=as_of, task__in=ids)
    else:
        start = Rating.objects.filter(task__in=ids).aggregate(latest=Max("period__start"))["latest"]
        if start is None:
            return {}
        ratings = Rating.objects.filter(period__start=start, task__in=ids)
    rows = ratings.order_by().values_list("task_id", "final_id", "suggested_id")
    found = {task: final or suggested for task, final, suggested in rows}
    grades = RatingGrade.objects.in_bulk(set(found.values()))
    return {task: grades[grade] for task, grade in found.items()}


#: What a row reads, as plain values (no model instances: a ledger has 100,000 rows).
_FIELDS = (
    "pk",
    "code",
    "title",
    "area_id",
    "area__name",
    "lead_unit_id",
    "lead_unit__name",
    "lead_unit__code",
    "responsible_leader__name",
    "is_key",
    "start_date",
    "deadline",
    "deliverable_kind",
    "status",
    "version",
)


def _displays(field: str) -> dict[str, str]:
    # get_FIELD_display hashes the field's choices again on every call.
    return {value: str(label) for value, label in Task._meta.get_field(field).flatchoices}


def _helping(tasks: QuerySet[Task], shared: set[str]) -> dict[int, str]:
    """Each task's helping units as the cell writes them, one string per task."""
    return {pk: "、".join(names) for pk, names in helping_names(tasks, shared).items()}


def _rows(
    tasks: QuerySet[Task], grades: dict[int, RatingGrade]
) -> Iterator[tuple[tuple[int, str, int, str], list]]:
    """((area id, area, lead unit id, lead unit), values) per task, in the queryset's
    order, read in chunks."""
    shared = shared_unit_names()
    helping = _helping(tasks, shared)
    yes, no = yes_no(True), yes_no(False)
    kinds, statuses = _displays("deliverable_kind"), _displays("status")
    rows = tasks.values_list(*_FIELDS).iterator(chunk_size=2000)
    for n, row in enumerate(rows, start=1):
        pk, code, title, area_id, area, lead_id, lead, lead_code, leader = row[:9]
        is_key, start, deadline, kind, status, version = row[9:]
        yield (
            (area_id, area, lead_id, lead),
            [
                n,
                code,
                title,
                area,
                unit_text(lead, lead_code, shared),
                helping.get(pk, ""),
                leader or "",
                yes if is_key else no,
                start,
                deadline,
                kinds.get(kind, kind),
                statuses.get(status, status),
                grades.get(pk),
                version,
            ],
        )


def _ordered(tasks: QuerySet[Task], by: str | None) -> QuerySet[Task]:
    if by == "area":
        return tasks.order_by("area__order", "area__code", "year", "code")
    if by == "unit":
        return tasks.order_by("lead_unit__path", "year", "code")
    return tasks


def _start_sheet(wb, name: str, title: str, taken: set[str]):
    ws = writing.new_sheet(wb, writing.sheet_title(name, taken))
    writing.set_widths(ws, [_WIDTHS[f] for f, _g in LAYOUT])
    ws.column_dimensions[get_column_letter(len(LAYOUT))].hidden = True  # the version
    ws.merged_cells.add(f"A1:{get_column_letter(len(LAYOUT) - 1)}1")  # over what shows
    top, sub = [], []
    index = 1
    for group, members in groupby(LAYOUT, key=lambda c: c[1]):
        members = list(members)
        if group is None:
            for field, _g in members:
                letter = get_column_letter(index)
                ws.merged_cells.add(f"{letter}2:{letter}3")
                top.append(writing.cell(ws, str(_LABELS[field]), style="header"))
                sub.append(writing.cell(ws, None, style="header"))
                index += 1
        else:
            first = get_column_letter(index)
            end = get_column_letter(index + len(members) - 1)
            ws.merged_cells.add(f"{first}2:{end}2")
            for n, (field, _g) in enumerate(members):
                top.append(writing.cell(ws, str(group) if n == 0 else None, style="header"))
                sub.append(writing.cell(ws, str(_LABELS[field]), style="header"))
                index += 1
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "D4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.append([writing.cell(ws, title, style="title")])
    ws.append(top)
    ws.append(sub)
    return ws


# The title and helping units wrap; the rest are centred; a rating in its colour.
_STYLES = ["wrap" if i in (2, 5) else "centre" for i in range(len(LAYOUT))]
_RATING = [f for f, _g in LAYOUT].index("rating")
#: The columns that hold text (the others: the row number, dates and the version).
_TEXT = [
    i for i, (f, _g) in enumerate(LAYOUT) if f not in ("no", "start_date", "deadline", "version")
]


def write_ledger(
    tasks: QuerySet[Task],
    *,
    title: str,
    by: str | None = None,
    as_of: Period | None = None,
) -> tuple[bytes, int]:
    """The ledger workbook and its number of task rows; `by` = "area" or "unit" puts
    each reform area's (lead unit's) tasks on a sheet of its own."""
    out = io.BytesIO()
    count = write_ledger_to(out, tasks, title=title, by=by, as_of=as_of)
    return out.getvalue(), count


def write_ledger_to(
    out: BinaryIO,
    tasks: QuerySet[Task],
    *,
    title: str,
    by: str | None = None,
    as_of: Period | None = None,
) -> int:
    """Write the ledger workbook into the binary file `out` (a temporary file that the
    download then streams) and return its number of task rows. Rows go to the sheet
    one by one: memory does not grow with the ledger."""
    wb = writing.new_workbook()
    taken: set[str] = set()
    grades = latest_grades(tasks, as_of)
    rated = {
        grade.pk: [*_STYLES[:_RATING], ("centre", grade.colour), *_STYLES[_RATING + 1 :]]
        for grade in set(grades.values())
    }
    count = 0
    ws, key = None, object()
    for (area_id, area, lead_id, lead), values in _rows(_ordered(tasks, by), grades):
        group = (area_id, area) if by == "area" else (lead_id, lead) if by == "unit" else None
        if ws is None or (by and group[0] != key):
            name = group[1] if group is not None else str(_("Ledger"))
            ws = _start_sheet(wb, name, title if not group else f"{title}（{group[1]}）", taken)
            key, n = (group[0] if group is not None else None), 0
        n += 1
        values[0] = n
        count += 1
        grade = values[_RATING]
        styles = _STYLES
        if grade is not None:
            values[_RATING], styles = grade.letter, rated[grade.pk]
        ws.append(writing.StyledRow(values, styles, writing.row_height(values, _SHEET_WIDTHS)))
    if ws is None:
        _start_sheet(wb, str(_("Ledger")), title, taken)
    writing.save(wb, out)
    return count


def write_ledger_csv(tasks: QuerySet[Task], *, as_of: Period | None = None) -> tuple[bytes, int]:
    """The ledger as CSV (UTF-8 with BOM), one header row, the same columns."""
    out = io.BytesIO()
    count = write_ledger_csv_to(out, tasks, as_of=as_of)
    return out.getvalue(), count


def write_ledger_csv_to(
    out: BinaryIO, tasks: QuerySet[Task], *, as_of: Period | None = None
) -> int:
    """Write the ledger as CSV into the binary file `out`, row by row; its row count."""
    grades = latest_grades(tasks, as_of)
    count = 0

    def rows():
        nonlocal count
        yield [str(_LABELS[f]) for f, _g in LAYOUT]
        for _group, values in _rows(_ordered(tasks, None), grades):
            count += 1
            grade = values[_RATING]
            values[_RATING] = grade.letter if grade is not None else ""
            yield values

    writing.write_csv(rows(), out, text=_TEXT)
    return count
