"""Writing an edition in the published layout, and a comparison's details."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reformledger.catalog.choices import ListKind, MatchedBy
from reformledger.catalog.compare import Comparison
from reformledger.catalog.documents.reading import KINDS
from reformledger.catalog.models import LIST_FIELDS, Edition, Item
from reformledger.exchange import writing
from reformledger.orgs.models import Unit

_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)


def _edition_rows(edition: Edition, list_kind: str) -> dict[Unit, list[tuple[Item, list[Item]]]]:
    items = list(
        Item.objects.filter(edition=edition, list_kind=list_kind)
        .select_related("department", "item_type")
        .order_by("department__path", "position", "pk")
    )
    subs: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if item.parent_id:
            subs[item.parent_id].append(item)
    by_department: dict[Unit, list[tuple[Item, list[Item]]]] = {}
    for item in items:
        if item.parent_id is None:
            by_department.setdefault(item.department, []).append((item, subs.get(item.pk, [])))
    return by_department


_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """一 … 九十九, the numbering of department group rows."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _put(ws, row: int, column: int, value: Any, *, wrap: bool = False, bold: bool = False):
    """One cell of the published layout; text that looks like a formula stays text."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    c = ws.cell(row, column, value)
    if isinstance(value, str) and value.startswith("="):
        c.data_type = "s"
        c.quotePrefix = True
    if wrap:
        c.alignment = _WRAP
    if bold:
        c.font = _BOLD
        c.alignment = _CENTRE
    return c


#: The cells of a main item merged down over its sub-items' rows.
_MERGED = ("seq", "main_code", "main")


def write_edition_xlsx(edition: Edition) -> bytes:
    """An edition in the layout departments publish: a sheet per list, a title row, a
    note, two-row headers (事项名称 over 主项 and 子项), a group row per department,
    each main item's cells merged down over its sub-items, and the total. (Merged cells
    need openpyxl's ordinary workbook, not the write-only one the ledger's exports use.)"""
    wb = Workbook()
    wb.remove(wb.active)
    power = LIST_FIELDS[ListKind.POWER]
    for list_kind, columns in (
        # The main item's name and code over its sub-items' (主项 / 子项).
        (ListKind.POWER, ["seq", "main_code", "code", "main", "sub", *power[2:]]),
        (ListKind.SERVICE, ["seq", *LIST_FIELDS[ListKind.SERVICE]]),
    ):
        ws = wb.create_sheet(str(ListKind(list_kind).label)[:31])
        specs = {c.field: c for c in KINDS[list_kind]}
        width = len(columns)
        _put(ws, 1, 1, f"{edition.title}·{ListKind(list_kind).label}", bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        note = _("Published %(date)s, %(document)s.") % {
            "date": edition.published_on.isoformat() if edition.published_on else _("(draft)"),
            "document": edition.document_no or "—",
        }
        _put(ws, 2, 1, note)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        for index, name in enumerate(columns, start=1):
            if list_kind == ListKind.POWER and name in ("main", "sub"):
                _put(ws, 4, index, str(specs[name].label), bold=True)
                continue
            _put(ws, 3, index, str(specs[name].label), bold=True)
            ws.merge_cells(start_row=3, start_column=index, end_row=4, end_column=index)
        if list_kind == ListKind.POWER:
            at = columns.index("main") + 1
            _put(ws, 3, at, str(specs["name"].label), bold=True)
            ws.merge_cells(start_row=3, start_column=at, end_row=3, end_column=at + 1)
        for index, name in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = specs[name].width
        row = 5
        total = 0
        for number, (department, items) in enumerate(
            _edition_rows(edition, list_kind).items(), start=1
        ):
            _put(ws, row, 1, f"{chinese_number(number)}、{department.name}（共{len(items)}项）")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            row += 1
            for seq, (item, subs) in enumerate(items, start=1):
                total += 1
                lines = subs or [None]
                first = row
                for sub in lines:
                    for index, name in enumerate(columns, start=1):
                        value = _cell(name, item, sub, seq)
                        if value is not None and (row == first or name not in _MERGED):
                            _put(ws, row, index, value, wrap=True)
                    row += 1
                if len(lines) > 1:
                    for name in _MERGED:
                        index = columns.index(name) + 1
                        ws.merge_cells(
                            start_row=first, start_column=index, end_row=row - 1, end_column=index
                        )
        _put(ws, row, 1, _("Total: %(n)s items") % {"n": total})
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    return writing.to_bytes(wb)


def _cell(name: str, item: Item, sub: Item | None, seq: int) -> Any:
    source = sub or item
    if name == "seq":
        return seq
    if name == "main_code":
        return (item.code or None) if sub is not None else None
    if name == "main":
        return item.name
    if name == "sub":
        return sub.name if sub is not None else None
    if name == "name":
        return item.name
    if name == "code":
        return source.code or None
    if name == "item_type":
        return str(source.item_type) if source.item_type_id else None
    return getattr(source, name) or None


def write_comparison_xlsx(comparison: Comparison) -> bytes:
    """The details of a comparison: the counts, then every changed item field by field."""
    wb = writing.new_workbook()  # write-only: rows are appended, nothing merged
    ws = wb.create_sheet(str(_("Summary"))[:31])
    ws.append(
        [
            _("%(new)s compared with %(old)s")
            % {"new": comparison.new.title, "old": comparison.old.title}
        ]
    )
    ws.append([comparison.sentence()])
    ws.append([])
    ws.append(
        [
            _("Group"),
            _("Previous edition"),
            _("This edition"),
            _("Removed"),
            _("Added"),
            _("Difference"),
        ]
    )
    for tally in [
        *comparison.lists.values(),
        comparison.approval,
        *comparison.by_type,
        *comparison.by_department,
    ]:
        ws.append([tally.label, tally.old, tally.new, tally.removed, tally.added, tally.net])
    writing.set_widths(ws, [40, 12, 12, 10, 10, 10])
    details = wb.create_sheet(str(_("Changes"))[:31])
    details.append(
        [
            _("List"),
            _("Change"),
            _("Item code"),
            _("Name"),
            _("Former name"),
            _("Department"),
            _("Former department"),
            _("Main item"),
            _("Matched by"),
            _("Field"),
            _("Before"),
            _("After"),
        ]
    )
    for change in comparison.changes:
        base = [
            str(ListKind(change.list_kind).label),
            "、".join(change.kind_labels()),
            change.code,
            change.name,
            change.old_name if change.old and change.new and change.old_name != change.name else "",
            change.department,
            change.old_department if change.old_department != change.department else "",
            change.main_name,
            str(MatchedBy(change.matched_by).label) if change.matched_by else "",
        ]
        if change.fields:
            for f in change.fields:
                details.append(
                    [
                        writing.csv_safe(v) if isinstance(v, str) else v
                        for v in [*base, f.label, f.old, f.new]
                    ]
                )
        else:
            details.append(
                [writing.csv_safe(v) if isinstance(v, str) else v for v in [*base, "", "", ""]]
            )
    writing.set_widths(details, [12, 14, 18, 30, 30, 20, 20, 24, 16, 14, 40, 40])
    return writing.to_bytes(wb)
