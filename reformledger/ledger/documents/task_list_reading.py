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
from reformledger.exchange.errors import CellError, ImportRefused
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

#: How many rows the preview names for each date text.
READING_ROWS = 20
#: How many distinct date cells a read remembers how it read.
DATE_CACHE = 5000

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
    #: How each distinct date text was read: {text: (reading, [(sheet, row)…] ≤ 20)}.
    readings: dict[str, tuple[DateReading, list[tuple[str, int]]]] = field(default_factory=dict)

    #: Dates already read, {(type, value, year): reading} (`DATE_CACHE` at most).
    date_cache: dict[tuple, DateReading] = field(default_factory=dict, repr=False)

    def note_reading(self, sheet: str, row: int, reading: DateReading) -> None:
        """Keep how a date text was read (once per text, a few of its rows), so a
        streamed file's preview shows its dates without keeping its rows."""
        _reading, rows = self.readings.setdefault(reading.text, (reading, []))
        if len(rows) < READING_ROWS and (sheet, row) not in rows:
            rows.append((sheet, row))

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
    read each data row's cells. Dates stay as written until `read_dates`. Every row is
    kept (see `open_task_list` to read a sheet a row at a time instead)."""
    out, sheets = open_task_list(wb, decisions=decisions, remembered=remembered, progress=progress)
    for sheet in sheets:
        if sheet.kind == "tasks":
            out.tasks.extend(sheet.task_rows(out))
        else:
            out.milestones.extend(sheet.milestone_rows(out))
    return out


@dataclass
class Sheet:
    """A sheet whose headers were found, its data rows not read yet: `task_rows` or
    `milestone_rows` reads them one at a time (again from the top when called again)."""

    kind: str
    table: Table
    rows: Any  # the iterator of (row number, values) after the headers
    ws: Any
    open_again: Callable[[], Any]

    def task_rows(self, out: TaskListFile):
        return _task_rows(self.table, self._take_rows(), out)

    def milestone_rows(self, out: TaskListFile):
        return _milestone_rows(self.table, self._take_rows(), out)

    def _take_rows(self):
        rows, self.rows = self.rows, None
        if rows is None:  # read a second time: open the sheet again
            rows = self.open_again()
        return _guarded(rows)


class UnreadableSheet(Exception):
    """A sheet part openpyxl only finds malformed while reading its rows (the cause
    is the error it raised)."""


def _guarded(rows):
    rows = iter(rows)
    while True:
        try:
            item = next(rows)
        except StopIteration:
            return
        except ImportRefused:  # over the budget of rows or cells: said as such
            raise
        except Exception as exc:
            raise UnreadableSheet(type(exc).__name__) from exc
        yield item


def open_task_list(
    wb,
    *,
    decisions: Decisions | None = None,
    remembered: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[TaskListFile, list[Sheet]]:
    """Find the headers of every sheet that carries task or milestone headers; return
    the file (its tables, nothing read below the headers yet) and those sheets, the
    task sheets first (a milestone needs its task's row to be known)."""
    decisions = decisions or Decisions()
    out = TaskListFile()
    sheets: list[Sheet] = []
    done = 0

    def sheet_progress(n: int) -> None:
        if progress is not None:
            progress(done + n)

    def opened(ws):
        return open_table(
            ws,
            KINDS,
            progress=sheet_progress,
            overrides=decisions.columns.get(ws.title),
            remembered=remembered,
        )

    for ws in wb.worksheets:
        found = opened(ws)
        if found is None:
            continue
        kind, table, rows = found
        for year in _TITLE_YEAR.findall(table.title):
            out.year_evidence[int(year)] += 5
        (out.task_tables if kind == "tasks" else out.milestone_tables).append(table)
        sheets.append(Sheet(kind, table, rows, ws, lambda ws=ws: opened(ws)[2]))
        done += sheet_rows_estimate(ws)
    if not out.task_tables and not out.milestone_tables:
        out.errors.append(
            CellError(
                _(
                    "No sheet has the task list's headers (at least the task and its lead "
                    "unit); download the template to see them."
                )
            )
        )
    sheets.sort(key=lambda s: s.kind != "tasks")
    return out, sheets


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
    width = len(values)
    for name, index in table.columns.items():
        value = values[index] if index < width else None
        text = raw[name] = clean_text(value)
        if name in _DATE_CELLS:
            dates[name] = value
        parse = parsers.get(name)
        if parse is None:
            continue
        if parse is clean_text:  # the text as written is the value
            parsed[name] = text
            continue
        try:
            # Parsers of text take the text already cleaned; the others the cell.
            parsed[name] = parse(text if parse in _TEXT_PARSERS else value)
        except CellValueError as exc:
            out.errors.append(CellError(str(exc), table.sheet, number, table.column(name)))
    return parsed, raw, dates


#: Parsers that begin with `clean_text` of the cell, so may be given it.
_TEXT_PARSERS = frozenset((clean_code, split_list))
_DATE_CELLS = frozenset((*DATE_FIELDS, "planned_date"))


def _row_kind(values: tuple, keys: set[str], table: Table, number: int, out) -> str | None:
    """The row's kind; a row that is not data is listed as skipped."""
    kind = classify_row(values, header_keys=keys)
    if kind.kind != "data":
        if kind.kind != "blank":
            out.skipped.append(Skipped(table.sheet, number, kind.kind, kind.label))
        return kind.label if kind.kind == "section" else None
    return ""


def _task_rows(table: Table, rows, out: TaskListFile):
    """The task rows of a sheet, one at a time; the rows skipped and the errors of the
    cells go into `out` as they are met."""
    if _missing_columns(table, ("title", "lead_unit"), TASK_COLUMNS, out):
        return
    keys = _keys_of(table)
    section = ""
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
        yield TaskIn(table, number, code, parsed, raw, section, dates=dates)


def _milestone_rows(table: Table, rows, out: TaskListFile):
    """The milestone rows of a sheet, one at a time (see `_task_rows`)."""
    if _missing_columns(table, ("task_code", "title", "planned_date"), MILESTONE_COLUMNS, out):
        return
    keys = _keys_of(table)
    required = [c.field for c in MILESTONE_COLUMNS if c.required]
    for number, values in rows:
        if _row_kind(values, keys, table, number, out) != "":
            continue  # not a milestone row (listed as skipped)
        parsed, raw, dates = _cells(table, values, number, _MILESTONE_PARSERS, out)
        for name in required:
            if name in parsed and parsed[name] in ("", None):
                out.errors.append(
                    CellError(_("This cell is required."), table.sheet, number, table.column(name))
                )
        yield MilestoneIn(
            table,
            number,
            parsed.get("task_code", ""),
            parsed.get("order"),
            parsed,
            raw,
            dates=dates,
        )


def read_dates(
    parsed: TaskListFile,
    *,
    year: int,
    tasks: list[TaskIn] | None = None,
    milestones: list[MilestoneIn] | None = None,
) -> None:
    """Read every date of the file (or of the rows given) as a deadline of `year`
    (phrases without a year, such as 年底前, take it), keeping how each was read;
    errors name the cell."""
    for task in parsed.tasks if tasks is None else tasks:
        for name in DATE_FIELDS:
            text = task.raw.get(name, "")
            if name not in task.table.columns or not text:
                continue
            reading = _reading(task.dates.get(name), year, task, name, parsed)
            if reading is not None:
                task.values[name] = reading.date
                task.readings[name] = reading
    for m in parsed.milestones if milestones is None else milestones:
        text = m.raw.get("planned_date", "")
        if not text:
            continue
        reading = _reading(m.dates.get("planned_date"), year, m, "planned_date", parsed)
        if reading is not None:
            m.values["planned_date"] = reading.date
            m.readings["planned_date"] = reading


def _reading(value, year: int, row, name: str, parsed: TaskListFile) -> DateReading | None:
    # The same dates come back on thousands of rows: each value is read once per file.
    key = (type(value), value, year)
    try:
        reading = parsed.date_cache.get(key) if _hashable(value) else None
        if reading is None:
            reading = read_deadline(value, year=year)
            if _hashable(value) and len(parsed.date_cache) < DATE_CACHE:
                parsed.date_cache[key] = reading
    except CellValueError as exc:
        parsed.errors.append(CellError(str(exc), row.table.sheet, row.row, row.table.column(name)))
        return None
    parsed.note_reading(row.table.sheet, row.row, reading)
    return reading


def _hashable(value) -> bool:
    return isinstance(value, str | int | float | dt.date | None)


def date_years(parsed: TaskListFile, tasks: list[TaskIn] | None = None) -> Counter:
    """The years of the dates written in full (2016-06-30, 2016年10月): evidence of the
    file's year that does not depend on the year being asked."""
    years: Counter = Counter()
    for task in parsed.tasks if tasks is None else tasks:
        for name in DATE_FIELDS:
            value = task.raw.get(name, "")
            found = _CODE_YEAR.search(value)
            if found:
                years[int(found.group(1))] += 1
    return years


def assumed_start(year: int) -> dt.date:
    """The start date of a task whose sheet has none: the year's first day."""
    return dt.date(year, 1, 1)
