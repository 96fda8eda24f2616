"""The demo's 2015 and 2016 city editions of the lists (惠州市市级权责清单和服务清单),
made through the catalog services the way the office makes them.

For each edition the office staff (`office`) start a draft, import each department's
workbook as the department sends it — the published layout with a title row, a note,
two-row headers (事项名称 over 主项 and 子项), a department group row, main cells merged
down over their sub-items, line breaks in long cells, a total row, and the small
liberties offices take (a type written 许可 or 监督检查, a code typed in full-width
digits, a name spaced out) — review every part, and the director publishes it with its
document. The 2016 edition is the deliverable of task 2016-011 and is compared with
the 2015 one. The items are `catalog_data`'s; each act is pinned to its day.

Loading twice writes nothing the second time: once the 2016 edition exists, `play`
does nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reformledger.accounts.models import User
from reformledger.catalog import services
from reformledger.catalog.choices import ListKind
from reformledger.catalog.models import Edition, Part
from reformledger.catalog.services.imports import lists_import
from reformledger.core.clock import pinned
from reformledger.demo import catalog_data as lists
from reformledger.demo import data
from reformledger.exchange import writing
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit

__all__ = ["department_workbook", "play"]

#: The days of each edition's acts: year -> (started, imported, reviewed); the day of
#: its publication is in `catalog_data.EDITIONS`.
DAYS = {
    2015: (dt.date(2015, 10, 12), dt.date(2015, 11, 16), dt.date(2015, 12, 7)),
    2016: (dt.date(2016, 6, 29), dt.date(2016, 8, 30), dt.date(2016, 9, 26)),
}
#: How each department's clerk writes a power type (the reader knows these names).
TYPE_WORDS = {
    "HZ-GAJ": {"licensing": "许可", "penalty": "处罚", "inspection": "检查", "other": "其他"},
    "HZ-NYJ": {"licensing": "行政审批", "inspection": "监督检查", "other": "其他权力"},
}
#: Departments whose clerk typed the codes in full-width digits.
FULL_WIDTH_CODES = {"HZ-WGX"}
#: Departments whose group row gives the short name (市发展改革局) rather than the full one.
SHORT_GROUP_NAME = {"HZ-FGJ", "HZ-RSJ", "HZ-WJJ"}

_POWER_COLUMNS = [
    ("序号", None),
    ("主项编码", None),
    ("事项编码", None),
    ("事项名称", "主项"),
    ("事项名称", "子项"),
    ("事项类型", None),
    ("设定依据", None),
    ("实施主体", None),
    ("行使层级", None),
    ("责任事项", None),
    ("追责情形", None),
    ("备注", None),
]
_SERVICE_COLUMNS = [
    "序号",
    "事项编码",
    "服务事项名称",
    "服务对象",
    "服务内容",
    "服务依据",
    "服务主体",
    "办理时限",
    "收费标准",
    "咨询电话",
    "备注",
]
#: Power columns merged down over a main item's sub-items (a sub-item's own code and
#: name are its own).
_MERGED_DOWN = (1, 2, 4, 6, 7, 8, 9, 10, 11, 12)
_WIDTHS = {1: 6, 2: 20, 3: 22, 4: 26, 5: 24, 6: 10, 7: 40, 8: 20, 9: 10, 10: 50, 11: 50, 12: 8}
_WRAP = Alignment(wrap_text=True, vertical="center")
_BOLD = Font(bold=True)
_TYPE_NAMES = {
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "levy": "行政征收",
    "payment": "行政给付",
    "inspection": "行政检查",
    "confirmation": "行政确认",
    "award": "行政奖励",
    "adjudication": "行政裁决",
    "other": "其他行政权力",
}
_CN = "零一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _code(department: str, code: str) -> str | None:
    if not code:
        return None
    return code.translate(_FULL_WIDTH) if department in FULL_WIDTH_CODES else code


def _spaced(name: str) -> str:
    """A short name spaced out to fill its cell, as some clerks type it (婚 姻 登 记)."""
    return " ".join(name) if len(name) <= 4 else name


def _group_name(department: str) -> str:
    if department in SHORT_GROUP_NAME:
        short = {c: s for c, _p, _k, _n, s in data.UNITS}[department]
        return short or lists.department_name(department)
    return lists.department_name(department)


def _title(ws, row: int, text: str, width: int, *, bold: bool = True) -> None:
    cell = ws.cell(row, 1, text)
    cell.alignment = Alignment(horizontal="center" if bold else "left", vertical="center")
    if bold:
        cell.font = Font(bold=True, size=14)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _power_sheet(ws, department: str, year: int, items: list[dict]) -> None:
    width = len(_POWER_COLUMNS)
    name = lists.department_name(department)
    _title(ws, 1, f"{name}权责清单（{year}年版）", width)
    _title(
        ws,
        2,
        "注：本清单所列事项依据截至编制之日的法律法规规章，“行使层级”为市级的事项由市级部门实施。",
        width,
        bold=False,
    )
    for column, (top, below) in enumerate(_POWER_COLUMNS, start=1):
        ws.cell(3, column, top).font = _BOLD
        if below is None:
            ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
        else:
            ws.cell(4, column, below).font = _BOLD
    ws.merge_cells(start_row=3, start_column=4, end_row=3, end_column=5)
    for column, size in _WIDTHS.items():
        ws.column_dimensions[get_column_letter(column)].width = size
    row = 5
    _title(ws, row, f"一、{_group_name(department)}（共{len(items)}项）", width, bold=False)
    words = TYPE_WORDS.get(department, {})
    for seq, item in enumerate(items, start=1):
        row += 1
        first = row
        values = {
            1: seq,
            2: _code(department, item["code"]),
            4: item["name"],
            6: words.get(item["type"], _TYPE_NAMES[item["type"]]),
            7: item["basis"],
            8: item["body"],
            9: item["level"],
            10: item["responsibilities"],
            11: item["accountability"],
        }
        subs = item["subs"] or [None]
        for index, sub in enumerate(subs):
            if index:
                row += 1
            line = dict(values) if index == 0 else {}
            if sub is None:
                line[3] = _code(department, item["code"])
            else:
                line[3] = _code(department, sub["code"])
                line[5] = sub["name"]
            for column, value in line.items():
                ws.cell(row, column, value).alignment = _WRAP
        if row > first:
            for column in _MERGED_DOWN:
                ws.merge_cells(start_row=first, start_column=column, end_row=row, end_column=column)
    row += 1
    ws.cell(row, 1, f"合计：共{len(items)}项")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _service_sheet(ws, department: str, year: int, items: list[dict]) -> None:
    width = len(_SERVICE_COLUMNS)
    _title(ws, 1, f"{lists.department_name(department)}公共服务事项清单（{year}年版）", width)
    _title(ws, 2, "注：本清单所列服务事项除注明收费的外，均免费提供。", width, bold=False)
    for column, text in enumerate(_SERVICE_COLUMNS, start=1):
        ws.cell(3, column, text).font = _BOLD
        # The two header rows of the power sheet, merged into one here.
        ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    row = 5
    _title(ws, row, f"一、{_group_name(department)}（共{len(items)}项）", width, bold=False)
    for seq, item in enumerate(items, start=1):
        row += 1
        name = _spaced(item["name"]) if department == "HZ-MZJ" else item["name"]
        for column, value in enumerate(
            (
                seq,
                _code(department, item["code"]),
                name,
                item["serves"],
                item["provides"],
                item["basis"].replace("；", "；\n"),
                item["body"],
                item["time_limit"],
                item["fees"],
                item["contact"],
                None,
            ),
            start=1,
        ):
            if value is not None:
                ws.cell(row, column, value).alignment = _WRAP
    row += 1
    ws.cell(row, 1, "合计")
    ws.cell(row, 3, f"共{len(items)}项")


def department_workbook(department: str, year: int, items: list[dict]) -> bytes:
    """A department's lists of the year as it sends them: a sheet of powers and a sheet
    of public services, each in the published layout."""
    wb = Workbook()
    power = wb.active
    power.title = "权责清单"
    _power_sheet(power, department, year, [i for i in items if i["list"] == ListKind.POWER])
    _service_sheet(
        wb.create_sheet("公共服务事项清单"),
        department,
        year,
        [i for i in items if i["list"] == ListKind.SERVICE],
    )
    return writing.to_bytes(wb)


def play(loader) -> None:
    """The city's 2015 and 2016 editions, unless the 2016 one exists."""
    office = loader.units[data.CITY_OFFICE]
    city = loader.units["HZ"]
    if Edition.objects.filter(jurisdiction=city, year=2016).exists():
        return
    staff = loader.users.get("office") or User.objects.get(username="office")
    director = loader.users.get("director") or User.objects.get(username="director")
    task = Task.objects.get(office=office, year=2016, code=lists.TASK_2016)
    with translation.override("zh-hans"):
        previous = Edition.objects.filter(jurisdiction=city, year=2015).first()
        if previous is None:
            previous = _edition(loader, 2015, office, city, staff, director)
        _edition(loader, 2016, office, city, staff, director, previous=previous, task=task)


def _edition(loader, year, office, city, staff, director, *, previous=None, task=None) -> Edition:
    title, document_no, published_on = lists.EDITIONS[year]
    started, imported, reviewed = DAYS[year]
    with pinned(_at(started)):
        edition = services.edition_create(
            by=staff,
            office=office,
            jurisdiction=city,
            year=year,
            title=title,
            previous=previous,
            task=task,
        )
    items = lists.edition(year)
    units = {
        u.code: u for u in Unit.objects.filter(code__in=[d for d, _n, _t in lists.DEPARTMENTS])
    }
    with pinned(_at(imported)):
        for department, _number, _tel in lists.DEPARTMENTS:
            own = [i for i in items if i["department"] == department]
            lists_import(
                by=staff,
                edition=edition,
                data=department_workbook(department, year, own),
                file_name=f"{lists.department_name(department)}权责清单和服务清单（{year}年版）.xlsx",
                department=units[department],
            )
    loader._made("list items", edition.items.count())
    with pinned(_at(reviewed)):
        for part in Part.objects.filter(edition=edition).order_by("list_kind", "department__path"):
            services.part_review(by=staff, part=part)
    with pinned(_at(published_on, 15)):
        edition = services.edition_publish(
            by=director,
            edition=edition,
            published_on=published_on,
            document_no=document_no,
            document_title=title,
        )
    loader._made("list editions")
    return edition
