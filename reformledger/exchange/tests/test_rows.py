"""Rows that are not data, shaped as real ledgers print them: totals, notes merged
across the foot, the header repeated on every page, and a heading per reform area."""

import pytest

from reformledger.exchange.parsing import header_keys
from reformledger.exchange.rows import RowKind, classify_row

HEADERS = ("序号", "任务编号", "改革任务", "牵头单位", "配合单位", "完成时限")
KEYS = set().union(*(header_keys(h) for h in HEADERS))


def kind(*values):
    return classify_row(tuple(values), header_keys=KEYS)


def test_a_task_row_is_data_even_with_its_serial_number_first():
    assert kind(1, "2016-001", "户籍制度改革", "市公安局", "市发展改革局", "2016年底前") == RowKind(
        "data"
    )
    assert kind(12.0, "2016-012", "某改革", None, None, None).kind == "data"


def test_a_title_with_a_total_word_inside_stays_data():
    assert kind(3, "2016-003", "推进财政资金合计核算改革", "市财政局", None, "2016-12-31").kind == (
        "data"
    )
    # 总计划 starts like 总计 but is a title.
    assert kind(4, "2016-004", "总计划编制", "市发改局", None, None).kind == "data"
    assert kind("合计核算改革", "市财政局").kind == "data"


@pytest.mark.parametrize(
    "values",
    [
        (None, "", "   ", None),
        ("\u3000", None, "\xa0"),
        (),
    ],
)
def test_a_row_of_empty_cells_is_blank(values):
    assert classify_row(values) == RowKind("blank")


@pytest.mark.parametrize(
    ("values", "label"),
    [
        (("合  计", None, None, 7, 5, "71.4%"), "合计 · 7 · 5 · 71.4%"),
        (("小计 · 共7项", None, None, None, None, None), "小计 · 共7项"),
        (("小计", None, "共7项", None, None, None), "小计 · 共7项"),
        (("合计：", "——", "——", 30), "合计： · —— · 30"),
        ((None, "总计", None, "12项"), "总计 · 12项"),
        (("共 7 项", None, None), "共 7 项"),
        (("计12项", None), "计12项"),
        (("Subtotal", 7, None), "Subtotal · 7"),
        (("Total", None, None), "Total"),
    ],
)
def test_totals_are_subtotal_rows_with_what_they_said(values, label):
    assert kind(*values) == RowKind("subtotal", label)


def test_a_total_beside_task_text_is_not_taken_for_a_subtotal():
    # Only numbers may stand beside the total word: anything else may be a task.
    assert kind("合计", "2016-009", "某改革", "市财政局").kind == "data"


@pytest.mark.parametrize(
    "values",
    [
        ("注：1.本表由各牵头单位填报；2.完成时限以实施方案为准。", None, None, None, None, None),
        ("填报说明：1.…", None, None, None, None, None),
        ("注1：重点改革项目以“★”标注", None, None, None),
        ("备注：", "以上项目均纳入年度考核", None, None),
        ("说明：", None, None),
        ("Note: figures as of 30 June", None),
        # Some readers repeat a merged cell's text in every cell it covers.
        ("注：见附件", "注：见附件", "注：见附件"),
    ],
)
def test_notes_at_the_foot_of_a_table_are_notes(values):
    row = kind(*values)

    assert row.kind == "note"
    assert row.label.startswith(values[0].strip())


def test_a_note_word_that_begins_a_task_title_is_not_a_note():
    assert kind("注册资本登记制度改革", "市市场监管局", "2016年底前").kind == "data"
    assert kind("注：", "2016-001", "某改革", "市财政局").kind == "data"


def test_the_header_repeated_on_a_new_page_is_a_header_row():
    row = kind(*HEADERS)

    assert row.kind == "header"
    assert row.label.startswith("序号 · 任务编号")
    # Written a little differently on the second page.
    assert kind("序 号", "任务\n编号", "改革任务（必填）", "牵头单位*", None, None).kind == "header"


def test_without_header_keys_no_row_is_taken_for_a_header():
    assert classify_row(HEADERS).kind == "data"


@pytest.mark.parametrize(
    ("values", "name"),
    [
        (("一、经济体制改革（共7项）", None, None, None), "经济体制改革"),
        (("（二）生态文明体制改革", None, None), "生态文明体制改革"),
        (("二、社会事业改革", None, None), "社会事业改革"),
        (("三、党的建设制度改革(5项)", None), "党的建设制度改革"),
        (("四、民主法制领域改革：共 3 项",), "民主法制领域改革"),
        (("第三部分：社会治理体制改革", None), "社会治理体制改革"),
        # A heading merged across the row, its text repeated in every cell.
        (("（二）生态文明体制改革",) * 6, "生态文明体制改革"),
        # The numeral in the 序号 column, the name beside it.
        (("一", "经济体制改革（7项）", None, None), "经济体制改革"),
        (("（三）", "文化体制改革", None, None), "文化体制改革"),
        # A bracketed note that is no count stays part of the name.
        (("五、农村改革（试点）", None), "农村改革（试点）"),
    ],
)
def test_a_heading_inside_the_table_is_a_section_named_without_its_numbering(values, name):
    assert kind(*values) == RowKind("section", name)


def test_a_task_numbered_in_arabic_digits_is_not_a_section():
    assert kind("1、推进户籍制度改革", None, None).kind == "data"
    assert kind(1, "推进户籍制度改革", None).kind == "data"
