"""Cell readers: the date styles, digits, flags and headers that real sheets contain."""

import datetime as dt

import pytest
from django.utils.translation import override

from reformledger.exchange.parsing import (
    CellValueError,
    clean_code,
    clean_text,
    find_header,
    header_keys,
    parse_bool,
    parse_date,
    parse_int,
    split_list,
)
from reformledger.exchange.task_list import TASK_COLUMNS

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
