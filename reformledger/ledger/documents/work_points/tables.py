"""A table inside the document with a task list's headers (序号 / 工作任务 / 牵头单位 /
配合单位 / 完成时限), read as the task list's sheets are: one item per row."""

import datetime as dt

from django.utils.translation import gettext as _

from reformledger.exchange.chinese import has_traditional, to_simplified
from reformledger.exchange.parsing import split_list
from reformledger.ledger.documents.task_list_reading import Decisions, read_task_list
from reformledger.ledger.documents.work_points.items import (
    Deadline,
    Item,
    Line,
    Span,
    Units,
    WorkPointsFile,
    _fold_in_place,
)
from reformledger.ledger.documents.work_points.parts import (
    _BARE_YEAR,
    _clause,
    _names,
    _phrases,
    choose_deadline,
    read_item,
)
from reformledger.ledger.documents.work_points.text import Block

# --- tables -------------------------------------------------------------------------------


def _table_items(
    block: Block, number: int, out: WorkPointsFile, *, year: int, columns: dict, remembered: dict
):
    """A table with the task list's headers, read as its sheet would be: one item per
    row. None when the table has no such headers."""
    import openpyxl

    where = _("Table %(number)s") % {"number": number}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = where[:31]
    rows = block.rows or []
    for row in rows:
        ws.append(row)
    parsed = read_task_list(wb, decisions=Decisions(columns=columns), remembered=remembered)
    if not parsed.task_tables:
        return None
    table = parsed.task_tables[0]
    out.tables.append(
        {
            "where": where,
            "rows": len(rows),
            "columns": {name: table.column(name) for name in table.columns},
        }
    )
    items = []
    for row in parsed.tasks:
        cells = rows[row.row - 1] if row.row - 1 < len(rows) else []
        heads = table.header_cells
        text = "；".join(
            f"{heads[i]}：{cell}" if heads.get(i) else cell
            for i, cell in enumerate(cells)
            if cell and heads.get(i) not in ("序号",)
        )
        item = Item(
            key=f"{block.number}r{row.row}",
            where=where,
            row=row.row,
            lines=[Line.of(block.number, text)],
            kind="row",
            section=row.section,
        )
        _read_row(item, row, year=year)
        items.append(item)
    return items


def _read_row(item: Item, row, *, year: int) -> None:
    """A table row's cells: the task's text read like an item's, the unit columns as
    lists (or as a clause, when a cell says who leads), the deadline cell's phrases."""
    v = row.values
    line = Line.of(item.lines[0].block, v.get("title", ""))
    sub = Item(key=item.key, where=item.where, row=item.row, lines=[line])
    read_item(sub, year=year)
    item.title = sub.title
    item.description = "\n".join(t for t in (sub.description, v.get("description", "")) if t)
    units = Units()
    for name, role in (("lead_unit", "responsible"), ("helping_units", "helping")):
        text = _fold_in_place(to_simplified(row.raw.get(name, "")))
        clause = _clause(text) if text else None
        if clause:
            units.extend(clause[0])
        else:
            getattr(units, role).extend(n for t in split_list(text) for n in _names(t) if n)
    item.lead, item.helping = units.settled()
    item.leader = _fold_in_place(to_simplified(row.raw.get("responsible_leader", "")))
    item.traditional = has_traditional(item.source)
    simple = item.lines[0].simple
    for text in (row.raw.get("deadline", ""), v.get("title", "")):
        text = _fold_in_place(to_simplified(text))
        if not text:
            continue
        for start, end, reading, problem in _phrases(text, year):
            at = simple.find(text[start:end])
            if problem:
                item.unread.append((text[start:end], problem))
            elif not _BARE_YEAR.match(reading.text) and reading.date >= dt.date(year, 1, 1):
                item.deadlines.append(Deadline(reading.text, reading.date, reading.how))
            if at >= 0:
                kind = "unread" if problem else "deadline"
                item.spans.append(Span(0, at, at + end - start, kind))
    for name, kind in (("title", "title"), ("lead_unit", "lead"), ("helping_units", "helping")):
        text = _fold_in_place(to_simplified(row.raw.get(name, "")))
        at = simple.find(text) if text else -1
        if at >= 0:
            item.spans.append(Span(0, at, at + len(text), kind))
    item.deadline = choose_deadline(item, year)
    item.targets = sub.targets
