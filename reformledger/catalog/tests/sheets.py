"""Sheets of departments' lists shaped the way offices really publish them, for tests:
a title row and a note, two-row merged headers (事项名称 over 主项 and 子项), a group
row per department (一、市发展改革局（共N项）), main items' cells merged down over their
sub-items, line breaks inside cells, full-width digits, rows without a code, a total.
"""

import io

from openpyxl import Workbook

POWER_HEAD = [
    "序号",
    "事项编码",
    "事项名称",
    None,
    "事项类型",
    "设定依据",
    "实施主体",
    "责任事项",
    "追责情形",
    "行使层级",
    "备注",
]
SERVICE_HEAD = [
    "序号",
    "事项编码",
    "服务事项名称",
    "服务对象",
    "服务内容",
    "服务依据",
    "实施主体",
    "办理时限",
    "收费标准",
    "咨询电话",
]


def power_sheet(ws, title: str, groups: list[tuple[str, list[dict]]], *, head=POWER_HEAD) -> None:
    """`groups`: (department group text, items); an item is a dict with code, name,
    type, basis, body, resp, acc, level and optionally subs (a list of dicts with code,
    name and any field that differs)."""
    width = len(head)
    ws.append([title] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["注：本清单按部门排列，事项编码为空的待省统一赋码。"] + [None] * (width - 1))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(head)
    sub_head = [None] * width
    sub_head[2], sub_head[3] = "主项", "子项"
    ws.append(sub_head)
    for index, text in enumerate(head, start=1):
        if index not in (3, 4) and text:
            ws.merge_cells(start_row=3, start_column=index, end_row=4, end_column=index)
    ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=4)
    total = 0
    for group, items in groups:
        ws.append([group] + [None] * (width - 1))
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
        for seq, item in enumerate(items, start=1):
            total += 1
            subs = item.get("subs") or []
            first = ws.max_row + 1
            rows = subs or [None]
            for n, sub in enumerate(rows):
                src = {**item, **(sub or {})}
                ws.append(
                    [
                        seq if n == 0 else None,
                        (sub or item).get("code", ""),
                        item["name"] if n == 0 else None,
                        sub["name"] if sub else None,
                        src.get("type"),
                        src.get("basis", "《中华人民共和国行政许可法》"),
                        src.get("body", ""),
                        src.get(
                            "resp",
                            "1.受理责任：公示依法应当提交的材料。\n2.审查责任：对申请材料进行审查。",
                        ),
                        src.get("acc", "不依法履行职责的"),
                        src.get("level", "市级"),
                        None,
                    ]
                )
            if len(rows) > 1:
                last = ws.max_row
                ws.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
                ws.merge_cells(start_row=first, start_column=3, end_row=last, end_column=3)
    ws.append([f"合计：{total}项"] + [None] * (width - 1))


def service_sheet(ws, title: str, groups: list[tuple[str, list[dict]]]) -> None:
    ws.append([title])
    ws.append(SERVICE_HEAD)
    for group, items in groups:
        ws.append([group])
        for seq, item in enumerate(items, start=1):
            ws.append(
                [
                    seq,
                    item.get("code", ""),
                    item["name"],
                    item.get("serves", "公民、法人"),
                    item.get("provides", "提供咨询和办理服务"),
                    item.get("basis", "《广东省政务服务管理办法》"),
                    item.get("body", ""),
                    item.get("limit", "5个工作日"),
                    item.get("fees", "不收费"),
                    item.get("contact", "0752-2800000"),
                ]
            )
    ws.append(["合  计", None, len([i for _g, items in groups for i in items])])


def workbook(power=None, service=None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    if power is not None:
        power_sheet(wb.create_sheet("权责清单"), *power)
    if service is not None:
        service_sheet(wb.create_sheet("公共服务事项"), *service)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
