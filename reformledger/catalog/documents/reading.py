"""Reading departments' lists from the sheets they publish (see the package's docstring)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reformledger.catalog.choices import ListKind
from reformledger.catalog.compare import text_key
from reformledger.catalog.models import LIST_FIELDS, Edition, Item, ItemType
from reformledger.exchange import parsing
from reformledger.exchange.errors import CellError, refused
from reformledger.exchange.parsing import Column
from reformledger.exchange.rows import classify_row
from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook
from reformledger.orgs.matching import UnitMatcher
from reformledger.orgs.models import Unit

_COMMON_HEAD = (
    Column("seq", gettext_lazy("No."), ("序号", "编号")),
    Column(
        "code", gettext_lazy("Item code"), ("事项编码", "编码", "事项代码", "权力编码", "服务编码")
    ),
    Column("department", gettext_lazy("Department"), ("部门", "实施部门", "部门名称", "单位")),
)
_COMMON_TAIL = (
    Column(
        "basis",
        gettext_lazy("Legal basis"),
        ("设定依据", "实施依据", "法律依据", "依据", "服务依据"),
    ),
    Column(
        "body",
        gettext_lazy("Implementing body"),
        ("实施主体", "责任主体", "行使主体", "服务主体", "实施机关"),
    ),
)
#: The columns of a list of powers (权责清单), as the published sheets name them.
POWER_COLUMNS = [
    *_COMMON_HEAD,
    Column("main_code", gettext_lazy("Main item code"), ("主项编码",)),
    Column(
        "name",
        gettext_lazy("Item name"),
        ("事项名称", "权力事项名称", "权力名称", "项目名称"),
        width=24,
    ),
    Column("main", gettext_lazy("Main item"), ("主项", "主项名称"), width=24),
    Column("sub", gettext_lazy("Sub-item"), ("子项", "子项名称"), width=24),
    Column("item_type", gettext_lazy("Type"), ("事项类型", "权力类型", "职权类型", "类型", "类别")),
    *_COMMON_TAIL,
    Column("level", gettext_lazy("Level exercised"), ("行使层级", "层级", "实施层级")),
    Column(
        "responsibilities", gettext_lazy("Responsibilities"), ("责任事项", "责任事项内容"), width=40
    ),
    Column(
        "accountability",
        gettext_lazy("Cases of accountability"),
        ("追责情形", "问责情形", "追责对象范围"),
        width=40,
    ),
    Column("note", gettext_lazy("Remarks"), ("备注",)),
]
#: The columns of a list of public services (公共服务事项清单).
SERVICE_COLUMNS = [
    *_COMMON_HEAD,
    Column(
        "name",
        gettext_lazy("Service item"),
        ("服务事项名称", "公共服务事项名称", "事项名称", "服务事项", "服务名称"),
        width=24,
    ),
    Column("serves", gettext_lazy("Serves"), ("服务对象",)),
    Column("provides", gettext_lazy("What it provides"), ("服务内容",), width=30),
    *_COMMON_TAIL,
    Column("time_limit", gettext_lazy("Time limit"), ("办理时限", "承诺时限", "时限", "办结时限")),
    Column("fees", gettext_lazy("Fees"), ("收费标准", "收费情况", "是否收费", "收费")),
    Column("contact", gettext_lazy("Contact"), ("咨询电话", "联系电话", "咨询方式", "联系方式")),
    Column("note", gettext_lazy("Remarks"), ("备注",)),
]
KINDS = {ListKind.POWER.value: POWER_COLUMNS, ListKind.SERVICE.value: SERVICE_COLUMNS}
#: The fields an item row carries, per list (the order of its fingerprint).
ROW_FIELDS = LIST_FIELDS
#: Fields a sub-item takes from its main item when its own cell is empty (merged down).
_INHERITED = ("item_type", "basis", "body", "level")

_BREAKS = re.compile(r"[ \t\u3000]*[\r\n]+[ \t\u3000]*")
_SPACES = re.compile(r"[ \t\u3000]+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff（）《》、，])\s+|\s+(?=[\u3400-\u9fff（）《》、，])")
_MAX = {
    f.name: getattr(f, "max_length", None)
    for f in Item._meta.get_fields()
    if hasattr(f, "max_length")
}


def one_line(value: Any) -> str:
    """A name as one line: a line break the printer needed is not part of it, nor are
    the spaces typed between Chinese characters."""
    text = _BREAKS.sub(" ", parsing.clean_text(value))
    return _CJK_GAP.sub("", _SPACES.sub(" ", text)).strip()


def long_text(value: Any) -> str:
    """A long cell (basis, responsibilities) keeps its line breaks, trimmed line by line."""
    lines = [_SPACES.sub(" ", line).strip() for line in parsing.clean_text(value).splitlines()]
    return "\n".join(line for line in lines if line)


@dataclass
class RowItem:
    """One item read from a sheet (a sub-item carries its main item's row)."""

    sheet: str
    row: int
    list_kind: str
    department: Unit
    fields: dict[str, Any]
    sub_items: list[RowItem] = field(default_factory=list)

    def canonical(self) -> list:
        values = []
        for name in ROW_FIELDS[ListKind(self.list_kind)]:
            value = self.fields.get(name)
            values.append(value.code if isinstance(value, ItemType) else text_key(value))
        return [values, [s.canonical() for s in self.sub_items]]


@dataclass
class PartRows:
    """A department's part of one list as the file gives it."""

    department: Unit
    list_kind: str
    items: list[RowItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def sub_count(self) -> int:
        return sum(len(i.sub_items) for i in self.items)

    def fingerprint(self) -> str:
        return fingerprint_of([i.canonical() for i in self.items])


def fingerprint_of(canonical: list) -> str:
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


@dataclass
class ListCheck:
    """What reading a workbook found: the parts it holds, the rows it skipped (title,
    notes, totals) and every error."""

    edition: Edition
    file_name: str
    parts: list[PartRows] = field(default_factory=list)
    skipped: list[tuple[str, int, str, str]] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    sheets: list[dict] = field(default_factory=list)
    file_hash: str = ""


class _Types:
    """Power types by their name or another name, compared folded."""

    def __init__(self):
        self.by_key: dict[str, ItemType] = {}
        for item_type in ItemType.objects.filter(is_active=True):
            for text in (item_type.name, item_type.code, *item_type.aliases.split(",")):
                if text.strip():
                    self.by_key.setdefault(text_key(text).lower(), item_type)

    def find(self, text: str) -> ItemType | None:
        return self.by_key.get(text_key(text).lower())


def read_lists(
    data: bytes,
    file_name: str,
    edition: Edition,
    *,
    department: Unit | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ListCheck:
    """Read a workbook of departments' lists for `edition`. Raises ImportRefused when
    the file is no workbook or no sheet carries a list's headers; otherwise the check
    lists every error found (and writes nothing)."""
    check_xlsx(data, file_name)
    wb = load_workbook(data)
    check = ListCheck(
        edition=edition, file_name=file_name, file_hash=hashlib.sha256(data).hexdigest()
    )
    matcher = UnitMatcher.load(within=edition.jurisdiction)
    types = _Types()
    parts: dict[tuple[int, str], PartRows] = {}
    codes: dict[tuple[str, str], tuple[str, int]] = {}
    found_any = False
    try:
        for ws in wb.worksheets:
            opened = parsing.open_table(ws, KINDS)
            if opened is None:
                continue
            found_any = True
            kind, table, rows = opened
            _Sheet(check, kind, table, matcher, types, parts, codes, department).read(rows)
            if progress is not None:
                progress(len(check.parts), 0)
    finally:
        wb.close()
    if not found_any:
        raise refused(
            _(
                "No sheet of this file carries the headers of a list of powers (事项名称, "
                "事项类型…) or of public services (服务事项名称, 服务对象…)."
            )
        )
    check.parts = list(parts.values())
    if not check.parts and not check.errors:
        check.errors.append(CellError(message=_("The file holds no items.")))
    return check


class _Sheet:
    """Reading one sheet's rows (state: the department and the main item in force)."""

    def __init__(self, check, kind, table, matcher, types, parts, codes, department):
        self.check, self.kind, self.table = check, kind, table
        self.matcher, self.types, self.parts, self.codes = matcher, types, parts, codes
        self.department = department
        self.main: RowItem | None = None
        self.has_sub = "sub" in table.columns
        self.main_field = "main" if "main" in table.columns else "name"
        self.header_keys = {k for c in KINDS[kind] for k in c.accepted()}
        check.sheets.append(
            {
                "sheet": table.sheet,
                "title": table.title,
                "kind": kind,
                "first_row": table.first_row,
                "columns": [
                    {"letter": table.letter(i), "header": text, "status": "taken"}
                    for f, text in table.headers.items()
                    for i in [table.columns[f]]
                ]
                + [
                    {"letter": table.letter(i), "header": text, "status": "ignored"}
                    for i, text in table.unmapped.items()
                ],
            }
        )
        required = ["item_type"] if kind == ListKind.POWER else []
        if self.main_field not in table.columns:
            required.insert(0, self.main_field)
        for name in required:
            if name not in table.columns:
                label = next(str(c.label) for c in KINDS[kind] if c.field == name)
                check.errors.append(
                    CellError(
                        message=_("The column %(column)s is missing.") % {"column": label},
                        sheet=table.sheet,
                    )
                )
        self.usable = not required or all(n in table.columns for n in required)

    def error(self, row: int, name: str, message: str) -> None:
        column = self.table.column(name) if name else ""
        self.check.errors.append(
            CellError(message=message, sheet=self.table.sheet, row=row, column=column)
        )

    def value(self, values: tuple, name: str) -> Any:
        return self.table.value(values, name)

    def read(self, rows) -> None:
        if not self.usable:
            return
        for number, values in rows:
            kind = classify_row(values, header_keys=self.header_keys)
            if kind.kind == "section":
                self._department(number, kind.label)
                self.main = None
                continue
            if kind.kind != "data":
                self.check.skipped.append((self.table.sheet, number, kind.kind, kind.label))
                continue
            self._row(number, values)

    def _department(self, number: int, text: str) -> None:
        match = self.matcher.match(text)
        unit = getattr(match, "unit", None)
        if unit is None:
            candidates = "、".join(str(c) for c in (getattr(match, "candidates", None) or [])[:3])
            message = _("The department %(name)s is not known.") % {"name": text}
            if candidates:
                message += " " + _("Did you mean: %(names)s?") % {"names": candidates}
            self.error(number, "", message)
            self.department = None
            self.unknown_department = True
            return
        self.unknown_department = False
        self.department = unit

    def _row(self, number: int, values: tuple) -> None:
        department = self.department
        text = (
            one_line(self.value(values, "department")) if "department" in self.table.columns else ""
        )
        if text:
            match = self.matcher.match(text)
            department = getattr(match, "unit", None)
            if department is None:
                self.error(
                    number,
                    "department",
                    _("The department %(name)s is not known.") % {"name": text},
                )
                return
        if department is None:
            if not getattr(self, "unknown_department", False):
                self.error(
                    number,
                    "",
                    _(
                        "No department for this row: put a department row (一、市XX局) above "
                        "the items, or choose the department when importing."
                    ),
                )
            return
        main_text = one_line(self.value(values, self.main_field))
        sub_text = one_line(self.value(values, "sub")) if self.has_sub else ""
        fields = self._fields(number, values)
        if fields is None:
            return
        if self.main is not None and self.main.department != department:
            self.main = None
        if main_text and sub_text:
            main_fields = dict(fields, name=main_text, code=self._code(values, "main_code"))
            self.main = self._item(number, department, main_fields, "main_code")
            sub = RowItem(
                self.table.sheet, number, self.kind, department, dict(fields, name=sub_text)
            )
            self._sub(number, sub)
        elif main_text:
            self.main = self._item(number, department, dict(fields, name=main_text))
        elif sub_text:
            if self.main is None:
                self.error(number, "sub", _("This sub-item has no main item above it."))
                return
            sub = RowItem(
                self.table.sheet, number, self.kind, department, dict(fields, name=sub_text)
            )
            self._sub(number, sub)
        else:
            self.error(number, self.main_field, _("The item has no name."))

    def _code(self, values: tuple, name: str) -> str:
        return parsing.fold(one_line(self.value(values, name))).replace(" ", "")

    def _fields(self, number: int, values: tuple) -> dict | None:
        fields: dict[str, Any] = {"code": self._code(values, "code")}
        for name in ROW_FIELDS[ListKind(self.kind)]:
            if name in ("code", "name"):
                continue
            raw = self.value(values, name)
            fields[name] = (
                long_text(raw)
                if name
                in ("basis", "responsibilities", "accountability", "provides", "serves", "note")
                else one_line(raw)
            )
        ok = True
        if self.kind == ListKind.POWER:
            text = fields.pop("item_type")
            if text:
                found = self.types.find(text)
                if found is None:
                    self.error(
                        number,
                        "item_type",
                        _("%(text)s is not a type of power; the types are: %(types)s.")
                        % {
                            "text": text,
                            "types": "、".join(
                                sorted(
                                    {str(t) for t in self.types.by_key.values()}, key=lambda s: s
                                )
                            ),
                        },
                    )
                    ok = False
                fields["item_type"] = found
            else:
                fields["item_type"] = None
        for name, value in fields.items():
            limit = _MAX.get(name)
            if isinstance(value, str) and limit and len(value) > limit:
                self.error(number, name, _("At most %(n)s characters.") % {"n": limit})
                ok = False
        return fields if ok else None

    def _check_code(self, number: int, code: str, column: str) -> bool:
        if not code:
            return True
        key = (self.kind, code)
        if key in self.codes:
            sheet, row = self.codes[key]
            self.error(
                number,
                column,
                _("The code %(code)s is already used by sheet %(sheet)s, row %(row)s.")
                % {"code": code, "sheet": sheet, "row": row},
            )
            return False
        self.codes[key] = (self.table.sheet, number)
        return True

    def _item(
        self, number: int, department: Unit, fields: dict, column: str = "code"
    ) -> RowItem | None:
        item = RowItem(self.table.sheet, number, self.kind, department, fields)
        if self.kind == ListKind.POWER and fields.get("item_type") is None:
            self.error(number, "item_type", _("A power item needs its type."))
            return None
        if not self._check_code(number, fields["code"], column):
            return None
        key = (department.pk, self.kind)
        if key not in self.parts:
            self.parts[key] = PartRows(department, self.kind)
        self.parts[key].items.append(item)
        return item

    def _sub(self, number: int, sub: RowItem) -> None:
        main = self.main
        if main is None:
            return
        for name in _INHERITED:
            if not sub.fields.get(name):
                sub.fields[name] = main.fields.get(name)
        if self.kind == ListKind.POWER and sub.fields.get("item_type") is None:
            self.error(number, "item_type", _("A power item needs its type."))
            return
        if not self._check_code(number, sub.fields["code"], "code"):
            return
        main.sub_items.append(sub)
