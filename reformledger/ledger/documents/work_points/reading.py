"""Reading the year's work points (年度工作要点) or a task-decomposition plan (重点工作
任务分解和责任分工方案) into draft tasks, before anything is compared or written.

The document arrives as the office received it (`text` gives its
paragraphs and tables). Its numbering makes a tree — 一、 above （一） above 1. above
（1） — whose leaves are the items, each a draft task, and whose inner nodes are
headings: a reform area, a parent task or a mere group, as the clerk chooses. Each
item is split into its parts, every part kept with where it stood in the paragraph
so the preview can mark it:

- the title: the bold text the item opens with, else its first sentence, without
  its number, a leading deadline (2022年10月底前编制… is 编制…) or a unit clause;
- the description: the rest, without the unit clauses;
- the units: a clause in brackets — （A、B牵头，C按职责分工负责）, （牵头单位：A；配合
  单位：B）, （A牵头，B、C配合） — or lines of their own (牵头单位：A / 责任单位：A，B),
  the first unit named responsible leading where none is said to lead; an item
  without units takes those of the heading above it;
- the deadlines: every phrase `exchange.dates.find_deadlines` knows, the latest
  chosen; a text with none is the year's end, marked assumed;
- the numeric targets (地区生产总值增长6.2%左右), kept as indicator drafts.

Traditional characters are read as simplified ones (`exchange.chinese`). Tables
with a task list's headers (序号 / 工作任务 / 牵头单位 …) are read as the task list's
sheets are (`task_list_reading`), one item per row. What the reader cannot place —
items without a lead unit, paragraphs that look like items outside the numbering,
deadlines it cannot read — is kept and listed, never dropped.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reformledger.exchange.chinese import to_simplified
from reformledger.exchange.dates import find_deadlines
from reformledger.exchange.parsing import CellValueError
from reformledger.ledger.documents.work_points.items import (
    _COUNT,
    Heading,
    Item,
    Line,
    Stray,
    Units,
    WorkPointsFile,
    _fold_in_place,
    _marker,
)
from reformledger.ledger.documents.work_points.parts import (
    _BARE_YEAR,
    _DUE_WORDS,
    _bracket_groups,
    _clause,
    _units_in,
    read_item,
)
from reformledger.ledger.documents.work_points.tables import (
    _table_items,
)
from reformledger.ledger.documents.work_points.text import Block, read_blocks

# --- the document's own data ---------------------------------------------------------

_DOC_NO = re.compile(
    r"[\u4e00-\u9fff]{1,15}\s*[〔\[【(]\s*((?:19|20)[0-9]{2})\s*[〕\]】)]\s*[0-9]{1,4}\s*号"
)
_ISSUED = re.compile(r"^\s*((?:19|20)[0-9]{2})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日\s*$")
_ISSUED_CN = re.compile(
    r"^\s*([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日\s*$"
)
_TITLE_WORDS = ("要点", "方案", "计划", "清单", "安排", "任务")
_TITLE_YEAR = re.compile(r"((?:19|20)[0-9]{2})\s*年")

# --- reading --------------------------------------------------------------------------


def read_work_points(
    data: bytes,
    file_name: str,
    *,
    year: int,
    columns: dict | None = None,
    remembered: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> WorkPointsFile:
    """Read a document into items, headings and what lies outside them. Deadlines are
    read with `year` (phrases without one, such as 年底前, take it). Raises
    ImportRefused when the file cannot be read at all."""
    text = read_blocks(data, file_name, progress=progress)
    out = WorkPointsFile(kind=text.kind, blocks=len(text.blocks))
    tables = {"columns": columns or {}, "remembered": remembered or {}}
    _walk(text.blocks, out, year=year, tables=tables)
    _document_data(text.blocks, out)
    out.traditional = any(item.traditional for item in out.items)
    return out


@dataclass
class _Node:
    key: str
    block: Block
    rank: int
    number_end: int
    lines: list[Line]
    parent: "_Node | None"
    children: list["_Node"] = field(default_factory=list)
    closed: bool = False
    rows: list[Item] = field(default_factory=list)


def _walk(blocks: list[Block], out: WorkPointsFile, *, year: int, tables: dict) -> None:
    """Build the numbering tree, then read its leaves as items and its inner nodes as
    headings; a table's rows stand under the heading the table follows."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    last: _Node | None = None
    strays: list[tuple[Block, _Node | None]] = []
    table_no = 0
    for block in blocks:
        if block.is_table:
            table_no += 1
            rows = _table_items(block, table_no, out, year=year, **tables)
            if rows is None:  # no task list headers: its rows are read as paragraphs
                for texts in block.rows or []:
                    line = " ".join(dict.fromkeys(t for t in texts if t))
                    if line:
                        strays.append((Block(block.number, line), stack[-1] if stack else None))
                continue
            holder = stack[-1] if stack else None
            if holder is not None:
                holder.rows.extend(rows)
                holder.closed = True
            else:
                out.items.extend(rows)
            continue
        line = Line.of(block.number, block.text)
        found = _marker(line.simple)
        if found is not None:
            _kind, rank, end = found
            while stack and stack[-1].rank >= rank:
                stack.pop()
            parent = stack[-1] if stack else None
            node = _Node(str(block.number), block, rank, end, [line], parent)
            (parent.children if parent else roots).append(node)
            stack.append(node)
            last = node
            node.closed = _ends_with_units(line.simple)
            continue
        if last is not None and line.label and not last.children:
            last.lines.append(line)
            last.closed = True
        elif last is not None and not last.children and not last.closed and not last.rows:
            last.lines.append(line)
            last.closed = _ends_with_units(line.simple)
        else:
            strays.append((block, stack[-1] if stack else None))
    for node in roots:
        _read_node(node, [], out, year=year)
    for block, under in strays:
        line = Line.of(block.number, block.text)
        out.strays.append(
            Stray(
                str(block.number),
                block.number,
                block.text,
                _looks_like_item(line, year),
                under.key if under is not None else "",
            )
        )


def _ends_with_units(simple: str) -> bool:
    """Whether a line ends with a unit clause in brackets (the item is complete)."""
    text = simple.rstrip(" 。.;；")
    if not text.endswith(")"):
        return False
    groups = _bracket_groups(text)
    return bool(groups) and groups[-1][1] == len(text) and _clause(text[groups[-1][0] + 1 : -1])


def _looks_like_item(line: Line, year: int) -> bool:
    """A paragraph outside the numbering reads like an item when it names units with
    a role, or sets a deadline (2022年10月底前, 年底前), not a mere year."""
    if line.label:
        return True
    if _issued(line.simple) is not None:  # the document's date, under its signature
        return False
    for start, end in _bracket_groups(line.simple):
        if _clause(line.simple[start + 1 : end - 1]):
            return True
    try:
        found = find_deadlines(line.simple, year=year)
    except CellValueError:
        return True
    return any(
        not _BARE_YEAR.match(r.text) and any(w in r.text for w in _DUE_WORDS) for *_x, r in found
    )


def _read_node(node: _Node, path: list[str], out: WorkPointsFile, *, year: int) -> None:
    if not node.children and not node.rows:
        out.items.append(_item(node, path, year=year))
        return
    line = node.lines[0]
    name = _heading_name(line.simple[node.number_end :])
    units = Units()
    for ln in node.lines:
        units.extend(_units_in(ln.simple)[0])
    heading = Heading(
        node.key,
        node.block.number,
        node.rank,
        line.simple[: node.number_end].strip(),
        name,
        node.lines,
        units,
        list(path),
    )
    out.headings[node.key] = heading
    below = [*path, node.key]
    for row in node.rows:
        row.path = below
        heading.children.append(row.key)
        out.items.append(row)
    for child in node.children:
        heading.children.append(child.key)
        _read_node(child, below, out, year=year)


def _heading_name(text: str) -> str:
    text = _COUNT.sub("", text.strip())
    groups = _bracket_groups(text)
    for start, end in reversed(groups):
        if _clause(text[start + 1 : end - 1]):
            text = text[:start] + text[end:]
    return text.strip(" :：。;；")


# --- an item's parts ---------------------------------------------------------------------


def _item(node: _Node, path: list[str], *, year: int) -> Item:
    item = Item(
        key=node.key,
        where=_("Text"),
        row=node.block.number,
        lines=node.lines,
        number=node.lines[0].simple[: node.number_end].strip(),
        path=list(path),
    )
    read_item(item, year=year, bold=node.block.bold, number_end=node.number_end)
    return item


# --- the document's title, number and date ------------------------------------------------


def _document_data(blocks: list[Block], out: WorkPointsFile) -> None:
    texts = [_fold_in_place(to_simplified(b.text)) for b in blocks if not b.is_table and b.text]
    for text in texts[:15] + texts[-10:]:
        found = _DOC_NO.search(text)
        if found and not out.document_no:
            out.document_no = found.group(0).replace(" ", "")[:60]
    for text in texts[:8]:
        if _marker(text) is None and any(w in text for w in _TITLE_WORDS) and len(text) <= 80:
            out.title = re.sub(r"\s+", "", text)[:200]
            break
    for text in reversed(texts):
        day = _issued(text)
        if day is not None:
            out.issued_on = day
            break
    for year in _TITLE_YEAR.findall(out.title):
        out.year_evidence[int(year)] += 5
    if out.document_no:
        found = _DOC_NO.search(out.document_no)
        if found:
            out.year_evidence[int(found.group(1))] += 1


def _issued(text: str) -> dt.date | None:
    found = _ISSUED.match(text)
    try:
        if found:
            return dt.date(*(int(g) for g in found.groups()))
        found = _ISSUED_CN.match(text)
        if found:
            digits = "〇一二三四五六七八九"
            year = int("".join(str(digits.index(c) if c in digits else 0) for c in found[1]))
            return dt.date(year, _cn_number(found[2]), _cn_number(found[3]))
    except ValueError:
        return None
    return None


def _cn_number(text: str) -> int:
    digits = "〇一二三四五六七八九"
    if "十" not in text:
        return digits.index(text)
    tens, _sep, units = text.partition("十")
    return (digits.index(tens) if tens else 1) * 10 + (digits.index(units) if units else 0)
