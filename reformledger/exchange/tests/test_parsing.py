"""Cell readers: the date styles, digits, flags and headers that real sheets contain."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils.translation import gettext_lazy, override

from reformledger.exchange.parsing import (
    HEADER_SCAN_ROWS,
    CellValueError,
    Column,
    clean_code,
    clean_text,
    excel_serial_date,
    find_header,
    header_keys,
    open_table,
    parse_bool,
    parse_date,
    parse_int,
    read_table,
    split_list,
)

# Columns as a domain app declares them, kept here so that the shared machinery is
# tested without importing a domain (exchange sits below every domain app).
TASK_COLUMNS = [
    Column("no", gettext_lazy("No."), ("序号",)),
    Column("code", gettext_lazy("Code"), ("任务编号", "项目编号", "编号"), required=True),
    Column("title", gettext_lazy("Reform task"), ("改革任务", "任务名称"), required=True),
    Column("lead_unit", gettext_lazy("Lead unit"), ("牵头单位", "责任单位"), required=True),
    Column("helping_units", gettext_lazy("Helping units"), ("配合单位",)),
    Column("start_date", gettext_lazy("Start date"), ("开始日期", "开始时间")),
    Column("deadline", gettext_lazy("Deadline"), ("完成时限", "完成时间")),
    Column("description", gettext_lazy("Description"), ("任务说明", "主要内容")),
]
MILESTONE_COLUMNS = [
    Column("task_code", gettext_lazy("Task code"), ("任务编号",), required=True),
    Column("title", gettext_lazy("Milestone"), ("节点名称",), required=True),
    Column("planned_date", gettext_lazy("Planned date"), ("计划完成时间",)),
]
KINDS = {"tasks": TASK_COLUMNS, "milestones": MILESTONE_COLUMNS}

JUNE_30 = dt.date(2016, 6, 30)


@pytest.mark.parametrize(
    "value",
    [
        "2016年6月30日",
        "2016/6/30",
        "2016.6.30",
        "2016-06-30",
        " 2016 年 6 月 30 日 ",
        "２０１６年６月３０日",
        "2016-06-30 00:00:00",
        "20160630",
        42551,
        42551.0,
        "42551",
        dt.datetime(2016, 6, 30, 0, 0),
        JUNE_30,
    ],
)
def test_every_date_style_reads_as_the_same_day(value):
    assert parse_date(value) == JUNE_30


@pytest.mark.parametrize("value", ["2016年13月1日", "2016-02-30", "明年", "6/30", 12, "2016"])
def test_what_is_not_a_date_says_so(value):
    with override("en"), pytest.raises(CellValueError) as caught:
        parse_date(value)
    assert "date" in str(caught.value)


def test_blank_dates_are_none():
    assert parse_date(None) is None and parse_date("  ") is None


def test_numbers_flags_lists_and_codes():
    assert parse_int("４０") == 40 and parse_int("40%") == 40 and parse_int(40.0) == 40
    with pytest.raises(CellValueError):
        parse_int("40.5")
    assert parse_bool("是") is True and parse_bool(" 否 ") is False and parse_bool("Y") is True
    with pytest.raises(CellValueError):
        parse_bool("可能")
    assert split_list("惠阳区、博罗县，市发展改革局;HZ-FGJ\n龙门县") == [
        "惠阳区",
        "博罗县",
        "市发展改革局",
        "HZ-FGJ",
        "龙门县",
    ]
    assert clean_code(" ２０１６－００１ ".replace("－", "-")) == "2016-001"
    assert clean_text("\u3000户籍制度改革（试点） ") == "户籍制度改革（试点）"


def test_headers_are_matched_without_spaces_or_bracket_width():
    assert header_keys("完成时限（年月日）") == header_keys("完成时限 (年月日)")
    assert "完成时限" in header_keys(" 完成 时限（年月日） ")


def test_headers_merged_over_two_rows_under_a_title_are_found():
    head = [
        ("惠州市2016年全面深化改革项目清单（台账）", None, None, None, None, None),
        (None,) * 6,
        ("序号", "任务编号", "改革任务", "责任单位", None, "时间安排"),
        (None, None, None, "牵头单位", "配合单位", "完成时限"),
        (1, "2016-001", "某改革", "惠阳区", "", "2016-12-31"),
    ]

    mapping, last = find_header(head, TASK_COLUMNS)

    assert last == 3  # data starts on the fifth row
    assert mapping == {
        0: "no",
        1: "code",
        2: "title",
        3: "lead_unit",
        4: "helping_units",
        5: "deadline",
    }


@pytest.mark.parametrize(
    "written",
    [
        "完成时限",
        "完成时限（年月日）",
        "完成时限 (年月日)",
        " 完 成 时 限 ",
        "完成\n时限",
        "完成\r\n时限",
        "完成_x000D_\n时限",
        "完成时限（必填）",
        "完成时限(必填)",
        "完成时限【必填】",
        "完成时限*",
        "*完成时限",
        "完成时限：",
        "完成\u200b时限",
        "完成\u3000时限",
    ],
)
def test_a_header_is_recognised_however_it_is_spaced_or_marked(written):
    assert "完成时限" in header_keys(written)


def test_full_width_brackets_fold_and_a_unit_in_brackets_stays_readable():
    assert header_keys("权重（%）（必填）") == header_keys("权重 (%)") == {"权重(%)", "权重"}
    assert header_keys("牵 头 单 位") == {"牵头单位"}


def test_the_serial_range_is_shared_with_the_deadline_reader():
    assert excel_serial_date(42551) == JUNE_30
    with override("en"), pytest.raises(CellValueError, match="not a date"):
        excel_serial_date(2016)


def workbook(rows: list[tuple], title: str = "清单"):
    """A workbook written to bytes and opened read-only, as an upload is."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)


def test_columns_no_field_takes_are_listed_as_not_imported():
    wb = workbook(
        [
            ("惠州市2016年改革项目清单", None, None, None, None),
            ("任务编号", "改革任务", "牵头单位", "进展情况", "备 注"),
            ("2016-001", "某改革", "惠阳区", "已出台方案", ""),
        ]
    )

    kind, table, rows = open_table(wb.worksheets[0], KINDS)

    assert kind == "tasks"
    assert table.columns == {"code": 0, "title": 1, "lead_unit": 2}
    assert table.unmapped == {3: "进展情况 (D)", 4: "备 注 (E)"}
    assert list(rows) == [(3, ("2016-001", "某改革", "惠阳区", "已出台方案", None))]


def test_under_a_two_row_header_the_sub_header_is_what_is_not_imported():
    wb = workbook(
        [
            ("任务编号", "改革任务", "责任单位", None, "时间安排", None, "进展情况", None),
            (None, None, "牵头单位", "配合单位", "开始时间", "完成时限", "本月进展", "存在问题"),
            ("2016-001", "某改革", "惠阳区", "博罗县", "2016-01-01", "2016-12-31", "推进中", "无"),
        ]
    )

    _kind, table, rows = open_table(wb.worksheets[0], KINDS)

    # 时间安排 groups two known columns, so it is not reported; 进展情况 groups two
    # unknown ones, and those are.
    assert table.columns == {
        "code": 0,
        "title": 1,
        "lead_unit": 2,
        "helping_units": 3,
        "start_date": 4,
        "deadline": 5,
    }
    assert table.unmapped == {6: "本月进展 (G)", 7: "存在问题 (H)"}
    assert table.headers["lead_unit"] == "牵头单位 (C)"
    assert table.first_row == 3
    assert [number for number, _values in rows] == [3]


def test_unknown_sub_headers_under_an_unknown_group_are_not_read_as_data():
    wb = workbook(
        [
            ("任务编号", "改革任务", "牵头单位", "进展情况", None),
            (None, None, None, "本月进展", "存在问题"),
            ("2016-001", "某改革", "惠阳区", "推进中", "无"),
        ]
    )

    _kind, table, rows = open_table(wb.worksheets[0], KINDS)

    assert table.first_row == 3
    assert table.unmapped == {3: "本月进展 (D)", 4: "存在问题 (E)"}
    assert [number for number, _values in rows] == [3]


def test_a_column_the_clerk_assigned_by_hand_wins_and_counts_as_recognised():
    head = [
        ("项目代码", "改革任务", "牵头单位", "进展情况"),
        ("2016-001", "某改革", "惠阳区", "推进中"),
    ]

    # 项目代码 is no known header; the clerk says it is the code, and that 进展情况
    # is to be left alone.
    mapping, last = find_header(head, TASK_COLUMNS, overrides={0: "code", 3: ""})

    assert (mapping, last) == ({0: "code", 1: "title", 2: "lead_unit"}, 0)


def test_an_override_moves_a_field_away_from_the_column_that_named_it():
    wb = workbook(
        [
            ("任务编号", "改革任务", "牵头单位", "实际牵头单位", "备注"),
            ("2016-001", "某改革", "惠阳区", "博罗县", "x"),
        ]
    )

    _kind, table, _rows = open_table(wb.worksheets[0], KINDS, overrides={3: "lead_unit", 4: ""})

    assert table.columns == {"code": 0, "title": 1, "lead_unit": 3}
    assert table.headers["lead_unit"] == "实际牵头单位 (D)"
    assert table.unmapped == {2: "牵头单位 (C)", 4: "备注 (E)"}


def test_overrides_can_make_a_sheet_with_one_known_header_readable():
    head = [("项目代码", "改革任务", "单位"), ("2016-001", "某改革", "惠阳区")]

    assert find_header(head, TASK_COLUMNS) is None
    assert find_header(head, TASK_COLUMNS, overrides={0: "code", 2: "lead_unit"}) == (
        {0: "code", 1: "title", 2: "lead_unit"},
        0,
    )


class CountingSheet:
    """A worksheet that counts the rows taken from it."""

    title = "清单"

    def __init__(self, rows: list[tuple]):
        self._rows = rows
        self.taken = 0

    def iter_rows(self, values_only: bool):
        for row in self._rows:
            self.taken += 1
            yield row


def test_rows_are_read_one_at_a_time_as_they_are_asked_for():
    rows = [("任务编号", "改革任务", "牵头单位")]
    rows += [(f"2016-{n:03d}", f"改革{n}", "惠阳区") for n in range(1, 1001)]
    ws = CountingSheet(rows)

    _kind, _table, data = open_table(ws, KINDS)

    assert ws.taken == HEADER_SCAN_ROWS
    assert next(data) == (2, ("2016-001", "改革1", "惠阳区"))
    assert ws.taken == HEADER_SCAN_ROWS
    assert [number for number, _values in data][-1] == 1001
    assert ws.taken == 1001
    assert read_table(CountingSheet(rows), KINDS)[1].rows[-1][0] == 1001
