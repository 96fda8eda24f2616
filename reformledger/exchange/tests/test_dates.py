"""Deadlines as offices write them: each form read as the last day it allows, and
the reading says how, so a clerk can check it before the import writes anything."""

import calendar
import datetime as dt

import pytest
from django.utils.translation import override
from hypothesis import given, settings
from hypothesis import strategies as st

from reformledger.exchange.dates import DateReading, find_deadlines, read_deadline
from reformledger.exchange.parsing import CellValueError

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "expected", "how"),
    [
        # Full dates, in every separator.
        ("2016年6月30日", D(2016, 6, 30), "as written"),
        ("2016/6/30", D(2016, 6, 30), "as written"),
        ("2016.6.30", D(2016, 6, 30), "as written"),
        ("2016-06-30", D(2016, 6, 30), "as written"),
        ("20160630", D(2016, 6, 30), "as written"),
        ("2016-06-30 00:00:00", D(2016, 6, 30), "as written"),
        ("2016年6月30日前", D(2016, 6, 30), "as written"),
        ("2016年6月30日之前", D(2016, 6, 30), "as written"),
        ("2016年6月30日以前", D(2016, 6, 30), "as written"),
        ("6月30日前", D(2016, 6, 30), "as written"),
        # A month: its last day.
        ("2016.12", D(2016, 12, 31), "last day of 2016-12"),
        ("2016-10", D(2016, 10, 31), "last day of 2016-10"),
        ("2016/10", D(2016, 10, 31), "last day of 2016-10"),
        ("2016年10月", D(2016, 10, 31), "last day of 2016-10"),
        ("2016年10月底前", D(2016, 10, 31), "last day of 2016-10"),
        ("2016年10月前", D(2016, 10, 31), "last day of 2016-10"),
        ("2016年2月底", D(2016, 2, 29), "last day of 2016-02"),
        ("10月底前", D(2016, 10, 31), "last day of 2016-10"),
        ("10月份", D(2016, 10, 31), "last day of 2016-10"),
        ("十月底前", D(2016, 10, 31), "last day of 2016-10"),
        ("十二月", D(2016, 12, 31), "last day of 2016-12"),
        ("一月", D(2016, 1, 31), "last day of 2016-01"),
        ("二〇一六年十一月", D(2016, 11, 30), "last day of 2016-11"),
        # Part of a month.
        ("6月中旬", D(2016, 6, 20), "the 20th"),
        ("6月上旬", D(2016, 6, 10), "the 10th"),
        ("2016年6月下旬", D(2016, 6, 30), "last day of 2016-06"),
        # A year.
        ("2016年底前", D(2016, 12, 31), "end of year 2016"),
        ("2016年底", D(2016, 12, 31), "end of year 2016"),
        ("2016年内", D(2016, 12, 31), "end of year 2016"),
        ("2016年", D(2016, 12, 31), "end of year 2016"),
        ("2016年度", D(2016, 12, 31), "end of year 2016"),
        ("2016", D(2016, 12, 31), "end of year 2016"),
        ("年底前", D(2016, 12, 31), "end of year 2016"),
        ("年内", D(2016, 12, 31), "end of year 2016"),
        ("全年", D(2016, 12, 31), "end of year 2016"),
        ("今年内", D(2016, 12, 31), "end of year 2016"),
        ("本年度", D(2016, 12, 31), "end of year 2016"),
        # Halves and quarters.
        ("上半年", D(2016, 6, 30), "end of the first half of 2016"),
        ("2016年上半年", D(2016, 6, 30), "end of the first half of 2016"),
        ("下半年", D(2016, 12, 31), "end of the second half of 2016"),
        ("一季度", D(2016, 3, 31), "end of the first quarter of 2016"),
        ("第一季度", D(2016, 3, 31), "end of the first quarter of 2016"),
        ("一季度末", D(2016, 3, 31), "end of the first quarter of 2016"),
        ("Q1", D(2016, 3, 31), "end of the first quarter of 2016"),
        ("1季度", D(2016, 3, 31), "end of the first quarter of 2016"),
        ("2016年第二季度", D(2016, 6, 30), "end of the second quarter of 2016"),
        ("三季度末前", D(2016, 9, 30), "end of the third quarter of 2016"),
        ("2016Q3", D(2016, 9, 30), "end of the third quarter of 2016"),
        ("2016年前三季度", D(2016, 9, 30), "end of the third quarter of 2016"),
        ("四季度", D(2016, 12, 31), "end of the fourth quarter of 2016"),
        # Ranges: their end.
        ("2016年3月—6月", D(2016, 6, 30), "end of the range: last day of 2016-06"),
        ("3-6月", D(2016, 6, 30), "end of the range: last day of 2016-06"),
        ("2016年3月至6月底", D(2016, 6, 30), "end of the range: last day of 2016-06"),
        ("2016年1-6月", D(2016, 6, 30), "end of the range: last day of 2016-06"),
        ("2016年—2017年6月", D(2017, 6, 30), "end of the range: last day of 2017-06"),
        ("2016-2017年", D(2017, 12, 31), "end of the range: end of year 2017"),
        ("2016年11月至2月", D(2017, 2, 28), "end of the range: last day of 2017-02"),
        # Full-width digits and spaces.
        ("２０１６年１０月", D(2016, 10, 31), "last day of 2016-10"),
        ("２０１６　年　６　月　３０　日", D(2016, 6, 30), "as written"),
        # A step in a sentence.
        ("2016年6月底前完成方案", D(2016, 6, 30), "last day of 2016-06"),
    ],
)
def test_each_written_form_reads_as_the_last_day_it_allows(text, expected, how):
    reading = read_deadline(text, year=2016)

    assert reading.date == expected
    assert how in reading.how
    assert reading.assumed is False
    assert reading.text == text.strip()


def test_several_dates_in_one_cell_give_the_latest_and_say_so():
    reading = read_deadline("2016年6月底前完成方案，10月底前出台", year=None)

    assert reading.date == D(2016, 10, 31)
    assert reading.how == "latest of 2 dates: last day of 2016-10"


def test_date_cells_and_excel_serials_are_read_as_they_are():
    assert read_deadline(dt.datetime(2016, 6, 30, 0, 0), year=None) == DateReading(
        D(2016, 6, 30), "as written", False, "2016-06-30"
    )
    assert read_deadline(D(2016, 6, 30), year=None).date == D(2016, 6, 30)
    for serial in (42551, 42551.0, "42551", "４２５５１"):
        reading = read_deadline(serial, year=None)
        assert (reading.date, reading.how) == (D(2016, 6, 30), "Excel date serial")


def test_a_month_stored_as_a_number_is_read_unless_excel_hid_its_zero():
    assert read_deadline(2016.12, year=None).date == D(2016, 12, 31)
    assert read_deadline(2016, year=None).date == D(2016, 12, 31)
    # 2016.10 typed into a number cell is stored as 2016.1: January or October?
    with pytest.raises(CellValueError, match="stored as a number"):
        read_deadline(2016.1, year=None)
    # As text it is what it says.
    assert read_deadline("2016.1", year=None).date == D(2016, 1, 31)


@pytest.mark.parametrize(
    "text", ["持续推进", "长期", "长期坚持", "常态化", "按计划推进", "逐年推进"]
)
def test_work_that_goes_on_is_assumed_due_at_the_years_end(text):
    reading = read_deadline(text, year=2016)

    assert reading == DateReading(
        D(2016, 12, 31), "no date named; end of year 2016 assumed", True, text
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("待定", "is not a deadline"),
        ("2016年13月", "2016年13月 is not a date of the calendar"),
        ("2016年2月30日", "is not a date of the calendar"),
        ("2016-02-30", "is not a date of the calendar"),
        ("2017年春节前", "names no day of the calendar"),
        ("三年内完成", "is not a deadline"),
        ("统一月报", "is not a deadline"),
        (12, "is not a date"),
        (True, "is not a deadline"),
        ("   ", "No deadline is written"),
        (None, "No deadline is written"),
    ],
)
def test_what_cannot_be_read_is_named(value, says):
    with pytest.raises(CellValueError, match=says):
        read_deadline(value, year=2016)


@pytest.mark.parametrize("text", ["10月底前", "年底前", "三季度", "上半年", "持续推进", "6月30日"])
def test_a_deadline_without_a_year_needs_the_year_it_belongs_to(text):
    with pytest.raises(CellValueError, match="does not say which year"):
        read_deadline(text, year=None)


def test_a_year_written_in_the_cell_wins_over_the_one_given():
    assert read_deadline("2017年10月底前", year=2016).date == D(2017, 10, 31)


def test_deadlines_are_found_in_a_sentence_of_a_work_points_document():
    text = "2022年10月底前编制并公布实施方案，年底前全面推开。"

    found = find_deadlines(text, year=None)

    assert [(start, end, r.text) for start, end, r in found] == [
        (0, 10, "2022年10月底前"),
        (20, 23, "年底前"),
    ]
    # 年底前 takes the year of the phrase before it.
    assert [r.date for _s, _e, r in found] == [D(2022, 10, 31), D(2022, 12, 31)]


def test_offsets_point_into_the_text_as_written_even_with_full_width_digits():
    text = "力争２０２２年６月底前出台，统一月度报表，三季度末前完成，五年内建成。"

    found = find_deadlines(text, year=2021)

    assert [text[start:end] for start, end, _r in found] == ["２０２２年６月底前", "三季度末前"]
    assert [r.date for _s, _e, r in found] == [D(2022, 6, 30), D(2022, 9, 30)]


def test_a_year_that_only_introduces_a_sentence_is_its_context_not_a_deadline():
    found = find_deadlines("根据2016年工作要点，6月底前完成。", year=None)

    assert [(r.text, r.date) for _s, _e, r in found] == [("6月底前", D(2016, 6, 30))]


def test_a_sentence_without_a_deadline_finds_none():
    assert find_deadlines("统一月度报告，初步建立工作机制，持续推进。", year=2016) == []


SEPARATOR_STYLES = [
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日前",
]


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2199, 12, 31)))
def test_every_date_reads_back_in_every_separator_style(day):
    with override("en"):
        for style in SEPARATOR_STYLES:
            reading = read_deadline(style(day), year=None)
            assert (reading.date, reading.how) == (day, "as written")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1950, max_value=2199), st.integers(min_value=1, max_value=12))
def test_every_month_reads_as_its_last_day(year, month):
    last = D(year, month, calendar.monthrange(year, month)[1])

    assert read_deadline(f"{year}年{month}月", year=None).date == last
    assert read_deadline(f"{month}月底前", year=year).date == last
