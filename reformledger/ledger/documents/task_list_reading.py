"""Reading a task list workbook as offices keep it, before anything is compared.

A ledger arrives in the office's own shape: a title row and a "填报单位" line above
the headers, headers merged over two rows, a heading per reform area, 小计 and 注
rows, deadlines written 2016年底前 or 三季度末, several units in one cell. The
reader finds the headers (by their text, or by the clerk's choice for a column,
remembered for the office's next file), classifies every row (`exchange.rows`),
reads the data rows' cells and keeps their raw text, and collects what it needs
to say how it read them: the rows it skipped, the columns it did not take, how
each deadline was read, the year the file speaks of. Deadlines are read once the
whole file is in, with the year the import settles on.
"""

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from reformledger.exchange.dates import DateReading, read_deadline
from reformledger.exchange.errors import CellError
from reformledger.exchange.parsing import (
    CellValueError,
    Table,
    clean_code,
    clean_text,
    header_keys,
    open_table,
    parse_bool,
    parse_int,
    sheet_rows_estimate,
    split_list,
)
from reformledger.exchange.rows import classify_row
from reformledger.ledger.documents.task_list import KINDS, MILESTONE_COLUMNS, TASK_COLUMNS

#: Columns the import recognises but does not write into the task: written on export
#: (序号, 状态) or offered a home of their own in the preview (进展情况, 评价).
NOT_WRITTEN = {"no", "status", "rating", "progress_text", "ledger", "version"}
#: Date columns: read as deadlines once the year is settled.
DATE_FIELDS = ("start_date", "deadline")

_CODE_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_TITLE_YEAR = re.compile(r"((?:19|20)[0-9]{2})\s*年")


@dataclass(frozen=True)
class Decisions:
    """The clerk's answers to a preview, as the job keeps them (JSON).

    - `year`: the ledger year the clerk settled on when the file's year differed;
    - `columns`: {sheet: {column index: field, or "" to leave the column out}};
    - `defaults`: values for columns the sheet does not have (`area` id,
      `deliverable_kind`, `source`, `start_date` as YYYY-MM-DD, `is_key`);
    - `units`: {text as written: unit id} for names the system did not know;
    - `leaders`: {text: person id, or {"name": …, "title": …} for a new person};
    - `areas`: {text: area id};
    - `offers`: {"progress_drafts": bool, "ratings": bool} — homes for columns the
      task does not take;
    - `conflicts`: {task code: "file" | "ledger"} — which side wins for a row whose
      task changed in the ledger since the file was exported.
    """

    year: int | None = None
    columns: dict[str, dict[int, str]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    leaders: dict[str, Any] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    offers: dict[str, bool] = field(default_factory=dict)
    conflicts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict | None) -> "Decisions":
        data = data or {}
        columns = {
            str(sheet): {int(i): ("" if f == "-" else str(f)) for i, f in (chosen or {}).items()}
            for sheet, chosen in (data.get("columns") or {}).items()
            if isinstance(chosen, dict)
        }
        year = data.get("year")
        new = data.get("new_leaders") or {}
        leaders: dict[str, Any] = {}
        for text, value in (data.get("leaders") or {}).items():
            if value == "new":
                person = new.get(text) or {}
                if str(person.get("name", "")).strip():
                    leaders[text] = {
                        "name": str(person["name"]).strip(),
                        "title": str(person.get("title", "")).strip(),
                    }
            elif isinstance(value, dict) or str(value).isdigit():
                leaders[text] = value
        return cls(
            year=int(year) if str(year or "").isdigit() else None,
            columns=columns,
            defaults={k: v for k, v in (data.get("defaults") or {}).items() if v not in ("", None)},
            units={
                str(k): int(v) for k, v in (data.get("units") or {}).items() if str(v).isdigit()
            },
            leaders=leaders,
            areas={
                str(k): int(v) for k, v in (data.get("areas") or {}).items() if str(v).isdigit()
            },
            offers={
                str(k): v in (True, 1, "1", "true", "on")
                for k, v in (data.get("offers") or {}).items()
            },
            conflicts={
                str(k): str(v)
                for k, v in (data.get("conflicts") or {}).items()
                if v in ("file", "ledger")
            },
        )


def _ids(answers: dict | None) -> dict[str, int]:
    """{text: id} from a form's answers, leaving out the ones not given."""
    return {str(k): int(v) for k, v in (answers or {}).items() if str(v).isdigit()}


@dataclass(slots=True)
class TaskIn:
    """One task row as read: its place in the file, the values of the columns present
    (`values`), the text of its cells as written (`raw`), the area heading it stands
    under, and how its dates were read."""

    table: Table
    row: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    section: str = ""
    readings: dict[str, DateReading] = field(default_factory=dict)
    dates: dict[str, Any] = field(default_factory=dict)  # date cells as stored


@dataclass(slots=True)
class MilestoneIn:
    table: Table
    row: int
    task_code: str
    order: int | None
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    readings: dict[str, DateReading] = field(default_factory=dict)
    dates: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """A row that is not a task: blank, a subtotal, a note, a repeated header, a
    heading. Listed in the preview with its row number and what it said."""

    sheet: str
    row: int
    kind: str
    label: str


@dataclass
class TaskListFile:
    """What a workbook says, with every error found reading it."""

    tasks: list[TaskIn] = field(default_factory=list)
    milestones: list[MilestoneIn] = field(default_factory=list)
    task_tables: list[Table] = field(default_factory=list)
    milestone_tables: list[Table] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    #: The years the file speaks of, weighed: {year: weight} (codes, title, dates).
    year_evidence: Counter = field(default_factory=Counter)

    @property
    def tables(self) -> list[Table]:
        return [*self.task_tables, *self.milestone_tables]

    def file_year(self) -> int | None:
        """The year the file most speaks of, if any."""
        if not self.year_evidence:
            return None
        return self.year_evidence.most_common(1)[0][0]


_TASK_PARSERS: dict[str, Callable[[Any], Any]] = {
    "no": clean_text,
    "code": clean_code,
    "title": clean_text,
    "area": clean_text,
    "lead_unit": split_list,
    "helping_units": split_list,
    "responsible_leader": clean_text,
    "is_key": parse_bool,
    "source": clean_text,
    "deliverable_kind": clean_text,
    "system": clean_text,
    "parent": clean_code,
    "description": clean_text,
    "plan_summary": clean_text,
    "progress_text": clean_text,
    "rating": clean_text,
    "status": clean_text,
    "ledger": clean_text,
    "version": parse_int,
}
_MILESTONE_PARSERS: dict[str, Callable[[Any], Any]] = {
    "task_code": clean_code,
    "order": parse_int,
    "title": clean_text,
    "weight": parse_int,
    "is_key": parse_bool,
    "responsible": clean_text,
    "expected_evidence": clean_text,
}


def rows_estimate(wb) -> int:
    return sum(sheet_rows_estimate(ws) for ws in wb.worksheets)


def read_task_list(
    wb,
    *,
    decisions: Decisions | None = None,
    remembered: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> TaskListFile:
    """Read every sheet that carries task or milestone headers; classify each row and
    read each data row's cells. Dates stay as written until `read_dates`."""
    decisions = decisions or Decisions()
    out = TaskListFile()
    done = 0

    def sheet_progress(n: int) -> None:
        if progress is not None:
            progress(done + n)

    for ws in wb.worksheets:
        found = open_table(
            ws,
            KINDS,
            progress=sheet_progress,
            overrides=decisions.columns.get(ws.title),
            remembered=remembered,
        )
        if found is None:
            continue
        kind, table, rows = found
        for year in _TITLE_YEAR.findall(table.title):
            out.year_evidence[int(year)] += 5
        if kind == "tasks":
            out.task_tables.append(table)
            last = _read_tasks(table, rows, out)
        else:
            out.milestone_tables.append(table)
            last = _read_milestones(table, rows, out)
        done += last
    if not out.task_tables and not out.milestone_tables:
        out.errors.append(
            CellError(
                _(
                    "No sheet has the task list's headers (at least the task and its lead "
                    "unit); download the template to see them."
                )
            )
        )
    return out


def _keys_of(table: Table) -> set[str]:
    keys: set[str] = set()
    for text in table.header_cells.values():
        keys |= header_keys(text)
    return keys


def _missing_columns(table: Table, required: tuple[str, ...], columns, out) -> bool:
    labels = {c.field: c.label for c in columns}
    missing = [name for name in required if name not in table.columns]
    for name in missing:
        out.errors.append(
            CellError(
                _("The column %(column)s is missing.") % {"column": str(labels[name])},
                sheet=table.sheet,
            )
        )
    return bool(missing)


def _cells(table: Table, values: tuple, number: int, parsers, out) -> tuple[dict, dict, dict]:
    """(parsed values, text as written, date cells as stored) of a data row."""
    parsed: dict[str, Any] = {}
    raw: dict[str, str] = {}
    dates: dict[str, Any] = {}
    for name in table.columns:
        value = table.value(values, name)
        raw[name] = clean_text(value)
        if name in (*DATE_FIELDS, "planned_date"):
            dates[name] = value
        parse = parsers.get(name)
        if parse is None:
            continue
        try:
            parsed[name] = parse(value)
        except CellValueError as exc:
            out.errors.append(CellError(str(exc), table.sheet, number, table.column(name)))
    return parsed, raw, dates


def _row_kind(values: tuple, keys: set[str], table: Table, number: int, out) -> str | None:
    """The row's kind; a row that is not data is listed as skipped."""
    kind = classify_row(values, header_keys=keys)
    if kind.kind != "data":
        if kind.kind != "blank":
            out.skipped.append(Skipped(table.sheet, number, kind.kind, kind.label))
        return kind.label if kind.kind == "section" else None
    return ""


def _read_tasks(table: Table, rows, out: TaskListFile) -> int:
    if _missing_columns(table, ("title", "lead_unit"), TASK_COLUMNS, out):
        return 0
    keys = _keys_of(table)
    section = ""
    number = 0
    for number, values in rows:
        kind = _row_kind(values, keys, table, number, out)
        if kind is None:
            continue
        if kind:  # a heading: the rows under it stand in its area
            section = kind
            continue
        parsed, raw, dates = _cells(table, values, number, _TASK_PARSERS, out)
        for name in ("title", "lead_unit"):
            if parsed.get(name) in ("", None, []):
                out.errors.append(
                    CellError(_("This cell is required."), table.sheet, number, table.column(name))
                )
        code = parsed.get("code", "")
        for year in _CODE_YEAR.findall(code):
            out.year_evidence[int(year)] += 3
        out.tasks.append(TaskIn(table, number, code, parsed, raw, section, dates=dates))
    return number


def _read_milestones(table: Table, rows, out: TaskListFile) -> int:
    if _missing_columns(table, ("task_code", "title", "planned_date"), MILESTONE_COLUMNS, out):
        return 0
    keys = _keys_of(table)
    number = 0
    for number, values in rows:
        if _row_kind(values, keys, table, number, out) != "":
            continue  # not a milestone row (listed as skipped)
        parsed, raw, dates = _cells(table, values, number, _MILESTONE_PARSERS, out)
        for col in MILESTONE_COLUMNS:
            if col.required and col.field in parsed and parsed[col.field] in ("", None):
                out.errors.append(
                    CellError(
                        _("This cell is required."), table.sheet, number, table.column(col.field)
                    )
                )
        out.milestones.append(
            MilestoneIn(
                table,
                number,
                parsed.get("task_code", ""),
                parsed.get("order"),
                parsed,
                raw,
                dates=dates,
            )
        )
    return number


def read_dates(parsed: TaskListFile, *, year: int) -> None:
    """Read every date of the file as a deadline of `year` (phrases without a year,
    such as 年底前, take it), keeping how each was read; errors name the cell."""
    for task in parsed.tasks:
        for name in DATE_FIELDS:
            text = task.raw.get(name, "")
            if name not in task.table.columns or not text:
                continue
            reading = _reading(task.dates.get(name), year, task, name, parsed)
            if reading is not None:
                task.values[name] = reading.date
                task.readings[name] = reading
    for m in parsed.milestones:
        text = m.raw.get("planned_date", "")
        if not text:
            continue
        reading = _reading(m.dates.get("planned_date"), year, m, "planned_date", parsed)
        if reading is not None:
            m.values["planned_date"] = reading.date
            m.readings["planned_date"] = reading


def _reading(value, year: int, row, name: str, parsed: TaskListFile) -> DateReading | None:
    try:
        return read_deadline(value, year=year)
    except CellValueError as exc:
        parsed.errors.append(CellError(str(exc), row.table.sheet, row.row, row.table.column(name)))
        return None


def date_years(parsed: TaskListFile) -> Counter:
    """The years of the dates written in full (2016-06-30, 2016年10月): evidence of the
    file's year that does not depend on the year being asked."""
    years: Counter = Counter()
    for task in parsed.tasks:
        for name in DATE_FIELDS:
            value = task.raw.get(name, "")
            found = _CODE_YEAR.search(value)
            if found:
                years[int(found.group(1))] += 1
    return years


def assumed_start(year: int) -> dt.date:
    """The start date of a task whose sheet has none: the year's first day."""
    return dt.date(year, 1, 1)
